using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Protos.Chat;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.Grading.Chapter05;

/// <summary>
/// Grades chapter 5. The room exercises (5.1, 5.2) drive the learner's ChatRoom directly and
/// look into each member's outbox. JoinChat (5.3) is graded on the wire: the learner's service
/// runs in memory with a ChatRoom from dependency injection, as in Program.cs, and the grader
/// plays several members, each on its own channel. The client exercises run the learner's
/// FormatLine on made-up messages and its ChatAsync against <see cref="ReferenceChatService"/>,
/// which records what it received and how the call ended.
/// </summary>
public static partial class Chapter05Grader
{
    private const string JoinedText = "has joined the chat";
    private const string LeftText = "has left the chat";

    /// <summary>How long something that should happen at once may take before the grader gives up on it.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>How long Broadcast may take before it is judged to be waiting for a member.</summary>
    private static readonly TimeSpan BroadcastWait = TimeSpan.FromSeconds(5);

    /// <summary>How long the input waits for a message from another member to reach onMessage (5.5).</summary>
    private static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(5);

    // ---------------------------------------------------------------- 5.1 Broadcast

    public static async Task BroadcastAsync(Func<int, IChatRoomUnderTest> createRoom)
    {
        // Everyone gets every message, in order, exactly once; a newcomer's first message is its own join notice.
        {
            const string call = "new ChatRoom(maxPendingMessages: 8), Join() three times (members A, B, C: the room names them Client(1), Client(2), Client(3)), then Broadcast(\"Hello\") and Broadcast(\"How are you?\")";
            var room = createRoom(8);
            var a = RoomCall(Exercises.Broadcast, call, room.Join);
            var b = RoomCall(Exercises.Broadcast, call, room.Join);
            var c = RoomCall(Exercises.Broadcast, call, room.Join);
            var hello = Line("Client(1)", "Hello");
            var howAreYou = Line("Client(2)", "How are you?");
            await BroadcastWithinAsync(Exercises.Broadcast, call, room, hello);
            await BroadcastWithinAsync(Exercises.Broadcast, call, room, howAreYou);
            const string everyone = "every member should get every message once, in order, the join notices included.";
            ExpectOutbox(Exercises.Broadcast, call, "A", a, [Joined(a), Joined(b), Joined(c), hello, howAreYou], everyone, hint: "enqueue-under-lock");
            ExpectOutbox(Exercises.Broadcast, call, "B", b, [Joined(b), Joined(c), hello, howAreYou], everyone, hint: "enqueue-under-lock");
            ExpectOutbox(Exercises.Broadcast, call, "C", c, [Joined(c), hello, howAreYou], everyone, hint: "enqueue-under-lock");
            ExpectNotDropped(Exercises.Broadcast, call, [a, b, c], "no outbox was full.", hint: "collect-laggards");
            ExpectCount(Exercises.Broadcast, call, room, 3, "nobody left and no outbox was full.", hint: "collect-laggards");
        }

        // A full outbox: the member is dropped with RESOURCE_EXHAUSTED, and the others hear it left. Broadcast never waits.
        {
            const string call = "new ChatRoom(maxPendingMessages: 4), members A, B, C (the room names them Client(1), Client(2), Client(3)); A and B read their outboxes, C reads nothing; Broadcast of \"m1\" to \"m4\"";
            var room = createRoom(4);
            var a = RoomCall(Exercises.Broadcast, call, room.Join);
            var b = RoomCall(Exercises.Broadcast, call, room.Join);
            var c = RoomCall(Exercises.Broadcast, call, room.Join);
            Drain(a);
            Drain(b);
            var queued = new List<ChatMessage> { Joined(c) };
            for (var i = 1; i <= 3; i++)
            {
                var message = Line("Client(1)", $"m{i}");
                queued.Add(message);
                await BroadcastWithinAsync(Exercises.Broadcast, call, room, message);
                ExpectOutbox(Exercises.Broadcast, call, "A", a, [message], "every member should get every message.", hint: "enqueue-under-lock");
                ExpectOutbox(Exercises.Broadcast, call, "B", b, [message], "every member should get every message.", hint: "enqueue-under-lock");
            }
            if (c.DropReason is not null || room.Count != 3)
            {
                throw GradingFailure.For(Exercises.Broadcast, "C's outbox is full now, but every message still fitted in it: C is behind, but not too far behind yet.",
                    call + " (after m3)", "C still in the room (Count 3), no DropReason",
                    $"Count {room.Count}, C's DropReason {Describe(c.DropReason)}", hint: "collect-laggards");
            }
            var m4 = Line("Client(1)", "m4");
            await BroadcastWithinAsync(Exercises.Broadcast, call, room, m4, release: () => Drain(c));
            ExpectDropped(Exercises.Broadcast, call, "C", c);
            ExpectCount(Exercises.Broadcast, call, room, 2, "a member whose outbox is full is removed from the room.", hint: "drop-laggard");
            const string told = "m4 goes to A and B; C did not fit it, so it is dropped and A and B hear that C left.";
            ExpectOutbox(Exercises.Broadcast, call, "A", a, [m4, Left(c)], told, hint: "drop-laggard");
            ExpectOutbox(Exercises.Broadcast, call, "B", b, [m4, Left(c)], told, hint: "drop-laggard");
            ExpectOutbox(Exercises.Broadcast, call, "C", c, queued,
                "C keeps what was queued for it before it was dropped.", hint: "drop-laggard");

            var m5 = Line("Client(2)", "m5");
            await BroadcastWithinAsync(Exercises.Broadcast, call + ", then Broadcast(\"m5\")", room, m5);
            ExpectOutbox(Exercises.Broadcast, call + ", then Broadcast(\"m5\")", "A", a, [m5], "C was dropped once, and is told about once.", hint: "drop-laggard");
        }

        // Two members too far behind at once: both dropped, each announced once.
        {
            const string call = "new ChatRoom(maxPendingMessages: 4), members A, B, C (the room names them Client(1), Client(2), Client(3)); A reads its outbox, B and C stop reading; Broadcast of \"m1\" to \"m4\"";
            var room = createRoom(4);
            var a = RoomCall(Exercises.Broadcast, call, room.Join);
            Drain(a);
            var b = RoomCall(Exercises.Broadcast, call, room.Join);
            Drain(a);
            Drain(b);
            var c = RoomCall(Exercises.Broadcast, call, room.Join);
            Drain(a);
            for (var i = 1; i <= 3; i++)
            {
                await BroadcastWithinAsync(Exercises.Broadcast, call, room, Line("Client(1)", $"m{i}"));
                Drain(a);
            }
            var m4 = Line("Client(1)", "m4");
            await BroadcastWithinAsync(Exercises.Broadcast, call, room, m4, release: () =>
            {
                Drain(b);
                Drain(c);
            });
            var seen = Drain(a);
            var expected = new[] { m4, Left(b), Left(c) };
            var sameSet = seen.Count == 3 && Same(seen[0], m4) && expected.Skip(1).All(n => seen.Skip(1).Count(s => Same(s, n)) == 1);
            if (!sameSet)
            {
                throw GradingFailure.For(Exercises.Broadcast, "A should get m4, then one notice for each member that was dropped (in either order), each once.", call,
                    $"A's outbox: {Describe(expected)}", $"A's outbox: {Describe(seen)}", hint: "drop-laggard");
            }
            ExpectDropped(Exercises.Broadcast, call, "B", b);
            ExpectDropped(Exercises.Broadcast, call, "C", c);
            ExpectNotDropped(Exercises.Broadcast, call, [a], "A reads its outbox.", hint: "drop-laggard");
            ExpectCount(Exercises.Broadcast, call, room, 1, "B and C are both too far behind and leave the room.", hint: "drop-laggard");
        }
    }

    // ---------------------------------------------------------------- 5.2 Leave

    public static async Task LeaveAsync(Func<int, IChatRoomUnderTest> createRoom)
    {
        {
            const string call = "new ChatRoom(maxPendingMessages: 8), members A, B, C (the room names them Client(1), Client(2), Client(3)); Broadcast(\"See you\"); then Leave(B)";
            var room = createRoom(8);
            var a = RoomCall(Exercises.Leave, call, room.Join);
            var b = RoomCall(Exercises.Leave, call, room.Join);
            var c = RoomCall(Exercises.Leave, call, room.Join);
            Drain(a);
            Drain(b);
            Drain(c);
            var seeYou = Line("Client(2)", "See you");
            RoomCall(Exercises.Leave, call, () => room.Broadcast(seeYou));
            RoomCall(Exercises.Leave, call, () => room.Leave(b));
            ExpectCount(Exercises.Leave, call, room, 2, "B left, so the room has 2 members.", hint: "remove-once");
            const string told = "the others hear once that B left.";
            ExpectOutbox(Exercises.Leave, call, "A", a, [seeYou, Left(b)], told, hint: "announce-leave");
            ExpectOutbox(Exercises.Leave, call, "C", c, [seeYou, Left(b)], told, hint: "announce-leave");
            var leaver = Drain(b);
            if (leaver.Any(m => IsNotice(m, Kind.Left, b.Name)))
            {
                throw GradingFailure.For(Exercises.Leave, "B was sent its own leave notice: remove B from the room before telling the others.", call,
                    $"B's outbox: {Describe([seeYou])}", $"B's outbox: {Describe(leaver)}", hint: "announce-leave");
            }
            if (leaver.Count != 1 || !Same(leaver[0], seeYou))
            {
                throw GradingFailure.For(Exercises.Leave, "B keeps what was queued for it before it left: closing the outbox lets B's writer send it, then stop.", call,
                    $"B's outbox: {Describe([seeYou])}", $"B's outbox: {Describe(leaver)}", hint: "close-outbox");
            }
            if (!await CompletesWithinAsync(b.Outbox.Completion, TimeSpan.FromSeconds(1)))
            {
                throw GradingFailure.For(Exercises.Leave, "B's outbox is still open after B left, so B's writer would wait for more messages for ever and its call never ends.", call,
                    "B's outbox closed (member.CloseOutbox()): its writer sends what is queued, then stops", "B's outbox still open", hint: "close-outbox");
            }
            if (b.DropReason is not null)
            {
                throw GradingFailure.For(Exercises.Leave, "B left; the room did not drop it.", call, "B's DropReason null", $"B's DropReason {Describe(b.DropReason)}", hint: "close-outbox");
            }

            const string twice = call + ", then Leave(B) again and Broadcast(\"Still here\")";
            RoomCall(Exercises.Leave, twice, () => room.Leave(b));
            var stillHere = Line("Client(1)", "Still here");
            RoomCall(Exercises.Leave, twice, () => room.Broadcast(stillHere));
            ExpectCount(Exercises.Leave, twice, room, 2, "leaving twice removes the member once.", hint: "remove-once");
            const string once = "a member leaves once: the second Leave sends nothing.";
            ExpectOutbox(Exercises.Leave, twice, "A", a, [stillHere], once, hint: "remove-once");
            ExpectOutbox(Exercises.Leave, twice, "C", c, [stillHere], once, hint: "remove-once");
            ExpectNotDropped(Exercises.Leave, twice, [a, c], "A and C are reading.", hint: "remove-once");
        }

        // A member the room has dropped leaves too (its call ends): nothing more is announced.
        {
            const string call = "new ChatRoom(maxPendingMessages: 2), members A and B; B reads nothing and is dropped by Broadcast(\"m2\"); then Leave(B)";
            var room = createRoom(2);
            var a = RoomCall(Exercises.Leave, call, room.Join);
            Drain(a);
            var b = RoomCall(Exercises.Leave, call, room.Join);
            Drain(a);
            var m1 = Line("Client(1)", "m1");
            var m2 = Line("Client(1)", "m2");
            RoomCall(Exercises.Leave, call, () => room.Broadcast(m1));
            Drain(a);
            RoomCall(Exercises.Leave, call, () => room.Broadcast(m2));
            Drain(a);
            if (b.DropReason is null)
            {
                // Broadcast (exercise 5.1) did not drop B; that is graded with 5.1, and this check needs it.
                throw GradingFailure.For(Exercises.Leave, "this check needs Broadcast (exercise 5.1) to drop a member whose outbox is full, and it did not.", call,
                    "B dropped by Broadcast(\"m2\")", "B still a member", hint: "remove-once");
            }
            RoomCall(Exercises.Leave, call, () => room.Leave(b));
            ExpectCount(Exercises.Leave, call, room, 1, "B was dropped already, and leaving does not change that.", hint: "remove-once");
            ExpectOutbox(Exercises.Leave, call, "A", a, [], "A heard that B left when B was dropped; leaving afterwards sends nothing more.", hint: "remove-once");

            const string last = call + ", then Leave(A)";
            RoomCall(Exercises.Leave, last, () => room.Leave(a));
            ExpectCount(Exercises.Leave, last, room, 0, "the last member left.", hint: "remove-once");
            if (!await CompletesWithinAsync(a.Outbox.Completion, TimeSpan.FromSeconds(1)))
            {
                throw GradingFailure.For(Exercises.Leave, "A's outbox is still open after A left.", last, "A's outbox closed", "A's outbox still open", hint: "close-outbox");
            }
        }
    }

    // ---------------------------------------------------------------- 5.3 JoinChat

    /// <summary>
    /// Grades the learner's JoinChat on the wire. <paramref name="createRoom"/> makes the room
    /// (given its MaxPendingMessages) that the host registers as a singleton, so the service is
    /// created for each call with the room, as in Program.cs; <paramref name="membersInRoom"/>
    /// reads the room's Count.
    /// </summary>
    public static async Task JoinChatAsync<TService, TRoom>(Func<int, TRoom> createRoom, Func<TRoom, int> membersInRoom, int maxTextLength)
        where TService : ChatService.ChatServiceBase
        where TRoom : class
    {
        await using (var scene = await ChatScene.StartAsync<TService, TRoom>(createRoom(256), membersInRoom))
        {
            await ConversationAsync(scene, maxTextLength);
        }
        await using (var scene = await ChatScene.StartAsync<TService, TRoom>(createRoom(StallCapacity), membersInRoom))
        {
            await StalledMemberAsync(scene);
        }
        await NamesAsync<TService, TRoom>(createRoom, membersInRoom);
    }

    /// <summary>The room's MaxPendingMessages in the stalled member check: small, so the member is dropped soon.</summary>
    private const int StallCapacity = 16;

    /// <summary>The most lines the grader sends before it concludes that a member that reads nothing is never dropped.</summary>
    private const int StallLimit = 1000;

    /// <summary>Characters of padding in the grader's lines: long lines fill a stalled member's transport buffers quickly.</summary>
    private const int Padding = 2000;

    private static async Task ConversationAsync(ChatScene scene, int maxTextLength)
    {
        // Members join one at a time: each is numbered in join order, hears its own join notice first, and the others hear it too.
        const string joinCall = "JoinChat by member 1, then member 2, then member 3 (each after the one before has joined), each reading its stream";
        var m1 = await scene.JoinAsync(joinCall);
        var m2 = await scene.JoinAsync(joinCall, seenBy: [m1]);
        var m3 = await scene.JoinAsync(joinCall, seenBy: [m1, m2]);

        // All three talk at once. Each claims to be someone else, at another time, with a join notice's kind: the server decides all three.
        const int perMember = 20;
        var burstCall = $"members 1, 2 and 3 each send {perMember} lines of about 2 KB at the same time, each line claiming user_id of the next member, timestamp 1000000000 (2001) and kind KIND_JOINED";
        var talkers = new[] { m1, m2, m3 };
        var lines = talkers.ToDictionary(m => m, m => Enumerable.Range(1, perMember).Select(i => LongText($"{m.Label}, line {i}")).ToList());
        var sending = talkers.Select((m, index) => scene.SendAllAsync(m, lines[m], talkers[(index + 1) % talkers.Length].ExpectedName)).ToList();
        var allLines = lines.Values.SelectMany(l => l).ToHashSet();
        await scene.ExpectAllAsync(burstCall, talkers, allLines, sending);
        foreach (var listener in talkers)
        {
            foreach (var talker in talkers)
            {
                scene.CheckLines(burstCall, listener, talker, lines[talker]);
            }
        }

        // Completing the request stream is leaving: the call ends with OK, the others hear it.
        const string completeCall = joinCall + "; then member 2 completes its request stream";
        await scene.ExpectEndAsync(completeCall, m2, StatusCode.OK, "a member that completes its request stream has left: its call should end with status OK, after every message queued for it.",
            "the response stream ends with status OK", m2.TryCompleteAsync(Patience), hint: "leave-in-finally");
        await scene.ExpectNoticeAsync(completeCall, [m1, m3], m2, Kind.Left, "when a member completes its stream, the others hear that it left.", hint: "leave-in-finally");

        // Cancelling the call is leaving too: the handler ends, the member leaves the room, the others hear it.
        const string cancelCall = joinCall + "; member 2 left; then member 3 cancels its call";
        m3.Cancel();
        await scene.ExpectNoticeAsync(cancelCall, [m1], m3, Kind.Left, "when a member's call is cancelled (its program closed), the others hear that it left.", hint: "leave-in-finally");
        await scene.ExpectHandlerEndedAsync(cancelCall, m3, "JoinChat should return soon after the call is cancelled.", hint: "linked-token");
        await scene.ExpectHandlerEndedAsync(completeCall, m2, "JoinChat should return once the member has left.", hint: "leave-in-finally");
        scene.ExpectCount(cancelCall, 1, "members 2 and 3 have left: only member 1 is in the room. A member that is still counted after its call ended was never removed (Leave in a finally block).", hint: "leave-in-finally");

        // Numbers are never reused, and a line of exactly MaxTextLength characters is fine; one more is INVALID_ARGUMENT.
        var m4 = await scene.JoinAsync(cancelCall + "; then member 4 joins", seenBy: [m1]);
        var longest = LongText("member 1, the longest line allowed", maxTextLength);
        const string longestCall = "member 1 sends a line of exactly ChatRoom.MaxTextLength characters";
        await scene.SendAllAsync(m1, [longest]);
        await scene.ExpectAllAsync(longestCall, [m1, m4], new HashSet<string> { longest }, []);
        var tooLong = LongText("member 1, one character too many", maxTextLength + 1);
        var tooLongCall = $"member 1 sends a line of {maxTextLength + 1} characters, one more than ChatRoom.MaxTextLength";
        await scene.SendAllAsync(m1, [tooLong], check: false);
        // The line must not reach the room: member 4 getting it ends the wait for member 1's status early.
        await CompletesWithinAsync(Task.WhenAny(m1.Ended, m4.WaitForAsync(r => r.Any(m => m.Text == tooLong), Patience)), Patience);
        if (m4.Received.Any(m => m.Text == tooLong))
        {
            throw scene.Failure("a line longer than ChatRoom.MaxTextLength must not reach the room: it ends the sender's call with INVALID_ARGUMENT.", tooLongCall,
                "member 1's call ends with status InvalidArgument; member 4 never gets the line", $"member 4 got the line; {await ChatScene.EndedText(m1, "member 1's call is still open")}", hint: "server-names-sender");
        }
        await scene.ExpectEndAsync(tooLongCall, m1, StatusCode.InvalidArgument, "a line longer than ChatRoom.MaxTextLength should end the sender's call with INVALID_ARGUMENT.",
            "status InvalidArgument with a message", null, hint: "server-names-sender");
        await scene.ExpectNoticeAsync(tooLongCall, [m4], m1, Kind.Left, "a member whose call ends with an error has left: the others hear it.", hint: "leave-in-finally");
        await scene.ExpectHandlerEndedAsync(tooLongCall, m1, "JoinChat should end the call when a line is too long.", hint: "server-names-sender");

        const string lastCall = "member 4, the last in the room, completes its request stream";
        await scene.ExpectEndAsync(lastCall, m4, StatusCode.OK, "a member that completes its request stream has left: its call should end with status OK.",
            "the response stream ends with status OK", m4.TryCompleteAsync(Patience), hint: "leave-in-finally");
        await scene.ExpectHandlerEndedAsync(lastCall, m4, "JoinChat should return once the member has left.", hint: "leave-in-finally");
        scene.ExpectCount(lastCall, 0, "every member has left, so the room should be empty: a member still counted was never removed.", hint: "leave-in-finally");
    }

    private static async Task StalledMemberAsync(ChatScene scene)
    {
        var joinCall = $"a room with MaxPendingMessages {StallCapacity}; members 1 and 2 join and read their streams; member 3 joins and reads nothing";
        var h1 = await scene.JoinAsync(joinCall);
        var h2 = await scene.JoinAsync(joinCall, seenBy: [h1]);
        var stalled = await scene.JoinAsync(joinCall, seenBy: [h1, h2], reads: false);

        // Members 1 and 2 talk in small rounds and wait until both have heard each round:
        // they are never far behind, while member 3 falls further behind with every round.
        var sent = new HashSet<string>();
        var talkCall = $"{joinCall}; members 1 and 2 each send lines of about 2 KB, 2 at a time, waiting until both have received each round";
        for (var round = 1; sent.Count < StallLimit; round++)
        {
            var texts1 = new[] { LongText($"member 1, line {2 * round - 1}"), LongText($"member 1, line {2 * round}") };
            var texts2 = new[] { LongText($"member 2, line {2 * round - 1}"), LongText($"member 2, line {2 * round}") };
            sent.UnionWith(texts1);
            sent.UnionWith(texts2);
            await scene.ExpectAllAsync(talkCall, [h1, h2], sent, [scene.SendAllAsync(h1, texts1), scene.SendAllAsync(h2, texts2)], stalled);
            if (h1.Received.Any(m => IsNotice(m, Kind.Left, stalled.ExpectedName)))
            {
                break;
            }
        }
        if (!h1.Received.Any(m => IsNotice(m, Kind.Left, stalled.ExpectedName)))
        {
            throw scene.Failure($"member 3 read nothing while {sent.Count} lines were sent, yet it was never dropped: its messages pile up on the server without limit.", talkCall,
                $"member 3 dropped once its outbox is full ({StallCapacity} messages behind), and the others told that it left",
                $"no notice that Client(3) left after {sent.Count} lines", hint: "one-writer");
        }
        await scene.ExpectNoticeAsync(talkCall, [h2], stalled, Kind.Left, "the room dropped member 3: every other member hears that it left.", hint: "linked-token");

        // When member 3 reads at last, it gets what was queued for it before it was dropped, then RESOURCE_EXHAUSTED.
        var readCall = talkCall + "; member 3 was dropped; then member 3 reads its stream";
        stalled.StartReading();
        await scene.ExpectEndAsync(readCall, stalled, StatusCode.ResourceExhausted,
            "a member the room dropped should get what was queued for it, then its call ends with the drop's status, RESOURCE_EXHAUSTED.",
            "the queued messages, then status ResourceExhausted with a message", null, hint: "linked-token", wrongStatusHint: "leave-in-finally");
        var heard = h1.Received.ToList();
        var from = heard.FindIndex(m => IsNotice(m, Kind.Joined, stalled.ExpectedName));
        var until = heard.FindIndex(m => IsNotice(m, Kind.Left, stalled.ExpectedName));
        var expected = heard.GetRange(from, until - from);
        var got = stalled.Received.ToList();
        var prefix = got.Count <= expected.Count && got.Zip(expected).All(pair => SameOnTheWire(pair.First, pair.Second));
        // The line that did not fit may be missing: everything before it was queued for member 3.
        if (!prefix || got.Count < expected.Count - 1)
        {
            throw scene.Failure("member 3 should get everything that was queued for it before it was dropped, in order: the room keeps its outbox, and its writer sends it before the call ends.",
                readCall, $"{expected.Count - 1} or {expected.Count} messages: {Describe(expected)}", $"{got.Count} messages: {Describe(got)}", hint: "leave-in-finally");
        }
        await scene.ExpectHandlerEndedAsync(readCall, stalled, "JoinChat of a dropped member should return once its queued messages are written.", hint: "linked-token");
        scene.ExpectCount(readCall, 2, "member 3 was dropped; members 1 and 2 are still in the room.", hint: "linked-token");

        const string leaveCall = "members 1 and 2 complete their request streams";
        foreach (var member in new[] { h1, h2 })
        {
            await scene.ExpectEndAsync(leaveCall, member, StatusCode.OK, "a member that completes its request stream has left: its call should end with status OK.",
                "the response stream ends with status OK", member.TryCompleteAsync(Patience), hint: "leave-in-finally");
            await scene.ExpectHandlerEndedAsync(leaveCall, member, "JoinChat should return once the member has left.", hint: "leave-in-finally");
        }
        scene.ExpectCount(leaveCall, 0, "every member has left, so the room should be empty.", hint: "leave-in-finally");
    }

    /// <summary>A line of about 2 KB, or of exactly <paramref name="length"/> characters: the label, a bar, and dots.</summary>
    private static string LongText(string label, int? length = null)
    {
        var head = label + "|";
        return head + new string('.', Math.Max(0, (length ?? head.Length + Padding) - head.Length));
    }

    private static bool SameOnTheWire(ChatMessage a, ChatMessage b) => a.Kind == b.Kind && a.UserId == b.UserId && a.Text == b.Text;

    /// <summary>
    /// The learner's server with its room, the grader's members on it, and the checks they make.
    /// Every failure first looks for an untouched TODO: a member's call that ended with the
    /// starter's NotImplementedException means "not started", not "wrong".
    /// </summary>
    private sealed class ChatScene(GrpcTestHost host, RequestWatcher watcher, Func<int> count) : IAsyncDisposable
    {
        private readonly List<ChatMemberOnTheWire> members = [];
        private readonly long startedAt = Now();

        public static async Task<ChatScene> StartAsync<TService, TRoom>(TRoom room, Func<TRoom, int> membersInRoom)
            where TService : ChatService.ChatServiceBase
            where TRoom : class
        {
            var watcher = new RequestWatcher();
            var host = await GrpcTestHost.StartAsync(HostKind.TestServer,
                app =>
                {
                    watcher.Attach(app);
                    app.MapGrpcService<TService>();
                },
                services => services.AddSingleton(room),
                Grade.ConfigureGraded);
            return new ChatScene(host, watcher, () => membersInRoom(room));
        }

        /// <summary>
        /// Starts the next member's call and waits until it is in the room: its own join notice
        /// first (when it reads), and the notice at every member in <paramref name="seenBy"/>.
        /// </summary>
        public async Task<ChatMemberOnTheWire> JoinAsync(string call, IReadOnlyList<ChatMemberOnTheWire>? seenBy = null, bool reads = true)
        {
            var member = new ChatMemberOnTheWire(members.Count + 1, host.CreateChannel(), reads);
            members.Add(member);
            if (reads)
            {
                if (!await member.WaitForAsync(r => r.Count > 0, Patience))
                {
                    throw Failure($"{member.Label} should get its own join notice as soon as it joins.", call,
                        $"first message: {member.ExpectedName} {JoinedText} (KIND_JOINED)", await EndedText(member, "nothing"), hint: "one-writer");
                }
                var first = member.Received[0];
                if (!IsNotice(first, Kind.Joined, member.ExpectedName))
                {
                    throw Failure($"the first message a member gets is its own join notice, which tells it its name; members are numbered in join order from 1: Client(1), Client(2), ...",
                        call, $"{member.Label}'s first message: {member.ExpectedName} {JoinedText} (KIND_JOINED)", $"{member.Label}'s first message: {Describe(first)}", hint: "one-writer");
                }
                CheckTimestamp(call, member, first);
            }
            await ExpectNoticeAsync(call, seenBy ?? [], member, Kind.Joined, "every member hears when another joins.", hint: "one-writer");
            return member;
        }

        /// <summary>Sends the texts in order, each claiming another user_id, an old timestamp and a notice's kind. False if the call ended first.</summary>
        public async Task<bool> SendAllAsync(ChatMemberOnTheWire member, IEnumerable<string> texts, string? claimedUser = null, bool check = true)
        {
            foreach (var text in texts)
            {
                var message = new ChatMessage { UserId = claimedUser ?? member.ExpectedName, Text = text, Timestamp = 1_000_000_000, Kind = Kind.Joined };
                if (!await member.TrySendAsync(message, Patience))
                {
                    return !check;
                }
            }
            return true;
        }

        /// <summary>Waits until each listener has received every one of the texts; fails naming who is missing what.</summary>
        public async Task ExpectAllAsync(string call, IReadOnlyList<ChatMemberOnTheWire> listeners, IReadOnlySet<string> texts, IReadOnlyList<Task<bool>> sending, ChatMemberOnTheWire? stalled = null)
        {
            var sent = await Task.WhenAll(sending);
            foreach (var listener in listeners)
            {
                if (await listener.WaitForAsync(r => r.Count(m => texts.Contains(m.Text)) >= texts.Count, Patience))
                {
                    continue;
                }
                var got = listener.Received.Count(m => texts.Contains(m.Text));
                var senders = sent.Any(ok => !ok) ? " Some lines could not even be sent: the sender's call had ended." : "";
                var problem = stalled is null
                    ? $"every member should get every line, its own included.{senders}"
                    : $"{listener.Label} stopped getting lines while member 3 read nothing: one member that does not read must not hold up the others.{senders}";
                throw Failure(problem, call, $"{listener.Label} gets all {texts.Count} lines",
                    $"{listener.Label} got {got} of them; {await EndedText(listener, "its call is still open")}{OtherEndings(listener)}", hint: "one-writer");
            }
        }

        /// <summary>Checks the lines <paramref name="listener"/> got from <paramref name="talker"/>: all, once, in order, named and stamped by the server.</summary>
        public void CheckLines(string call, ChatMemberOnTheWire listener, ChatMemberOnTheWire talker, IReadOnlyList<string> texts)
        {
            var set = texts.ToHashSet();
            var got = listener.Received.Where(m => set.Contains(m.Text)).ToList();
            foreach (var message in got)
            {
                if (message.UserId != talker.ExpectedName)
                {
                    throw Failure($"the server decides who said a line: {talker.Label} is {talker.ExpectedName}, whatever user_id it sends.", call,
                        $"{talker.Label}'s lines from {talker.ExpectedName}", $"{listener.Label} got {Describe(message)}", hint: "server-names-sender");
                }
                if (message.Kind != Kind.Message)
                {
                    throw Failure("a member's line is a message (KIND_MESSAGE), whatever kind the client sends: build a new ChatMessage instead of passing the client's on.", call,
                        "kind KIND_MESSAGE", $"{listener.Label} got {Describe(message)}", hint: "server-names-sender");
                }
                CheckTimestamp(call, listener, message);
            }
            if (!got.Select(m => m.Text).SequenceEqual(texts))
            {
                throw Failure($"{listener.Label} should get {talker.Label}'s lines once each, in the order they were sent. {Difference(texts, got.Select(m => m.Text).ToList())}", call,
                    Describe(texts.Select(t => Line(talker.ExpectedName, t)).ToList()), Describe(got), hint: "one-writer");
            }
        }

        public async Task ExpectNoticeAsync(string call, IReadOnlyList<ChatMemberOnTheWire> listeners, ChatMemberOnTheWire about, Kind kind, string problem, string hint)
        {
            foreach (var listener in listeners)
            {
                if (!await listener.WaitForAsync(r => r.Any(m => IsNotice(m, kind, about.ExpectedName)), Patience))
                {
                    var text = kind == Kind.Joined ? JoinedText : LeftText;
                    var recent = listener.Received.TakeLast(3).ToList();
                    throw Failure(problem, call, $"{listener.Label} gets \"{about.ExpectedName} {text}\" ({Name(kind)})",
                        $"no such notice within {Patience.TotalSeconds:0} s; its last messages: {Describe(recent)}; {await EndedText(listener, "its call is still open")}", hint);
                }
                var notices = listener.Received.Count(m => IsNotice(m, kind, about.ExpectedName));
                if (notices > 1)
                {
                    throw Failure($"{listener.Label} heard the same notice {notices} times; once is enough.", call,
                        $"one \"{about.ExpectedName} {(kind == Kind.Joined ? JoinedText : LeftText)}\"", $"{notices} of them", hint);
                }
                CheckTimestamp(call, listener, listener.Received.First(m => IsNotice(m, kind, about.ExpectedName)));
            }
        }

        /// <summary>Does what ends a member's call (if anything), then waits for its response stream to end with the status.</summary>
        public async Task ExpectEndAsync(string call, ChatMemberOnTheWire member, StatusCode expected, string problem, string expectedText, Task<bool>? action, string hint, string? wrongStatusHint = null)
        {
            if (action is not null)
            {
                await action;
            }
            if (!await CompletesWithinAsync(member.Ended, Patience))
            {
                throw Failure(problem, call, expectedText, $"{member.Label}'s call still open {Patience.TotalSeconds:0} s later; it got {member.Received.Count} messages", hint);
            }
            var status = await member.Ended;
            if (status.StatusCode != expected || (expected != StatusCode.OK && string.IsNullOrWhiteSpace(status.Detail)))
            {
                throw Failure(problem, call, expectedText, $"{member.Label}'s call ended with {Describe(status)}", wrongStatusHint ?? hint);
            }
        }

        /// <summary>The learner's handler for this member has returned (the server side of the call is over).</summary>
        public async Task ExpectHandlerEndedAsync(string call, ChatMemberOnTheWire member, string problem, string hint)
        {
            if (!await CompletesWithinAsync(watcher.Finished(member.Number), Patience))
            {
                throw Failure(problem, call, $"JoinChat for {member.Label} returns", $"still running {Patience.TotalSeconds:0} s later", hint);
            }
        }

        public void ExpectCount(string call, int expected, string problem, string hint)
        {
            var actual = count();
            if (actual != expected)
            {
                throw Failure(problem, call, $"room.Count {expected}", $"room.Count {actual}", hint);
            }
        }

        /// <summary>A failure of exercise 5.3, unless a member's call ended with the starter's NotImplementedException.</summary>
        public Exception Failure(string problem, string call, string expected, string actual, string hint)
        {
            foreach (var member in members)
            {
                if (member.Ended.IsCompletedSuccessfully && member.Ended.Result is { StatusCode: StatusCode.Unknown } status
                    && status.Detail.Contains(nameof(NotImplementedException), StringComparison.Ordinal))
                {
                    return NotStarted(Exercises.JoinChat, status.Detail);
                }
            }
            return GradingFailure.For(Exercises.JoinChat, problem, call, expected, actual, hint);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var member in members)
            {
                member.Dispose();
            }
            await host.DisposeAsync();
        }

        private void CheckTimestamp(string call, ChatMemberOnTheWire listener, ChatMessage message)
        {
            var now = Now();
            if (message.Timestamp < startedAt - 5 || message.Timestamp > now + 5)
            {
                var when = DateTimeOffset.FromUnixTimeSeconds(message.Timestamp).ToString("u", CultureInfo.InvariantCulture);
                throw Failure("every message carries the server's time (seconds since the Unix epoch), whatever timestamp the client sends.", call,
                    $"a timestamp within seconds of now ({now})", $"{listener.Label} got {Describe(message)} stamped {message.Timestamp} ({when})", hint: "server-names-sender");
            }
        }

        public static async Task<string> EndedText(ChatMemberOnTheWire member, string open)
        {
            await CompletesWithinAsync(member.Ended, TimeSpan.FromMilliseconds(200));
            return member.Ended.IsCompletedSuccessfully ? $"{member.Label}'s call ended with {Describe(member.Ended.Result)}" : open;
        }

        private string OtherEndings(ChatMemberOnTheWire except)
        {
            var ended = members.Where(m => m != except && m.Ended.IsCompletedSuccessfully && m.Ended.Result.StatusCode != StatusCode.OK)
                .Select(m => $"{m.Label}'s call ended with {Describe(m.Ended.Result)}").ToList();
            return ended.Count == 0 ? "" : "; " + string.Join("; ", ended);
        }
    }

    // ---------------------------------------------------------------- 5.4 FormatLine

    public static Task FormatLineAsync(Func<ChatMessage, string> learnerFormat)
    {
        ChatMessage[] cases =
        [
            Line("Client(1)", "Hello everyone!", LocalTime(14, 30, 10)),
            Notice("Client(2)", Kind.Joined, LocalTime(23, 5, 9)),
            Notice("Client(12)", Kind.Left, LocalTime(9, 3, 7)),
            Line("Client(3)", "Lunch: at 12:30?", LocalTime(0, 0, 0)),
            Line("Client(4)", "", LocalTime(12, 59, 59)),
        ];
        foreach (var message in cases)
        {
            var call = $"FormatLine({Describe(message)}), whose timestamp is {LocalText(message.Timestamp)} local time";
            var expected = Expected(message);
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
                throw GradingFailure.Threw(Exercises.FormatLine, call, $"\"{expected}\"", LearnerException.From(ex));
            }
            if (actual != expected)
            {
                var timeRight = actual is not null && actual.StartsWith($"[{LocalText(message.Timestamp)}] ", StringComparison.Ordinal);
                var problem = !timeRight
                    ? "the time should be the timestamp in local time, on the 24-hour clock with two digits each (HH:mm:ss), in square brackets."
                    : message.Kind == Kind.Message
                        ? "a member's line is \"[time] name: text\", with a colon after the name."
                        : "a notice is \"[time] name text\", without a colon: the notice's text goes on from the name.";
                throw GradingFailure.For(Exercises.FormatLine, problem, call, $"\"{expected}\"", actual is null ? "null" : $"\"{actual}\"", hint: timeRight ? "notice-format" : "local-time-format");
            }
        }
        FormatLineSurvives(learnerFormat);
        return Task.CompletedTask;

        static string Expected(ChatMessage m) => m.Kind == Kind.Message
            ? $"[{LocalText(m.Timestamp)}] {m.UserId}: {m.Text}"
            : $"[{LocalText(m.Timestamp)}] {m.UserId} {m.Text}";
    }

    // ---------------------------------------------------------------- 5.5 ChatAsync

    public static async Task ChatAsync(Func<ChatService.ChatServiceClient, IAsyncEnumerable<string>, Action<ChatMessage>, CancellationToken, string?, Task> learnerChatAs)
    {
        // The checks below leave the name out (null); SendsNameAsync checks that it is sent.
        Task learnerChat(ChatService.ChatServiceClient client, IAsyncEnumerable<string> lines, Action<ChatMessage> onMessage, CancellationToken token) =>
            learnerChatAs(client, lines, onMessage, token, null);
        // "exit", in any case and with spaces around it, leaves: it is not sent, and neither is anything after it.
        await LeavesAsync(learnerChat, ["Hello everyone!", "How are you?", "  EXIT ", "this line comes after exit"], 2,
            "ChatAsync(client, lines [\"Hello everyone!\", \"How are you?\", \"  EXIT \", \"this line comes after exit\"], onMessage)");
        // The end of the lines leaves too.
        await LeavesAsync(learnerChat, ["Just one line"], 1, "ChatAsync(client, lines [\"Just one line\"], onMessage)");
        await ReceivesWhileWaitingAsync(learnerChat);
        await ServerErrorAsync(learnerChat);
        await SendsNameAsync(learnerChatAs);
        await CancelledAsync(learnerChat);
    }

    private static async Task LeavesAsync(Func<ChatService.ChatServiceClient, IAsyncEnumerable<string>, Action<ChatMessage>, CancellationToken, Task> learnerChat,
        string[] lines, int toSend, string call)
    {
        await using var reference = await ReferenceChatService.StartAsync();
        var seen = new MessageLog();
        var run = Start(() => learnerChat(reference.Client, Lines(lines), seen.Add, CancellationToken.None));
        var chat = await ClientCallAsync(reference, run, call);
        var end = await RequestEndAsync(chat, run, call);
        var expectedLines = lines.Take(toSend).ToList();
        var sentTexts = chat.Received.Select(m => m.Text).ToList();
        if (!sentTexts.SequenceEqual(expectedLines))
        {
            var problem = sentTexts.Count > expectedLines.Count
                ? "a line that is \"exit\" (ignoring case and the spaces around it) leaves the chat: it is not sent, and neither is anything after it."
                : "every line before \"exit\" (or the end of the lines) should be sent, in order, as a ChatMessage with that Text.";
            throw GradingFailure.For(Exercises.ChatAsync, problem, call, Quote(expectedLines), Quote(sentTexts), hint: "send-lines-then-complete");
        }
        if (end != RequestEnd.Completed)
        {
            throw GradingFailure.For(Exercises.ChatAsync, "the call was cancelled instead of being left properly: complete the request stream (CompleteAsync), then wait for the server to end the call.", call,
                "the request stream completed after the last line", "the call cancelled", hint: "send-lines-then-complete");
        }
        await ReturnsAsync(run, call, "ChatAsync should return once the server has ended the call (it does so right after its goodbye).");
        var atReturn = seen.Snapshot();
        await chat.CallEnded.Task.WaitAsync(Patience);
        CheckDelivered(call, chat, atReturn, "ChatAsync returned before the server ended the call: the server's last messages had not reached onMessage yet. Wait for the end of the response stream before returning.", hint: "send-lines-then-complete");
    }

    /// <summary>The input gives its second line only once a message from another member has reached onMessage.</summary>
    private static async Task ReceivesWhileWaitingAsync(Func<ChatService.ChatServiceClient, IAsyncEnumerable<string>, Action<ChatMessage>, CancellationToken, Task> learnerChat)
    {
        const string call = "ChatAsync(client, lines, onMessage) where the user types \"Anyone here?\", then waits for an answer from Client(2) before typing \"Nice to meet you\"";
        await using var reference = await ReferenceChatService.StartAsync();
        var seen = new MessageLog();
        var answer = Line("Client(2)", "Hi Client(1)!");
        var waitedInVain = false;

        async IAsyncEnumerable<string> Typing([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return "Anyone here?";
            var served = reference.CallAsync(0);
            if (!await CompletesWithinAsync(served, Patience) || !await CompletesWithinAsync(served.Result.WhenReceived(1), Patience))
            {
                // The first line never reached the server; the checks after the call say so.
                yield break;
            }
            served.Result.Send(answer);
            if (!await CompletesWithinAsync(seen.WhenSeen(answer).WaitAsync(cancellationToken), ReceiveWait) || !seen.Contains(answer))
            {
                // The answer never reached onMessage while the user waited: stop typing, so the client can finish and the grader can say why.
                waitedInVain = true;
                yield break;
            }
            yield return "Nice to meet you";
        }

        var run = Start(() => learnerChat(reference.Client, Typing(), seen.Add, CancellationToken.None));
        var chat = await ClientCallAsync(reference, run, call);
        await RequestEndAsync(chat, run, call);
        if (waitedInVain)
        {
            throw GradingFailure.For(Exercises.ChatAsync, "messages should reach onMessage while the user is typing: receive beside the sending, not after it.", call,
                $"\"Client(2): Hi Client(1)!\" handed to onMessage while the input waits for the next line",
                $"not handed to onMessage within {ReceiveWait.TotalSeconds:0} s; the user, waiting for it, never typed the next line", hint: "receive-while-typing");
        }
        var sentTexts = chat.Received.Select(m => m.Text).ToList();
        if (!sentTexts.SequenceEqual(["Anyone here?", "Nice to meet you"]))
        {
            throw GradingFailure.For(Exercises.ChatAsync, "every line should be sent, in order.", call, Quote(["Anyone here?", "Nice to meet you"]), Quote(sentTexts), hint: "send-lines-then-complete");
        }
        await ReturnsAsync(run, call, "ChatAsync should return once the server has ended the call.");
        var atReturn = seen.Snapshot();
        await chat.CallEnded.Task.WaitAsync(Patience);
        CheckDelivered(call, chat, atReturn, "every message the server sent should reach onMessage, in order, before ChatAsync returns.", hint: "receive-while-typing");
    }

    /// <summary>The server ends the call with an error while the user is not typing: ChatAsync throws it, promptly.</summary>
    private static async Task ServerErrorAsync(Func<ChatService.ChatServiceClient, IAsyncEnumerable<string>, Action<ChatMessage>, CancellationToken, Task> learnerChat)
    {
        const string call = "ChatAsync(client, lines, onMessage) where the user types \"Hello?\" and then nothing, and the server ends the call with RESOURCE_EXHAUSTED";
        await using var reference = await ReferenceChatService.StartAsync();
        using var typingDone = new CancellationTokenSource();
        var seen = new MessageLog();
        var error = new Status(StatusCode.ResourceExhausted, "Client(1) fell too far behind and was disconnected.");
        var run = Start(() => learnerChat(reference.Client, Idle("Hello?", typingDone.Token), seen.Add, CancellationToken.None));
        try
        {
            var chat = await ClientCallAsync(reference, run, call);
            if (!await CompletesWithinAsync(chat.WhenReceived(1), Patience))
            {
                throw GradingFailure.For(Exercises.ChatAsync, "the first line never reached the server.", call, "\"Hello?\" sent", await RunText(run, "nothing sent"), hint: "send-lines-then-complete");
            }
            chat.EndWith(error);
            if (!await CompletesWithinAsync(run, Patience))
            {
                throw GradingFailure.For(Exercises.ChatAsync, "the server ended the call while the user was not typing, and ChatAsync went on waiting for the next line.", call,
                    "ChatAsync throws the server's RpcException (ResourceExhausted) at once",
                    $"still waiting {Patience.TotalSeconds:0} s later", hint: "server-ends-first");
            }
            try
            {
                await run;
                throw GradingFailure.For(Exercises.ChatAsync, "the server ended the call with an error: ChatAsync should throw it, not return as if all went well.", call,
                    "RpcException with StatusCode.ResourceExhausted", "ChatAsync returned", hint: "server-ends-first");
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
            {
            }
            catch (NotImplementedException ex)
            {
                throw NotStarted(Exercises.ChatAsync, ex.Message);
            }
            catch (Exception ex) when (ex is not GradingFailure)
            {
                throw GradingFailure.For(Exercises.ChatAsync, "the server's RpcException should reach the caller unchanged.", call,
                    "RpcException with StatusCode.ResourceExhausted", Describe(ex), hint: "server-ends-first");
            }
            await chat.CallEnded.Task.WaitAsync(Patience);
            CheckDelivered(call, chat, seen.Snapshot(), "the messages the server sent before the error should reach onMessage.", hint: "receive-while-typing");
        }
        finally
        {
            await typingDone.CancelAsync();
        }
    }

    /// <summary>Cancelling the caller's token (Ctrl+C in the demo) ends the call, even while the user is not typing.</summary>
    private static async Task CancelledAsync(Func<ChatService.ChatServiceClient, IAsyncEnumerable<string>, Action<ChatMessage>, CancellationToken, Task> learnerChat)
    {
        const string call = "ChatAsync(client, lines, onMessage, token) where the user types \"Bye for now\" and then nothing, and the token is cancelled";
        await using var reference = await ReferenceChatService.StartAsync();
        using var typingDone = new CancellationTokenSource();
        using var token = new CancellationTokenSource();
        var seen = new MessageLog();
        var run = Start(() => learnerChat(reference.Client, Idle("Bye for now", typingDone.Token), seen.Add, token.Token));
        try
        {
            var chat = await ClientCallAsync(reference, run, call);
            if (!await CompletesWithinAsync(chat.WhenReceived(1), Patience))
            {
                throw GradingFailure.For(Exercises.ChatAsync, "the first line never reached the server.", call, "\"Bye for now\" sent", await RunText(run, "nothing sent"), hint: "send-lines-then-complete");
            }
            await token.CancelAsync();
            if (!await CompletesWithinAsync(run, Patience))
            {
                throw GradingFailure.For(Exercises.ChatAsync, "the cancellation token was cancelled, and ChatAsync went on.", call,
                    "ChatAsync ends soon after the token is cancelled (the call is cancelled: pass the token to JoinChat)",
                    $"still running {Patience.TotalSeconds:0} s later", hint: "receive-while-typing");
            }
            if (run.Exception?.InnerException is { } failure and not OperationCanceledException and not RpcException { StatusCode: StatusCode.Cancelled })
            {
                throw failure is NotImplementedException ? NotStarted(Exercises.ChatAsync, failure.Message)
                    : GradingFailure.For(Exercises.ChatAsync, "ChatAsync failed in an unexpected way when the token was cancelled.", call,
                        "it returns, or throws OperationCanceledException or RpcException with StatusCode.Cancelled", Describe(failure), hint: "receive-while-typing");
            }
            if (!await CompletesWithinAsync(chat.RequestEnded.Task, Patience) || chat.RequestEnded.Task.Result != RequestEnd.Cancelled)
            {
                throw GradingFailure.For(Exercises.ChatAsync, "the server never saw the call cancelled: pass the cancellation token to JoinChat.", call,
                    "the call cancelled", chat.RequestEnded.Task.IsCompleted ? $"the request stream {chat.RequestEnded.Task.Result}" : "the call still open", hint: "receive-while-typing");
            }
        }
        finally
        {
            await typingDone.CancelAsync();
        }
    }

    /// <summary>Waits for the learner's call to reach the reference server; an untouched TODO is "not started".</summary>
    private static async Task<RecordedChat> ClientCallAsync(ReferenceChatService.Running reference, Task run, string call)
    {
        var first = reference.CallAsync(0);
        await Task.WhenAny(first, run).WaitAsync(Patience).ContinueWith(_ => { }, TaskScheduler.Default);
        if (first.IsCompletedSuccessfully)
        {
            return first.Result;
        }
        if (run.IsFaulted && run.Exception!.InnerException is NotImplementedException notImplemented)
        {
            throw NotStarted(Exercises.ChatAsync, notImplemented.Message);
        }
        throw GradingFailure.For(Exercises.ChatAsync, "ChatAsync made no JoinChat call.", call, "one JoinChat call", await RunText(run, "no call after " + Patience.TotalSeconds + " s"), hint: "receive-while-typing");
    }

    /// <summary>Waits for the request stream to end; a client that never completes it leaves the server waiting for ever.</summary>
    private static async Task<RequestEnd> RequestEndAsync(RecordedChat chat, Task run, string call)
    {
        if (await CompletesWithinAsync(chat.RequestEnded.Task, Patience))
        {
            return chat.RequestEnded.Task.Result;
        }
        _ = run.ContinueWith(t => t.Exception, TaskScheduler.Default);
        throw GradingFailure.For(Exercises.ChatAsync, "the server is still waiting for the end of the request stream, so the call can never end.", call,
            "the request stream completed (CompleteAsync) after the last line",
            $"{chat.Received.Count} line(s) received, then the stream stayed open for {Patience.TotalSeconds:0} s; {await RunText(run, "ChatAsync still running")}", hint: "send-lines-then-complete");
    }

    private static async Task ReturnsAsync(Task run, string call, string problem)
    {
        if (!await CompletesWithinAsync(run, Patience))
        {
            _ = run.ContinueWith(t => t.Exception, TaskScheduler.Default);
            throw GradingFailure.For(Exercises.ChatAsync, problem, call, "ChatAsync returns", $"still running {Patience.TotalSeconds:0} s after the request stream was completed", hint: "send-lines-then-complete");
        }
        try
        {
            await run;
        }
        catch (NotImplementedException ex)
        {
            throw NotStarted(Exercises.ChatAsync, ex.Message);
        }
        catch (Exception ex)
        {
            throw GradingFailure.For(Exercises.ChatAsync, "ChatAsync threw an exception although the server ended the call with OK.", call, "ChatAsync returns", Describe(ex), hint: "send-lines-then-complete");
        }
    }

    private static void CheckDelivered(string call, RecordedChat chat, IReadOnlyList<ChatMessage> seen, string problem, string hint)
    {
        var sent = chat.Sent;
        if (seen.Count != sent.Count || !seen.Zip(sent).All(pair => pair.First.Equals(pair.Second)))
        {
            throw GradingFailure.For(Exercises.ChatAsync, problem, call, $"onMessage gets {Describe(sent)}", $"onMessage got {Describe(seen)}", hint);
        }
    }

    private static async IAsyncEnumerable<string> Lines(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            await Task.Yield();
            yield return line;
        }
    }

    /// <summary>One line, then a user who types nothing more: the next line never comes (until the grader is done).</summary>
    private static async IAsyncEnumerable<string> Idle(string line, CancellationToken graderDone, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return line;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(graderDone, cancellationToken);
        await Task.Delay(Timeout.Infinite, either.Token);
    }

    private static async Task<string> RunText(Task run, string running)
    {
        await CompletesWithinAsync(run, TimeSpan.FromMilliseconds(100));
        return run.Status switch
        {
            TaskStatus.RanToCompletion => "ChatAsync returned",
            TaskStatus.Faulted => $"ChatAsync threw {Describe(run.Exception!.InnerException!)}",
            TaskStatus.Canceled => "ChatAsync was cancelled",
            _ => running,
        };
    }

    private static Task Start(Func<Task> code)
    {
        try
        {
            return code();
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    private static string Quote(IEnumerable<string> lines) => "[" + string.Join(", ", lines.Select(Quote)) + "]";

    private static string Describe(Exception ex) => Grade.DescribeException(ex);

    /// <summary>What the learner's onMessage was given, and a way to wait for one message.</summary>
    private sealed class MessageLog
    {
        private readonly List<ChatMessage> messages = [];
        private readonly List<(ChatMessage Message, TaskCompletionSource Signal)> waiters = [];

        public void Add(ChatMessage message)
        {
            List<TaskCompletionSource> ready;
            lock (messages)
            {
                messages.Add(message);
                ready = waiters.Where(w => w.Message.Equals(message)).Select(w => w.Signal).ToList();
                waiters.RemoveAll(w => w.Message.Equals(message));
            }
            ready.ForEach(signal => signal.TrySetResult());
        }

        public IReadOnlyList<ChatMessage> Snapshot()
        {
            lock (messages)
            {
                return messages.ToList();
            }
        }

        public bool Contains(ChatMessage message)
        {
            lock (messages)
            {
                return messages.Contains(message);
            }
        }

        public Task WhenSeen(ChatMessage message)
        {
            lock (messages)
            {
                if (messages.Contains(message))
                {
                    return Task.CompletedTask;
                }
                var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waiters.Add((message, signal));
                return signal.Task;
            }
        }
    }

    // ---------------------------------------------------------------- helpers for the room exercises

    /// <summary>Calls the learner's room; an untouched TODO is "not started", another exception a failure.</summary>
    private static T RoomCall<T>(Exercise exercise, string call, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (NotImplementedException ex)
        {
            throw NotStarted(exercise, ex.Message);
        }
        catch (Exception ex)
        {
            throw GradingFailure.Threw(exercise, call, "no exception", LearnerException.From(ex));
        }
    }

    private static void RoomCall(Exercise exercise, string call, Action action) => RoomCall(exercise, call, () =>
    {
        action();
        return true;
    });

    /// <summary>Broadcasts on another thread: Broadcast must return at once even when an outbox is full.</summary>
    private static async Task BroadcastWithinAsync(Exercise exercise, string call, IChatRoomUnderTest room, ChatMessage message, Action? release = null)
    {
        var broadcast = Task.Run(() => room.Broadcast(message));
        if (!await CompletesWithinAsync(broadcast, BroadcastWait))
        {
            // Let the stuck Broadcast finish, so it does not hold a thread for ever.
            release?.Invoke();
            _ = broadcast.ContinueWith(t => t.Exception, TaskScheduler.Default);
            throw GradingFailure.For(exercise, "Broadcast waited for a member that reads nothing: one slow member would stall the whole room.", call,
                "Broadcast returns at once; a member whose outbox is full is dropped", $"Broadcast({Describe(message)}) still running after {BroadcastWait.TotalSeconds:0} s", hint: "enqueue-under-lock");
        }
        try
        {
            await broadcast;
        }
        catch (NotImplementedException ex)
        {
            throw NotStarted(exercise, ex.Message);
        }
        catch (Exception ex)
        {
            throw GradingFailure.For(exercise, "Broadcast threw an exception.", call, "no exception", Grade.DescribeException(ex), hint: "collect-laggards");
        }
    }

    private static List<ChatMessage> Drain(IChatMemberUnderTest member)
    {
        var messages = new List<ChatMessage>();
        while (member.Outbox.TryRead(out var message))
        {
            messages.Add(message);
        }
        return messages;
    }

    private static void ExpectOutbox(Exercise exercise, string call, string who, IChatMemberUnderTest member, IReadOnlyList<ChatMessage> expected, string problem, string hint)
    {
        var actual = Drain(member);
        if (actual.Count != expected.Count || !actual.Zip(expected).All(pair => Same(pair.First, pair.Second)))
        {
            throw GradingFailure.For(exercise, problem, call, $"{who}'s outbox: {Describe(expected)}", $"{who}'s outbox: {Describe(actual)}", hint);
        }
    }

    private static void ExpectCount(Exercise exercise, string call, IChatRoomUnderTest room, int expected, string problem, string hint)
    {
        var count = room.Count;
        if (count != expected)
        {
            throw GradingFailure.For(exercise, problem, call, $"Count {expected}", $"Count {count}", hint);
        }
    }

    private static void ExpectNotDropped(Exercise exercise, string call, IEnumerable<IChatMemberUnderTest> members, string why, string hint)
    {
        if (members.FirstOrDefault(m => m.DropReason is not null) is { } dropped)
        {
            throw GradingFailure.For(exercise, $"{dropped.Name} was dropped, but {why}", call, "no member dropped", $"{dropped.Name} dropped: {Describe(dropped.DropReason)}", hint);
        }
    }

    private static void ExpectDropped(Exercise exercise, string call, string who, IChatMemberUnderTest member)
    {
        var reason = member.DropReason;
        if (reason is not { StatusCode: StatusCode.ResourceExhausted } || string.IsNullOrWhiteSpace(reason.Value.Detail))
        {
            throw GradingFailure.For(exercise, $"{who}'s outbox was full, so {who} should be dropped: member.Drop(new Status(StatusCode.ResourceExhausted, \"...\")) with a message that says why.", call,
                $"{who}'s DropReason: ResourceExhausted with a message", $"{who}'s DropReason: {Describe(reason)}", hint: "drop-laggard");
        }
    }

    // ---------------------------------------------------------------- messages

    private static ChatMessage Line(string user, string text, long? timestamp = null) =>
        new() { UserId = user, Text = text, Timestamp = timestamp ?? Now(), Kind = Kind.Message };

    private static ChatMessage Notice(string user, Kind kind, long? timestamp = null) =>
        new() { UserId = user, Text = kind == Kind.Joined ? JoinedText : LeftText, Timestamp = timestamp ?? Now(), Kind = kind };

    private static ChatMessage Joined(IChatMemberUnderTest member) => Notice(member.Name, Kind.Joined);

    private static ChatMessage Left(IChatMemberUnderTest member) => Notice(member.Name, Kind.Left);

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>The same message: a line exactly, a notice by kind, member and text (its timestamp is the room's).</summary>
    private static bool Same(ChatMessage actual, ChatMessage expected) => expected.Kind == Kind.Message
        ? actual.Equals(expected)
        : actual.Kind == expected.Kind && actual.UserId == expected.UserId && actual.Text == expected.Text;

    private static bool IsNotice(ChatMessage message, Kind kind, string member) =>
        message.Kind == kind && message.UserId == member && message.Text == (kind == Kind.Joined ? JoinedText : LeftText);

    /// <summary>A Unix timestamp whose local time of day is the one given (on a date without a daylight saving change).</summary>
    private static long LocalTime(int hour, int minute, int second) =>
        new DateTimeOffset(new DateTime(2024, 11, 14, hour, minute, second, DateTimeKind.Local)).ToUnixTimeSeconds();

    private static string LocalText(long timestamp) =>
        DateTimeOffset.FromUnixTimeSeconds(timestamp).ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Describe(ChatMessage message) => message.Kind switch
    {
        Kind.Message => $"{message.UserId}: {Quote(message.Text)}",
        Kind.Joined or Kind.Left => $"{message.UserId} {(message.Text is JoinedText or LeftText ? message.Text : Quote(message.Text))} ({Name(message.Kind)})",
        _ => $"{message.UserId}: {Quote(message.Text)} (kind {(int)message.Kind})",
    };

    /// <summary>What differs between the lines sent and the lines received, said first: long lists are shortened in the message.</summary>
    private static string Difference(IReadOnlyList<string> sent, IReadOnlyList<string> received)
    {
        var counts = received.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        static string Short(string text) => text.Length <= 24 ? $"\"{text}\"" : $"\"{text[..20]}...\" ({text.Length} characters)";
        var twice = counts.Where(c => c.Value > 1).Select(c => $"{Short(c.Key)} {c.Value} times").Take(3).ToList();
        var missing = sent.Where(t => !counts.ContainsKey(t)).Select(Short).Take(3).ToList();
        var parts = new List<string> { $"It got {received.Count} lines for {sent.Count} sent." };
        if (twice.Count > 0)
        {
            parts.Add($"Twice or more: {string.Join(", ", twice)}{(counts.Count(c => c.Value > 1) > 3 ? ", ..." : "")} (is something else writing to the stream too?).");
        }
        if (missing.Count > 0)
        {
            parts.Add($"Never: {string.Join(", ", missing)}{(sent.Count(t => !counts.ContainsKey(t)) > 3 ? ", ..." : "")}.");
        }
        if (twice.Count == 0 && missing.Count == 0)
        {
            var at = Enumerable.Range(0, sent.Count).First(i => sent[i] != received[i]);
            parts.Add($"The order differs first at line {at + 1}: {Short(received[at])} where {Short(sent[at])} was sent.");
        }
        return string.Join(" ", parts);
    }

    private static string Describe(IReadOnlyList<ChatMessage> messages) => messages.Count switch
    {
        0 => "nothing",
        <= 12 => "[" + string.Join(", ", messages.Select(Describe)) + "]",
        _ => "[" + string.Join(", ", messages.Take(5).Select(Describe)) + $", ... ({messages.Count - 7} more) ..., " + string.Join(", ", messages.TakeLast(2).Select(Describe)) + "]",
    };

    private static string Describe(Status? status) => status is { } s ? $"{s.StatusCode} \"{s.Detail}\"" : "null";

    private static string Name(Kind kind) => kind switch
    {
        Kind.Message => "KIND_MESSAGE",
        Kind.Joined => "KIND_JOINED",
        Kind.Left => "KIND_LEFT",
        _ => $"kind {(int)kind}",
    };

    /// <summary>A text in quotes; a long one by its beginning (the grader's long lines are "label|" and padding) and its length.</summary>
    private static string Quote(string text)
    {
        var bar = text.IndexOf('|', StringComparison.Ordinal);
        if (bar >= 0 && text.Length > bar + 1)
        {
            return $"\"{text[..bar]}...\" ({text.Length} characters)";
        }
        return text.Length <= 60 ? $"\"{text}\"" : $"\"{text[..40]}...\" ({text.Length} characters)";
    }

    // ---------------------------------------------------------------- shared

    /// <summary>
    /// "Not started" for an untouched TODO. When the TODO that threw is another exercise's (JoinChat
    /// calls the room, and Leave needs Broadcast), the message says which one to do first.
    /// </summary>
    private static NotStartedException NotStarted(Exercise exercise, string? detail)
    {
        // The starter's TODO says which exercise it is ("TODO 5.1: Broadcast").
        var match = TodoPattern().Match(detail ?? "");
        if (!match.Success || ChapterCatalog.Current.FindExercise(match.Groups["id"].Value) is not { } needed || needed == exercise)
        {
            return NotStartedException.For(exercise);
        }
        return new NotStartedException($"{NotStartedException.For(needed).Message} Exercise {exercise.Id} ({exercise.Name}) needs that code, so it is graded once {needed.Id} is done.");
    }

    /// <summary>True when the task ends (in any way) within the time; it is not awaited for its result.</summary>
    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan time)
    {
        try
        {
            await task.WaitAsync(time);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            return false;
        }
        catch (Exception)
        {
        }
        return true;
    }

    [GeneratedRegex(@"TODO (?<id>5\.\d+)")]
    private static partial Regex TodoPattern();
}
