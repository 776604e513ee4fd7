using Grpc.Core;
using StreamingTutorial.Protos.Chat;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.Grading.Chapter05;

/// <summary>
/// Names, for both seeds' programs: a member that sends a user_id with its first line keeps it
/// when it is free (seed 002's clients have fixed names), one that sends none is Client(N) (seed
/// 003), and nobody can speak under another member's name. And a client that shows whatever a
/// server sends: seconds, milliseconds, nonsense, kinds it has never heard of.
/// </summary>
public static partial class Chapter05Grader
{
    private static async Task NamesAsync<TService, TRoom>(Func<int, TRoom> createRoom, Func<TRoom, int> membersInRoom)
        where TService : ChatService.ChatServiceBase
        where TRoom : class
    {
        await using var scene = await ChatScene.StartAsync<TService, TRoom>(createRoom(256), membersInRoom);
        const string join = "JoinChat by members 1, 2 and 3, one after the other";
        var m1 = await scene.JoinAsync(join);
        var m2 = await scene.JoinAsync(join, seenBy: [m1]);
        var m3 = await scene.JoinAsync(join, seenBy: [m1, m2]);
        ChatMemberOnTheWire[] everyone = [m1, m2, m3];

        await SaysAsync(scene, m1, "alice", "alice here", everyone, "alice",
            "member 1's first line, with user_id \"alice\"",
            "a member that sends a name with its first line keeps it: call room.SettleName(member, message.UserId) before broadcasting, then use member.Name.");
        await SaysAsync(scene, m2, "ALICE", "me too", everyone, m2.ExpectedName,
            "member 2's first line, with user_id \"ALICE\" (member 1 is alice)",
            "a name another member has (ignoring case) is not given twice: member 2 keeps its number. room.SettleName decides; use member.Name.");
        await SaysAsync(scene, m1, "bob", "still alice", everyone, "alice",
            "member 1's second line, with user_id \"bob\"",
            "a member's name is settled by its first line; a later user_id must not change it, or anyone could speak as anyone.");
        await SaysAsync(scene, m3, "", "no name", everyone, m3.ExpectedName,
            "member 3's first line, with no user_id",
            "a member that sends no name is numbered, Client(N).");
    }

    private static async Task SaysAsync(ChatScene scene, ChatMemberOnTheWire talker, string userId, string text, IReadOnlyList<ChatMemberOnTheWire> listeners,
        string expectedName, string call, string problem)
    {
        if (!await talker.TrySendAsync(new ChatMessage { UserId = userId, Text = text }, Patience))
        {
            throw scene.Failure($"{talker.Label}'s call ended before it could send.", call, "the line is sent", await ChatScene.EndedText(talker, "could not send"), hint: "server-names-sender");
        }
        foreach (var listener in listeners)
        {
            if (!await listener.WaitForAsync(r => r.Any(m => m.Text == text && m.Kind == Kind.Message), Patience))
            {
                throw scene.Failure("every member should get every line.", call, $"{listener.Label} gets \"{text}\"",
                    await ChatScene.EndedText(listener, "nothing within " + Patience.TotalSeconds + " s"), hint: "server-names-sender");
            }
            var line = listener.Received.First(m => m.Text == text && m.Kind == Kind.Message);
            if (line.UserId != expectedName)
            {
                throw scene.Failure(problem, call, $"{listener.Label} gets the line from {expectedName}", $"{listener.Label} got {Describe(line)}", hint: "settle-name");
            }
        }
    }

    /// <summary>The client sends its user's name with every line (5.5), so a room that passes names through, like seed 002's, shows it.</summary>
    private static async Task SendsNameAsync(Func<ChatService.ChatServiceClient, IAsyncEnumerable<string>, Action<ChatMessage>, CancellationToken, string?, Task> learnerChat)
    {
        const string call = "ChatAsync(client, lines [\"Hi, I am Ada\", \"Bye\"], onMessage, name: \"Ada\")";
        await using var reference = await ReferenceChatService.StartAsync();
        var seen = new MessageLog();
        var run = Start(() => learnerChat(reference.Client, Lines(["Hi, I am Ada", "Bye"]), seen.Add, CancellationToken.None, "Ada"));
        var chat = await ClientCallAsync(reference, run, call);
        await RequestEndAsync(chat, run, call);
        var names = chat.Received.Select(m => m.UserId).ToList();
        if (names.Count != 2 || names.Any(n => n != "Ada"))
        {
            throw GradingFailure.For(Exercises.ChatAsync, "every line should carry the user's name as its user_id, so that a room that passes names on shows who spoke.", call,
                "user_id \"Ada\" on both lines", $"user_id {Grade.Describe(names)}", hint: "send-name");
        }
        await ReturnsAsync(run, call, "ChatAsync should return once the server has ended the call.");
    }

    /// <summary>FormatLine on what a server other than the workbook's may send: it must show something, never throw.</summary>
    private static void FormatLineSurvives(Func<ChatMessage, string> learnerFormat)
    {
        var seconds = LocalTime(14, 30, 10);
        (ChatMessage Message, string Expected, string Why)[] cases =
        [
            (new() { UserId = "GoClient", Text = "in milliseconds", Timestamp = (seconds * 1000) + 123 },
                "[14:30:10] GoClient: in milliseconds",
                "some servers send milliseconds: a timestamp above 99,999,999,999 is in milliseconds (in seconds it would be after the year 5000)."),
            (new() { UserId = "Client(5)", Text = "from nowhen", Timestamp = long.MaxValue },
                "[--:--:--] Client(5): from nowhen",
                "a timestamp that is no date at all (here long.MaxValue) shows as --:--:--, not as a crash."),
            (new() { UserId = "Client(6)", Text = "from before time", Timestamp = long.MinValue },
                "[--:--:--] Client(6): from before time",
                "a timestamp that is no date at all (here long.MinValue) shows as --:--:--, not as a crash."),
            (new() { UserId = "Client(7)", Text = "waves", Timestamp = seconds, Kind = (Kind)7 },
                "[14:30:10] Client(7) waves",
                "a kind this client does not know (a newer server's) is shown as a notice, without a colon."),
            (new() { UserId = "", Text = "who said this?", Timestamp = seconds },
                "[14:30:10] : who said this?",
                "an empty name is shown as it is."),
        ];
        foreach (var (message, expected, why) in cases)
        {
            var call = $"FormatLine({Describe(message)}, timestamp {message.Timestamp})";
            string actual;
            try
            {
                actual = learnerFormat(message);
            }
            catch (NotImplementedException ex)
            {
                throw NotStarted(Exercises.FormatLine, ex.Message);
            }
            catch (Exception ex)
            {
                throw GradingFailure.For(Exercises.FormatLine, "FormatLine threw an exception, and one odd message from a server must not end the chat: " + why, call, $"\"{expected}\"",
                    $"{ex.GetType().Name}: {ex.Message}", hint: "odd-timestamps");
            }
            if (actual != expected)
            {
                throw GradingFailure.For(Exercises.FormatLine, why, call, $"\"{expected}\"", actual is null ? "null" : $"\"{actual}\"", hint: message.Kind == Kind.Message ? "odd-timestamps" : "notice-format");
            }
        }
    }
}
