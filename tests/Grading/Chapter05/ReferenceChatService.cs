using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Protos.Chat;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.Grading.Chapter05;

/// <summary>How a client's request stream ended, as the reference server saw it.</summary>
public enum RequestEnd
{
    /// <summary>The client completed its request stream: it left the chat properly.</summary>
    Completed,

    /// <summary>The call was cancelled or broke before the client completed its stream.</summary>
    Cancelled,

    /// <summary>The server ended the call first (<see cref="RecordedChat.EndWith"/>).</summary>
    EndedByServer,
}

/// <summary>
/// One JoinChat call the reference server served: what the client sent, what the server
/// wrote back, how the request stream ended. The grader can make "other members" speak
/// (<see cref="Send"/>) and end the call with an error (<see cref="EndWith"/>).
/// </summary>
public sealed class RecordedChat
{
    private readonly Channel<ChatMessage> outgoing = Channel.CreateUnbounded<ChatMessage>();
    private readonly CancellationTokenSource endedByServer = new();
    private readonly List<ChatMessage> received = [];
    private readonly List<ChatMessage> sent = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> waiters = [];

    /// <summary>Set when the request stream has ended, however it ended.</summary>
    public TaskCompletionSource<RequestEnd> RequestEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when the handler has returned: the call is over on the server's side.</summary>
    public TaskCompletionSource CallEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The status the grader asked the server to end the call with, if any.</summary>
    public Status? EndStatus { get; private set; }

    /// <summary>What the client sent, in order.</summary>
    public IReadOnlyList<ChatMessage> Received
    {
        get
        {
            lock (received)
            {
                return received.ToList();
            }
        }
    }

    /// <summary>What the server wrote to the client's response stream, in order.</summary>
    public IReadOnlyList<ChatMessage> Sent
    {
        get
        {
            lock (sent)
            {
                return sent.ToList();
            }
        }
    }

    internal ChannelReader<ChatMessage> Outgoing => outgoing.Reader;

    internal CancellationToken EndedByServer => endedByServer.Token;

    /// <summary>Writes a message to the client (after what is already queued).</summary>
    public void Send(ChatMessage message) => outgoing.Writer.TryWrite(message);

    /// <summary>Ends the call with an error, at once, even while the client is not sending.</summary>
    public void EndWith(Status status)
    {
        EndStatus = status;
        endedByServer.Cancel();
    }

    /// <summary>Completes once the client has sent at least <paramref name="count"/> messages.</summary>
    public Task WhenReceived(int count)
    {
        lock (received)
        {
            if (received.Count >= count)
            {
                return Task.CompletedTask;
            }
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((count, signal));
            return signal.Task;
        }
    }

    internal void RecordReceived(ChatMessage message)
    {
        List<TaskCompletionSource> ready;
        lock (received)
        {
            received.Add(message);
            ready = waiters.Where(w => w.Count <= received.Count).Select(w => w.Signal).ToList();
            waiters.RemoveAll(w => w.Count <= received.Count);
        }
        ready.ForEach(signal => signal.TrySetResult());
    }

    internal void RecordSent(ChatMessage message)
    {
        lock (sent)
        {
            sent.Add(message);
        }
    }

    internal void CloseOutgoing() => outgoing.Writer.TryComplete();
}

/// <summary>
/// The chat server a learner's 5.5 client is graded against. It names its one member
/// <see cref="MemberName"/>, sends it its join notice, echoes each message back as the room
/// would (from the member, with the server's time), and when the client completes its stream
/// it takes <see cref="GoodbyeDelay"/> to send a leave notice and end the call with OK: a
/// client that returns before the server has ended the call misses the notice.
/// </summary>
public sealed class ReferenceChatService(ChatCallLog log, CancellationToken stop) : ChatService.ChatServiceBase
{
    public const string MemberName = "Client(1)";

    /// <summary>How long the server takes to say goodbye after the client has left.</summary>
    public static readonly TimeSpan GoodbyeDelay = TimeSpan.FromMilliseconds(300);

    public static ChatMessage Notice(string member, Kind kind) => new()
    {
        UserId = member,
        Text = kind == Kind.Joined ? "has joined the chat" : "has left the chat",
        Timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        Kind = kind,
    };

    public override async Task JoinChat(IAsyncStreamReader<ChatMessage> requestStream, IServerStreamWriter<ChatMessage> responseStream, ServerCallContext context)
    {
        var call = log.Begin();
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, call.EndedByServer, stop);
        // The writer ends when the outbox is closed (below) or a write fails because the client has
        // gone: ending the call with an error still sends what is queued first. Its writes take only
        // the grader's stop token, never the call's: grpc-dotnet resets the stream (RST_STREAM CANCEL)
        // when a write's token fires, and on TestServer that reset can reach a client that cancelled
        // before its own cancellation does, as UNAVAILABLE, where real HTTP/2 gives it CANCELLED.
        var writing = WriteAsync(call, responseStream, stop);
        call.Send(Notice(MemberName, Kind.Joined));
        try
        {
            await foreach (var message in requestStream.ReadAllAsync(reading.Token))
            {
                call.RecordReceived(message);
                call.Send(new ChatMessage { UserId = MemberName, Text = message.Text, Timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() });
            }
            call.RequestEnded.TrySetResult(RequestEnd.Completed);
            await Task.Delay(GoodbyeDelay, reading.Token);
            call.Send(Notice(MemberName, Kind.Left));
        }
        catch (Exception) when (call.EndStatus is not null)
        {
            call.RequestEnded.TrySetResult(RequestEnd.EndedByServer);
        }
        catch (Exception)
        {
            call.RequestEnded.TrySetResult(RequestEnd.Cancelled);
            throw new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."));
        }
        finally
        {
            call.CloseOutgoing();
            try
            {
                await writing;
            }
            catch (Exception)
            {
                // The client has gone; nothing more can reach it.
            }
            call.CallEnded.TrySetResult();
        }
        if (call.EndStatus is { } status)
        {
            throw new RpcException(status);
        }
    }

    private static async Task WriteAsync(RecordedChat call, IServerStreamWriter<ChatMessage> responseStream, CancellationToken cancellationToken)
    {
        await foreach (var message in call.Outgoing.ReadAllAsync(CancellationToken.None))
        {
            await responseStream.WriteAsync(message, cancellationToken);
            call.RecordSent(message);
        }
    }

    /// <summary>A running reference server, the calls it served and a client to it.</summary>
    public sealed class Running(GrpcTestHost host, ChatCallLog log, CancellationTokenSource stop) : IAsyncDisposable
    {
        public ChatService.ChatServiceClient Client { get; } = new(host.CreateChannel());

        /// <summary>Completes with the server's call number <paramref name="index"/> (from 0) once it has started.</summary>
        public Task<RecordedChat> CallAsync(int index) => log.CallAsync(index);

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await host.DisposeAsync();
            stop.Dispose();
        }
    }

    public static async Task<Running> StartAsync()
    {
        var log = new ChatCallLog();
        var stop = new CancellationTokenSource();
        var service = new ReferenceChatService(log, stop.Token);
        var host = await Grade.HostAsync<ReferenceChatService>(services => services.AddSingleton(service));
        return new Running(host, log, stop);
    }
}

/// <summary>The calls a reference server has started, in order, and a signal for each.</summary>
public sealed class ChatCallLog
{
    private readonly List<TaskCompletionSource<RecordedChat>> calls = [];
    private int started;

    public RecordedChat Begin()
    {
        var call = new RecordedChat();
        Slot(Interlocked.Increment(ref started) - 1).TrySetResult(call);
        return call;
    }

    public Task<RecordedChat> CallAsync(int index) => Slot(index).Task;

    private TaskCompletionSource<RecordedChat> Slot(int index)
    {
        lock (calls)
        {
            while (calls.Count <= index)
            {
                calls.Add(new TaskCompletionSource<RecordedChat>(TaskCreationOptions.RunContinuationsAsynchronously));
            }
            return calls[index];
        }
    }
}
