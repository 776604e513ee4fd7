using System.Globalization;
using System.Threading.Channels;
using Grpc.Core;
using StreamingTutorial.Chapter05;
using StreamingTutorial.Graders.Chapter05;
using StreamingTutorial.Grading;
using StreamingTutorial.Grading.Chapter05;
using StreamingTutorial.Protos.Chat;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.GraderProofs;

// Many of these mutants are caught by a 5 or 10 second wait for something that never happens;
// each grader runs its own servers, so the cases run side by side instead of one after another.
[TestFixture]
[Category("GraderProofs")]
[Parallelizable(ParallelScope.Children)]
public class Chapter05Proofs
{
    private static LearnersChatRoom SolutionRoom(int maxPendingMessages) => new(new ChatRoom(maxPendingMessages));

    /// <summary>The solution, wired as the grader project wires the learner's code.</summary>
    private static IEnumerable<TestCaseData> SolutionChecks() => Proof.SolutionCases(Chapter05Grader.Checks(new Chapter05Code<ChatServiceImpl, ChatRoom>(
        CreateRoomUnderTest: SolutionRoom,
        CreateRoom: maxPendingMessages => new ChatRoom(maxPendingMessages),
        MembersInRoom: room => room.Count,
        MaxTextLength: ChatRoom.MaxTextLength,
        FormatLine: ChatClient.FormatLine,
        ChatAsync: ChatClient.ChatAsync)));

    [TestCaseSource(nameof(SolutionChecks))]
    public Task The_solution_passes_every_check(Check check) => check.Run();

    [TestCaseSource(nameof(Mutants))]
    public Task Each_mutant_fails_its_grader(Mutant mutant) => Proof.MutantIsCaughtAsync(mutant);

    private static IEnumerable<TestCaseData> Mutants() => new Mutant[]
    {
        new(Exercises.Broadcast, "ignores a full outbox: the member misses messages and is never dropped", () => Chapter05Grader.BroadcastAsync(capacity => new IgnoresFullOutbox(capacity))),
        new(Exercises.Broadcast, "waits for room in a full outbox, so one slow member stalls the room", () => Chapter05Grader.BroadcastAsync(capacity => new WaitsForRoom(capacity))),
        new(Exercises.Broadcast, "drops a member without telling the others", () => Chapter05Grader.BroadcastAsync(capacity => new DropsSilently(capacity))),
        new(Exercises.Broadcast, "announces a dropped member again when it was dropped by a notice already", () => Chapter05Grader.BroadcastAsync(capacity => new AnnouncesDropTwice(capacity))),
        new(Exercises.Broadcast, "drops with CANCELLED instead of RESOURCE_EXHAUSTED", () => Chapter05Grader.BroadcastAsync(capacity => new DropsWithCancelled(capacity))),
        new(Exercises.Broadcast, "drops a member but leaves it in the member table", () => Chapter05Grader.BroadcastAsync(capacity => new DropsButKeeps(capacity))),
        new(Exercises.Leave, "forgets the leave notice", () => Chapter05Grader.LeaveAsync(capacity => new ForgetsLeaveNotice(capacity))),
        new(Exercises.Leave, "announces every Leave, even a second one or one after a drop", () => Chapter05Grader.LeaveAsync(capacity => new AnnouncesEveryLeave(capacity))),
        new(Exercises.Leave, "does not close the outbox, so the member's writer waits for ever", () => Chapter05Grader.LeaveAsync(capacity => new KeepsOutboxOpen(capacity))),
        new(Exercises.Leave, "tells the leaving member too (broadcasts before removing it)", () => Chapter05Grader.LeaveAsync(capacity => new TellsTheLeaver(capacity))),
        new(Exercises.Leave, "empties the outbox instead of letting the writer send what is queued", () => Chapter05Grader.LeaveAsync(capacity => new DiscardsQueued(capacity))),
        new(Exercises.JoinChat, "one lock held while writing to every member's stream in turn: a slow member stalls the room", () => JoinChatAsync<SharedLockChatService, SharedLockRoom>(_ => new SharedLockRoom(), room => room.Count)),
        new(Exercises.JoinChat, "writes to every member's stream straight from the sender's call, ignoring failed writes (no writer per member)", () => JoinChatAsync<ConcurrentWritesChatService, ConcurrentWritesRoom>(_ => new ConcurrentWritesRoom(catchFailedWrites: true), room => room.Count)),
        new(Exercises.JoinChat, "writes to every member's stream straight from the sender's call (no writer per member)", () => JoinChatAsync<ConcurrentWritesChatService, ConcurrentWritesRoom>(_ => new ConcurrentWritesRoom(catchFailedWrites: false), room => room.Count)),
        new(Exercises.JoinChat, "names senders from Client(0)", () => JoinChatAsync<NumbersFromZero>()),
        new(Exercises.JoinChat, "broadcasts every line twice (the failure names the lines that came twice)", () => JoinChatAsync<BroadcastsTwice>()),
        new(Exercises.JoinChat, "trusts the user_id the client sends", () => JoinChatAsync<TrustsUserId>()),
        new(Exercises.JoinChat, "passes the client's message on with only the name replaced (its timestamp and kind stay)", () => JoinChatAsync<PassesMessageOn>()),
        new(Exercises.JoinChat, "leaves only when the client completes its stream: a cancelled member stays in the room", () => JoinChatAsync<LeavesOnlyWhenCompleted>()),
        new(Exercises.JoinChat, "writes nothing until the client stops sending", () => JoinChatAsync<WritesAfterReading>()),
        new(Exercises.JoinChat, "ignores member.Dropped, so a dropped member's call stays open", () => JoinChatAsync<IgnoresDropped>()),
        new(Exercises.JoinChat, "ends a dropped member's call with OK", () => JoinChatAsync<DroppedEndsWithOk>()),
        new(Exercises.JoinChat, "accepts lines of any length", () => JoinChatAsync<AcceptsAnyLength>()),
        new(Exercises.JoinChat, "rejects a line of exactly MaxTextLength characters", () => JoinChatAsync<RejectsLongestAllowed>()),
        new(Exercises.JoinChat, "copies the outbox into a queue without limit, so a member that reads nothing is never dropped", () => JoinChatAsync<UnboundedQueue>()),
        new(Exercises.FormatLine, "uses the 12-hour clock", () => Chapter05Grader.FormatLineAsync(m => Format(m, "hh:mm:ss", noticeColon: false))),
        new(Exercises.FormatLine, "puts a colon after the name on notices too", () => Chapter05Grader.FormatLineAsync(m => Format(m, "HH:mm:ss", noticeColon: true))),
        new(Exercises.FormatLine, "does not pad with zeros", () => Chapter05Grader.FormatLineAsync(m => Format(m, "H:m:s", noticeColon: false))),
        new(Exercises.ChatAsync, "receives only after sending every line", () => Chapter05Grader.ChatAsync((c, l, o, t, n) => FlawedChatAsync(c, l, o, t, n, ClientFlaw.ReceivesAfterSending))),
        new(Exercises.ChatAsync, "never completes its request stream", () => Chapter05Grader.ChatAsync((c, l, o, t, n) => FlawedChatAsync(c, l, o, t, n, ClientFlaw.NeverCompletes))),
        new(Exercises.ChatAsync, "cancels the call instead of completing its request stream", () => Chapter05Grader.ChatAsync((c, l, o, t, n) => FlawedChatAsync(c, l, o, t, n, ClientFlaw.CancelsInsteadOfCompleting))),
        new(Exercises.ChatAsync, "sends \"exit\" like any other line", () => Chapter05Grader.ChatAsync((c, l, o, t, n) => FlawedChatAsync(c, l, o, t, n, ClientFlaw.IgnoresExit))),
        new(Exercises.ChatAsync, "recognises only \"exit\" exactly, not \"  EXIT \"", () => Chapter05Grader.ChatAsync((c, l, o, t, n) => FlawedChatAsync(c, l, o, t, n, ClientFlaw.ExactExitOnly))),
        new(Exercises.ChatAsync, "returns right after completing its stream, before the server ends the call", () => Chapter05Grader.ChatAsync((c, l, o, t, n) => FlawedChatAsync(c, l, o, t, n, ClientFlaw.ReturnsEarly))),
        new(Exercises.ChatAsync, "keeps waiting for the next line after the server ended the call", () => Chapter05Grader.ChatAsync((c, l, o, t, n) => FlawedChatAsync(c, l, o, t, n, ClientFlaw.KeepsWaitingForInput))),
        new(Exercises.ChatAsync, "swallows the server's error", () => Chapter05Grader.ChatAsync((c, l, o, t, n) => FlawedChatAsync(c, l, o, t, n, ClientFlaw.SwallowsError))),
        new(Exercises.ChatAsync, "does not pass the cancellation token to the call", () => Chapter05Grader.ChatAsync((c, l, o, t, n) => FlawedChatAsync(c, l, o, t, n, ClientFlaw.IgnoresToken))),
    }.Select(m => m.ToTestCase());

    private static Task JoinChatAsync<TService>()
        where TService : ChatServiceImpl =>
        JoinChatAsync<TService, ChatRoom>(capacity => new ChatRoom(capacity), room => room.Count);

    private static Task JoinChatAsync<TService, TRoom>(Func<int, TRoom> createRoom, Func<TRoom, int> count)
        where TService : ChatService.ChatServiceBase
        where TRoom : class =>
        Chapter05Grader.JoinChatAsync<TService, TRoom>(createRoom, count, ChatRoom.MaxTextLength);

    // ------------------------------------------------------------ 5.1 and 5.2: rooms
    // The solution's room, with Broadcast and Leave made virtual so each mutant changes one of them.

    private class MutantRoom(int maxPendingMessages) : IChatRoomUnderTest
    {
        protected readonly Lock Gate = new();
        protected readonly Dictionary<int, ChatMember> Members = [];
        private int lastNumber;

        protected int MaxPendingMessages => maxPendingMessages;

        public int Count
        {
            get
            {
                lock (Gate)
                {
                    return Members.Count;
                }
            }
        }

        public IChatMemberUnderTest Join()
        {
            lock (Gate)
            {
                var member = new ChatMember(++lastNumber, maxPendingMessages);
                Members.Add(member.Number, member);
                Broadcast(ChatRoom.Notice(member, Kind.Joined));
                return new Wrapped(member);
            }
        }

        public void Leave(IChatMemberUnderTest member) => Leave(((Wrapped)member).Inner);

        public virtual void Broadcast(ChatMessage message)
        {
            lock (Gate)
            {
                var behind = Members.Values.Where(m => !m.TryEnqueue(message)).ToList();
                foreach (var member in behind)
                {
                    if (Members.Remove(member.Number))
                    {
                        member.Drop(TooFarBehind(member));
                        Broadcast(ChatRoom.Notice(member, Kind.Left));
                    }
                }
            }
        }

        protected virtual void Leave(ChatMember member)
        {
            lock (Gate)
            {
                if (Members.Remove(member.Number))
                {
                    member.CloseOutbox();
                    Broadcast(ChatRoom.Notice(member, Kind.Left));
                }
            }
        }

        protected Status TooFarBehind(ChatMember member) =>
            new(StatusCode.ResourceExhausted, $"{member.Name} fell more than {maxPendingMessages} messages behind.");

        private sealed class Wrapped(ChatMember inner) : IChatMemberUnderTest
        {
            public ChatMember Inner { get; } = inner;

            public string Name => Inner.Name;

            public ChannelReader<ChatMessage> Outbox => Inner.Outbox;

            public Status? DropReason => Inner.DropReason;
        }
    }

    private sealed class IgnoresFullOutbox(int capacity) : MutantRoom(capacity)
    {
        public override void Broadcast(ChatMessage message)
        {
            lock (Gate)
            {
                foreach (var member in Members.Values)
                {
                    member.TryEnqueue(message);
                }
            }
        }
    }

    private sealed class WaitsForRoom(int capacity) : MutantRoom(capacity)
    {
        public override void Broadcast(ChatMessage message)
        {
            lock (Gate)
            {
                foreach (var member in Members.Values)
                {
                    SpinWait.SpinUntil(() => member.TryEnqueue(message));
                }
            }
        }
    }

    private sealed class DropsSilently(int capacity) : MutantRoom(capacity)
    {
        public override void Broadcast(ChatMessage message)
        {
            lock (Gate)
            {
                foreach (var member in Members.Values.Where(m => !m.TryEnqueue(message)).ToList())
                {
                    Members.Remove(member.Number);
                    member.Drop(TooFarBehind(member));
                }
            }
        }
    }

    /// <summary>The natural first attempt: a member dropped by a notice is still in the loop's list, and is announced again.</summary>
    private sealed class AnnouncesDropTwice(int capacity) : MutantRoom(capacity)
    {
        public override void Broadcast(ChatMessage message)
        {
            lock (Gate)
            {
                foreach (var member in Members.Values.ToList())
                {
                    if (!member.TryEnqueue(message))
                    {
                        Members.Remove(member.Number);
                        member.Drop(TooFarBehind(member));
                        Broadcast(ChatRoom.Notice(member, Kind.Left));
                    }
                }
            }
        }
    }

    private sealed class DropsWithCancelled(int capacity) : MutantRoom(capacity)
    {
        public override void Broadcast(ChatMessage message)
        {
            lock (Gate)
            {
                foreach (var member in Members.Values.Where(m => !m.TryEnqueue(message)).ToList())
                {
                    if (Members.Remove(member.Number))
                    {
                        member.Drop(new Status(StatusCode.Cancelled, "Too slow."));
                        Broadcast(ChatRoom.Notice(member, Kind.Left));
                    }
                }
            }
        }
    }

    private sealed class DropsButKeeps(int capacity) : MutantRoom(capacity)
    {
        public override void Broadcast(ChatMessage message)
        {
            lock (Gate)
            {
                foreach (var member in Members.Values.Where(m => !m.TryEnqueue(message)).ToList())
                {
                    if (member.DropReason is null)
                    {
                        member.Drop(TooFarBehind(member));
                        Broadcast(ChatRoom.Notice(member, Kind.Left));
                    }
                }
            }
        }
    }

    private sealed class ForgetsLeaveNotice(int capacity) : MutantRoom(capacity)
    {
        protected override void Leave(ChatMember member)
        {
            lock (Gate)
            {
                if (Members.Remove(member.Number))
                {
                    member.CloseOutbox();
                }
            }
        }
    }

    private sealed class AnnouncesEveryLeave(int capacity) : MutantRoom(capacity)
    {
        protected override void Leave(ChatMember member)
        {
            lock (Gate)
            {
                Members.Remove(member.Number);
                member.CloseOutbox();
                Broadcast(ChatRoom.Notice(member, Kind.Left));
            }
        }
    }

    private sealed class KeepsOutboxOpen(int capacity) : MutantRoom(capacity)
    {
        protected override void Leave(ChatMember member)
        {
            lock (Gate)
            {
                if (Members.Remove(member.Number))
                {
                    Broadcast(ChatRoom.Notice(member, Kind.Left));
                }
            }
        }
    }

    private sealed class TellsTheLeaver(int capacity) : MutantRoom(capacity)
    {
        protected override void Leave(ChatMember member)
        {
            lock (Gate)
            {
                if (Members.ContainsKey(member.Number))
                {
                    Broadcast(ChatRoom.Notice(member, Kind.Left));
                    Members.Remove(member.Number);
                    member.CloseOutbox();
                }
            }
        }
    }

    private sealed class DiscardsQueued(int capacity) : MutantRoom(capacity)
    {
        protected override void Leave(ChatMember member)
        {
            lock (Gate)
            {
                if (Members.Remove(member.Number))
                {
                    while (member.Outbox.TryRead(out _))
                    {
                    }
                    member.CloseOutbox();
                    Broadcast(ChatRoom.Notice(member, Kind.Left));
                }
            }
        }
    }

    // ------------------------------------------------------------ 5.3: services
    // The solution's JoinChat with hooks; each mutant turns one of them the wrong way.

    private abstract class JoinChatMutant(ChatRoom chatRoom) : ChatServiceImpl(chatRoom)
    {
        private readonly ChatRoom room = chatRoom;

        protected virtual bool WritesWhileReading => true;

        protected virtual bool StopsWhenDropped => true;

        protected virtual bool LeavesInFinally => true;

        protected virtual bool EndsWithDropReason => true;

        protected virtual bool TooLong(string text) => text.Length > ChatRoom.MaxTextLength;

        protected virtual int Copies => 1;

        protected virtual ChatMessage Relay(ChatMember member, ChatMessage sent) =>
            new() { UserId = member.Name, Text = sent.Text, Timestamp = ChatRoom.Now() };

        public override async Task JoinChat(IAsyncStreamReader<ChatMessage> requestStream, IServerStreamWriter<ChatMessage> responseStream, ServerCallContext context)
        {
            var member = room.Join();
            var writing = WritesWhileReading ? WriteOutboxAsync(member, responseStream) : Task.CompletedTask;
            using var stopReading = StopsWhenDropped
                ? CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, member.Dropped)
                : CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            try
            {
                await foreach (var message in requestStream.ReadAllAsync(stopReading.Token))
                {
                    if (TooLong(message.Text))
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, "The message is too long."));
                    }
                    for (var copy = 0; copy < Copies; copy++)
                    {
                        room.Broadcast(Relay(member, message));
                    }
                }
                if (!LeavesInFinally)
                {
                    room.Leave(member);
                }
            }
            catch (OperationCanceledException) when (member.DropReason is not null)
            {
            }
            finally
            {
                if (LeavesInFinally)
                {
                    room.Leave(member);
                }
                if (!WritesWhileReading)
                {
                    writing = WriteOutboxAsync(member, responseStream);
                }
                await writing;
            }
            if (EndsWithDropReason && member.DropReason is { } reason)
            {
                throw new RpcException(reason);
            }
        }

        protected virtual async Task WriteOutboxAsync(ChatMember member, IServerStreamWriter<ChatMessage> responseStream)
        {
            await foreach (var message in member.Outbox.ReadAllAsync())
            {
                await responseStream.WriteAsync(message);
            }
        }
    }

    private sealed class BroadcastsTwice(ChatRoom room) : JoinChatMutant(room)
    {
        protected override int Copies => 2;
    }

    private sealed class NumbersFromZero(ChatRoom room) : JoinChatMutant(room)
    {
        protected override ChatMessage Relay(ChatMember member, ChatMessage sent) =>
            new() { UserId = $"Client({member.Number - 1})", Text = sent.Text, Timestamp = ChatRoom.Now() };
    }

    private sealed class TrustsUserId(ChatRoom room) : JoinChatMutant(room)
    {
        protected override ChatMessage Relay(ChatMember member, ChatMessage sent) =>
            new() { UserId = sent.UserId.Length > 0 ? sent.UserId : member.Name, Text = sent.Text, Timestamp = ChatRoom.Now() };
    }

    private sealed class PassesMessageOn(ChatRoom room) : JoinChatMutant(room)
    {
        protected override ChatMessage Relay(ChatMember member, ChatMessage sent)
        {
            sent.UserId = member.Name;
            return sent;
        }
    }

    private sealed class LeavesOnlyWhenCompleted(ChatRoom room) : JoinChatMutant(room)
    {
        protected override bool LeavesInFinally => false;
    }

    private sealed class WritesAfterReading(ChatRoom room) : JoinChatMutant(room)
    {
        protected override bool WritesWhileReading => false;
    }

    private sealed class IgnoresDropped(ChatRoom room) : JoinChatMutant(room)
    {
        protected override bool StopsWhenDropped => false;
    }

    private sealed class DroppedEndsWithOk(ChatRoom room) : JoinChatMutant(room)
    {
        protected override bool EndsWithDropReason => false;
    }

    private sealed class AcceptsAnyLength(ChatRoom room) : JoinChatMutant(room)
    {
        protected override bool TooLong(string text) => false;
    }

    private sealed class RejectsLongestAllowed(ChatRoom room) : JoinChatMutant(room)
    {
        protected override bool TooLong(string text) => text.Length >= ChatRoom.MaxTextLength;
    }

    /// <summary>Moves each message out of the bounded outbox at once into a queue of its own: the room never sees the member fall behind.</summary>
    private sealed class UnboundedQueue(ChatRoom room) : JoinChatMutant(room)
    {
        protected override async Task WriteOutboxAsync(ChatMember member, IServerStreamWriter<ChatMessage> responseStream)
        {
            var queue = Channel.CreateUnbounded<ChatMessage>();
            var moving = Task.Run(async () =>
            {
                await foreach (var message in member.Outbox.ReadAllAsync())
                {
                    queue.Writer.TryWrite(message);
                }
                queue.Writer.TryComplete();
            });
            await foreach (var message in queue.Reader.ReadAllAsync())
            {
                await responseStream.WriteAsync(message);
            }
            await moving;
        }
    }

    /// <summary>A member of the hand-made rooms below: its name and its call's response stream.</summary>
    private sealed record StreamMember(int Number, IServerStreamWriter<ChatMessage> Stream)
    {
        public string Name => $"Client({Number})";
    }

    /// <summary>
    /// The broadcaster of the chat server the chapter started from: one lock, held while the
    /// message is written to every member's stream in turn. Right while everyone reads; a
    /// member that stops reading blocks its write, the lock, and so the whole room.
    /// </summary>
    private sealed class SharedLockRoom
    {
        private readonly SemaphoreSlim gate = new(1, 1);
        private readonly List<StreamMember> members = [];
        private int lastNumber;

        public int Count
        {
            get
            {
                lock (members)
                {
                    return members.Count;
                }
            }
        }

        public async Task<StreamMember> JoinAsync(IServerStreamWriter<ChatMessage> stream)
        {
            StreamMember member;
            lock (members)
            {
                member = new StreamMember(++lastNumber, stream);
                members.Add(member);
            }
            await BroadcastAsync(new ChatMessage { UserId = member.Name, Text = "has joined the chat", Timestamp = ChatRoom.Now(), Kind = Kind.Joined });
            return member;
        }

        public async Task LeaveAsync(StreamMember member)
        {
            lock (members)
            {
                if (!members.Remove(member))
                {
                    return;
                }
            }
            await BroadcastAsync(new ChatMessage { UserId = member.Name, Text = "has left the chat", Timestamp = ChatRoom.Now(), Kind = Kind.Left });
        }

        public async Task BroadcastAsync(ChatMessage message)
        {
            await gate.WaitAsync();
            try
            {
                List<StreamMember> everyone;
                lock (members)
                {
                    everyone = members.ToList();
                }
                foreach (var member in everyone)
                {
                    try
                    {
                        await member.Stream.WriteAsync(message);
                    }
                    catch (Exception)
                    {
                        // That member's own call cleans up after it.
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private sealed class SharedLockChatService(SharedLockRoom room) : ChatService.ChatServiceBase
    {
        public override async Task JoinChat(IAsyncStreamReader<ChatMessage> requestStream, IServerStreamWriter<ChatMessage> responseStream, ServerCallContext context)
        {
            var member = await room.JoinAsync(responseStream);
            try
            {
                await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
                {
                    if (message.Text.Length > ChatRoom.MaxTextLength)
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, "The message is too long."));
                    }
                    await room.BroadcastAsync(new ChatMessage { UserId = member.Name, Text = message.Text, Timestamp = ChatRoom.Now() });
                }
            }
            finally
            {
                await room.LeaveAsync(member);
            }
        }
    }

    /// <summary>
    /// No writer per member: each sender's call writes the message to every member's stream
    /// itself. Two senders at once make two writes on one stream, which grpc-dotnet refuses
    /// (InvalidOperationException); and a member that stops reading blocks its senders.
    /// </summary>
    private sealed class ConcurrentWritesRoom(bool catchFailedWrites)
    {
        private readonly List<StreamMember> members = [];
        private int lastNumber;

        public int Count
        {
            get
            {
                lock (members)
                {
                    return members.Count;
                }
            }
        }

        public async Task<StreamMember> JoinAsync(IServerStreamWriter<ChatMessage> stream)
        {
            StreamMember member;
            lock (members)
            {
                member = new StreamMember(++lastNumber, stream);
                members.Add(member);
            }
            await BroadcastAsync(new ChatMessage { UserId = member.Name, Text = "has joined the chat", Timestamp = ChatRoom.Now(), Kind = Kind.Joined });
            return member;
        }

        public async Task LeaveAsync(StreamMember member)
        {
            lock (members)
            {
                if (!members.Remove(member))
                {
                    return;
                }
            }
            await BroadcastAsync(new ChatMessage { UserId = member.Name, Text = "has left the chat", Timestamp = ChatRoom.Now(), Kind = Kind.Left });
        }

        public async Task BroadcastAsync(ChatMessage message)
        {
            List<StreamMember> everyone;
            lock (members)
            {
                everyone = members.ToList();
            }
            foreach (var member in everyone)
            {
                try
                {
                    await member.Stream.WriteAsync(message);
                }
                catch (Exception) when (catchFailedWrites)
                {
                }
            }
        }
    }

    private sealed class ConcurrentWritesChatService(ConcurrentWritesRoom room) : ChatService.ChatServiceBase
    {
        public override async Task JoinChat(IAsyncStreamReader<ChatMessage> requestStream, IServerStreamWriter<ChatMessage> responseStream, ServerCallContext context)
        {
            var member = await room.JoinAsync(responseStream);
            try
            {
                await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
                {
                    if (message.Text.Length > ChatRoom.MaxTextLength)
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, "The message is too long."));
                    }
                    await room.BroadcastAsync(new ChatMessage { UserId = member.Name, Text = message.Text, Timestamp = ChatRoom.Now() });
                }
            }
            finally
            {
                await room.LeaveAsync(member);
            }
        }
    }

    // ------------------------------------------------------------ 5.4 and 5.5: client

    private static string Format(ChatMessage message, string timeFormat, bool noticeColon)
    {
        var time = DateTimeOffset.FromUnixTimeSeconds(message.Timestamp).ToLocalTime().ToString(timeFormat, CultureInfo.InvariantCulture);
        return message.Kind == Kind.Message || noticeColon
            ? $"[{time}] {message.UserId}: {message.Text}"
            : $"[{time}] {message.UserId} {message.Text}";
    }

    private enum ClientFlaw
    {
        ReceivesAfterSending,
        NeverCompletes,
        CancelsInsteadOfCompleting,
        IgnoresExit,
        ExactExitOnly,
        ReturnsEarly,
        KeepsWaitingForInput,
        SwallowsError,
        IgnoresToken,
    }

    /// <summary>The solution's ChatAsync with one flaw.</summary>
    private static async Task FlawedChatAsync(ChatService.ChatServiceClient client, IAsyncEnumerable<string> lines, Action<ChatMessage> onMessage, CancellationToken cancellationToken, string? name, ClientFlaw flaw)
    {
        var call = client.JoinChat(cancellationToken: flaw == ClientFlaw.IgnoresToken ? CancellationToken.None : cancellationToken);
        using var callOver = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task ReceiveAsync() => ReceiveAllAsync(call.ResponseStream, onMessage, flaw == ClientFlaw.KeepsWaitingForInput ? null : callOver);
        var receiving = flaw == ClientFlaw.ReceivesAfterSending ? null : ReceiveAsync();
        try
        {
            await foreach (var line in lines.WithCancellation(callOver.Token))
            {
                var exit = flaw switch
                {
                    ClientFlaw.IgnoresExit => false,
                    ClientFlaw.ExactExitOnly => line == "exit",
                    _ => string.Equals(line.Trim(), "exit", StringComparison.OrdinalIgnoreCase),
                };
                if (exit)
                {
                    break;
                }
                await call.RequestStream.WriteAsync(new ChatMessage { UserId = name ?? "", Text = line }, callOver.Token);
            }
            switch (flaw)
            {
                case ClientFlaw.NeverCompletes:
                    break;
                case ClientFlaw.CancelsInsteadOfCompleting:
                    call.Dispose();
                    break;
                default:
                    await call.RequestStream.CompleteAsync();
                    break;
            }
        }
        catch (Exception) when (callOver.IsCancellationRequested)
        {
        }
        if (flaw == ClientFlaw.ReturnsEarly)
        {
            return;
        }
        try
        {
            await (receiving ?? ReceiveAsync());
        }
        catch (RpcException) when (flaw is ClientFlaw.SwallowsError or ClientFlaw.CancelsInsteadOfCompleting)
        {
        }
        finally
        {
            call.Dispose();
        }
    }

    private static async Task ReceiveAllAsync(IAsyncStreamReader<ChatMessage> responses, Action<ChatMessage> onMessage, CancellationTokenSource? callOver)
    {
        try
        {
            await foreach (var message in responses.ReadAllAsync())
            {
                onMessage(message);
            }
        }
        finally
        {
            callOver?.Cancel();
        }
    }
}
