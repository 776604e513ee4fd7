using Grpc.Core;
using StreamingTutorial.Protos.Chat;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.Chapter05;

/// <summary>
/// The room that every member's call shares: who is in it, and the broadcast to all of them.
/// One instance serves the whole server (it is registered as a singleton in Program.cs).
/// </summary>
public sealed class ChatRoom(int maxPendingMessages = ChatRoom.DefaultMaxPendingMessages)
{
    /// <summary>How many messages a member may fall behind before the room drops it.</summary>
    public const int DefaultMaxPendingMessages = 256;

    /// <summary>The longest message text the room accepts, in characters.</summary>
    public const int MaxTextLength = 4096;

    public const string JoinedText = "has joined the chat";
    public const string LeftText = "has left the chat";

    /// <summary>The longest name a member may choose, in characters.</summary>
    public const int MaxNameLength = 32;

    // Guards the member table. It is only ever held for quick work that never waits:
    // adding, removing, and putting messages in outboxes. Never hold it across a network write.
    private readonly Lock gate = new();
    private readonly Dictionary<int, ChatMember> members = [];
    private int lastNumber;

    public int MaxPendingMessages { get; } = maxPendingMessages;

    /// <summary>How many members are in the room now.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return members.Count;
            }
        }
    }

    /// <summary>The server's clock as the protocol carries it: seconds since the Unix epoch.</summary>
    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>A join or leave notice about a member.</summary>
    public static ChatMessage Notice(ChatMember member, Kind kind) => new()
    {
        UserId = member.Name,
        Text = kind == Kind.Joined ? JoinedText : LeftText,
        Timestamp = Now(),
        Kind = kind,
    };

    /// <summary>
    /// Adds a member, numbered in join order, and tells everyone, the newcomer included:
    /// the first message a member receives is its own join notice, which tells it its name.
    /// </summary>
    public ChatMember Join()
    {
        lock (gate)
        {
            var member = new ChatMember(++lastNumber, MaxPendingMessages);
            members.Add(member.Number, member);
            Broadcast(Notice(member, Kind.Joined));
            return member;
        }
    }

    /// <summary>
    /// Settles a member's name on its first line: the user_id it sent becomes its name when it
    /// is a usable name (1 to <see cref="MaxNameLength"/> characters, no control or
    /// direction-changing characters, not a number of the form <c>Client(N)</c>) that no other
    /// member has, ignoring case. Otherwise the member keeps its number. (Its join notice went out
    /// under its number; its lines and its leave notice carry the settled name.) Later calls do
    /// nothing, so a member can never change its name in the middle of a chat or speak under
    /// another member's name.
    /// </summary>
    public void SettleName(ChatMember member, string requestedName)
    {
        lock (gate)
        {
            if (!members.ContainsKey(member.Number) || !member.SettleName())
            {
                return;
            }
            var name = requestedName.Trim();
            if (!IsUsableName(name) || members.Values.Any(other => string.Equals(other.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                return;
            }
            member.Rename(name);
        }
    }

    private static bool IsUsableName(string name) =>
        name.Length is > 0 and <= MaxNameLength
        && !name.Any(c => char.IsControl(c) || c is '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
        // Client(N) names are the room's numbers: taking one would speak for a member yet to come.
        && !(name.StartsWith("Client(", StringComparison.OrdinalIgnoreCase) && name.EndsWith(')') && name[7..^1].All(char.IsAsciiDigit));

    // Exercise 5.1
    /// <summary>
    /// Puts a message in every member's outbox, without waiting for anyone. A member whose
    /// outbox is full is dropped with RESOURCE_EXHAUSTED, and the others hear that it left.
    /// </summary>
    public void Broadcast(ChatMessage message)
    {
        // TODO 5.1: put the message in every member's outbox without waiting for anyone
        //           (member.TryEnqueue), holding the room's lock (gate) while you do.
        //           - A member whose outbox is full has fallen MaxPendingMessages behind: drop it.
        //             It leaves the room, its call ends with the status for "too much" and a message
        //             that says why (member.Drop), and the others hear that it left (a Notice).
        //           - A notice can make another member fall behind too; drop it the same way, once.
        throw new NotImplementedException("TODO 5.1: Broadcast");
    }

    // Exercise 5.2
    /// <summary>
    /// Removes a member and tells the others. Safe to call more than once, and for a member
    /// the room has already dropped: only the first removal sends the notice.
    /// </summary>
    public void Leave(ChatMember member)
    {
        // TODO 5.2: take the member out of the room, holding the room's lock: its writer sends
        //           what is queued and then stops (member.CloseOutbox), and the others hear that it left.
        //           The member that left does not get its own notice.
        //           If the member is not in the room any more (it left already, or Broadcast dropped
        //           it), do nothing: the others heard about it once.
        throw new NotImplementedException("TODO 5.2: Leave");
    }
}
