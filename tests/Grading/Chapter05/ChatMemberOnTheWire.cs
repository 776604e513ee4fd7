using Grpc.Core;
using Grpc.Net.Client;
using StreamingTutorial.Protos.Chat;

namespace StreamingTutorial.Grading.Chapter05;

/// <summary>
/// One member of the learner's chat room as the grader plays it: a JoinChat call on its own
/// channel (so members never share an HTTP/2 connection and its flow control), and a reader
/// that records every message it receives and how the call ended. A stalled member does not
/// read until <see cref="StartReading"/>.
/// </summary>
internal sealed class ChatMemberOnTheWire : IDisposable
{
    private readonly AsyncDuplexStreamingCall<ChatMessage, ChatMessage> call;
    private readonly CancellationTokenSource cancel = new();
    private readonly TaskCompletionSource reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Status> ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<ChatMessage> received = [];
    private readonly List<(Func<IReadOnlyList<ChatMessage>, bool> Condition, TaskCompletionSource<bool> Signal)> waiters = [];

    public ChatMemberOnTheWire(int number, GrpcChannel channel, bool reads)
    {
        Number = number;
        call = new ChatService.ChatServiceClient(channel).JoinChat(cancellationToken: cancel.Token);
        if (reads)
        {
            reading.TrySetResult();
        }
        _ = Task.Run(ReadAsync);
    }

    /// <summary>The member's place in join order, from 1: the server should call it Client(Number).</summary>
    public int Number { get; }

    public string Label => $"member {Number}";

    /// <summary>The name the server should give this member.</summary>
    public string ExpectedName => $"Client({Number})";

    /// <summary>How the response stream ended: OK, or the call's error status.</summary>
    public Task<Status> Ended => ended.Task;

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

    public void StartReading() => reading.TrySetResult();

    /// <summary>True once what has been received satisfies the condition; false if the call ends or the time runs out first.</summary>
    public async Task<bool> WaitForAsync(Func<IReadOnlyList<ChatMessage>, bool> condition, TimeSpan timeout)
    {
        TaskCompletionSource<bool> signal;
        lock (received)
        {
            if (condition(received))
            {
                return true;
            }
            if (ended.Task.IsCompleted)
            {
                return false;
            }
            signal = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((condition, signal));
        }
        try
        {
            return await signal.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            lock (received)
            {
                waiters.RemoveAll(w => w.Signal == signal);
                return condition(received);
            }
        }
    }

    /// <summary>Writes a message; false if the call has ended (or the write did not finish in time).</summary>
    public async Task<bool> TrySendAsync(ChatMessage message, TimeSpan timeout)
    {
        try
        {
            await call.RequestStream.WriteAsync(message).WaitAsync(timeout);
            return true;
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or OperationCanceledException or TimeoutException or IOException)
        {
            return false;
        }
    }

    /// <summary>Completes the request stream: the member leaves the way a client should.</summary>
    public async Task<bool> TryCompleteAsync(TimeSpan timeout)
    {
        try
        {
            await call.RequestStream.CompleteAsync().WaitAsync(timeout);
            return true;
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or OperationCanceledException or TimeoutException or IOException)
        {
            return false;
        }
    }

    /// <summary>Cancels the call, as a client does when its user closes the program.</summary>
    public void Cancel() => cancel.Cancel();

    public void Dispose()
    {
        cancel.Cancel();
        call.Dispose();
        cancel.Dispose();
    }

    private async Task ReadAsync()
    {
        Status status;
        try
        {
            await reading.Task;
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                Add(call.ResponseStream.Current);
            }
            status = call.GetStatus();
        }
        catch (RpcException ex)
        {
            // The learner's handler threw: keep its type, message and line for the failure.
            status = LearnerException.From(ex) is { } thrown ? new Status(ex.StatusCode, $"your code threw {thrown.Text}") : ex.Status;
        }
        catch (Exception ex)
        {
            status = new Status(StatusCode.Unknown, $"{ex.GetType().Name}: {ex.Message}");
        }
        List<TaskCompletionSource<bool>> left;
        lock (received)
        {
            ended.TrySetResult(status);
            left = waiters.Select(w => w.Signal).ToList();
            waiters.Clear();
        }
        left.ForEach(signal => signal.TrySetResult(false));
    }

    private void Add(ChatMessage message)
    {
        List<TaskCompletionSource<bool>> ready;
        lock (received)
        {
            received.Add(message);
            ready = waiters.Where(w => w.Condition(received)).Select(w => w.Signal).ToList();
            waiters.RemoveAll(w => ready.Contains(w.Signal));
        }
        ready.ForEach(signal => signal.TrySetResult(true));
    }
}
