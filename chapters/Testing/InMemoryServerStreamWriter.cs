using System.Threading.Channels;
using Grpc.Core;

namespace StreamingTutorial.Testing;

/// <summary>
/// The response stream of a server-streaming or bidirectional call, in memory: hand it to the
/// service method in place of the real one, then look at what the service wrote.
/// <code>
/// var responses = new InMemoryServerStreamWriter&lt;TimeUpdate&gt;();
/// await service.GetTimeUpdates(request, responses, context);
/// Assert.That(responses.Written, Has.Count.EqualTo(3));
/// </code>
/// For a call that is still running (a chat room), <see cref="ReadNextAsync"/> waits for the next message.
/// </summary>
public sealed class InMemoryServerStreamWriter<T> : IServerStreamWriter<T>
    where T : class
{
    private readonly Lock gate = new();
    private readonly List<T> written = [];
    private readonly Channel<T> unread = Channel.CreateUnbounded<T>();
    private bool completed;

    /// <summary>What the service set as the options of its next writes (gRPC lets a service ask for no compression, for example).</summary>
    public WriteOptions? WriteOptions { get; set; }

    /// <summary>Every message written so far, in order.</summary>
    public IReadOnlyList<T> Written
    {
        get
        {
            lock (gate)
            {
                return written.ToList();
            }
        }
    }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    public async Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            // A real call refuses writes once it is over; so does this one, so the bug shows in a test.
            if (completed)
            {
                throw new InvalidOperationException("The service wrote a message after its call was over.");
            }
            written.Add(message);
            unread.Writer.TryWrite(message);
        }
        // A real write is asynchronous: the service's method returns to the test at its first
        // write, even if it then loops for ever, and the test can go on to read and cancel.
        await Task.Yield();
    }

    /// <summary>
    /// Waits for the next message the test has not read yet (each message is read once), or fails
    /// after <paramref name="timeout"/> (default 5 seconds) with a message saying so.
    /// </summary>
    public async Task<T> ReadNextAsync(TimeSpan? timeout = null)
    {
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            return await unread.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No message was written within {(timeout ?? TimeSpan.FromSeconds(5)).TotalSeconds:0.#} s.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The call is over and every message it wrote has been read.");
        }
    }

    /// <summary>Ends the call: call it when the service method has returned; a later write then throws.</summary>
    public void Complete()
    {
        lock (gate)
        {
            completed = true;
            unread.Writer.TryComplete();
        }
    }
}
