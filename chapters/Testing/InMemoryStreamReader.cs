using System.Threading.Channels;
using Grpc.Core;

namespace StreamingTutorial.Testing;

/// <summary>
/// The request stream of a client-streaming or bidirectional call, in memory: the messages a
/// client would send, for a service method to read.
/// <code>
/// var requests = InMemoryStreamReader.Of(new NumberRequest { Num = 1 }, new NumberRequest { Num = 2 });
/// var reply = await service.SumNumbers(requests, context);
/// </code>
/// <see cref="InMemoryStreamReader.Of{T}"/> gives a stream that is already complete. For a
/// stream that stays open while the test looks at the service (a chat member), create one with
/// <c>new()</c>, <see cref="Add"/> messages over time and <see cref="Complete"/> it to hang up.
/// </summary>
public sealed class InMemoryStreamReader<T> : IAsyncStreamReader<T>
    where T : class
{
    private readonly Channel<T> messages = Channel.CreateUnbounded<T>();
    private T? current;

    /// <summary>The message the last successful <see cref="MoveNext"/> read.</summary>
    public T Current => current ?? throw new InvalidOperationException("Call MoveNext first: there is no current message yet.");

    /// <summary>How many messages the service has read so far.</summary>
    public int ReadCount { get; private set; }

    /// <summary>Sends a message to the service, as a client would.</summary>
    public void Add(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!messages.Writer.TryWrite(message))
        {
            throw new InvalidOperationException("The stream is already complete: add messages before calling Complete.");
        }
    }

    /// <summary>Ends the stream, as a client does when it has sent everything: MoveNext then returns false.</summary>
    public void Complete() => messages.Writer.TryComplete();

    /// <summary>Ends the stream with an error, as when the client's connection breaks: MoveNext then throws it.</summary>
    public void Fail(Exception error) => messages.Writer.TryComplete(error);

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        // Like a real call: waits for the client's next message, and a cancelled call stops the wait.
        if (!await messages.Reader.WaitToReadAsync(cancellationToken))
        {
            return false;
        }
        if (!messages.Reader.TryRead(out var message))
        {
            return await MoveNext(cancellationToken);
        }
        current = message;
        ReadCount++;
        return true;
    }
}

/// <summary>Shorthands for <see cref="InMemoryStreamReader{T}"/>.</summary>
public static class InMemoryStreamReader
{
    /// <summary>A request stream holding these messages, already complete.</summary>
    public static InMemoryStreamReader<T> Of<T>(params IEnumerable<T> messages)
        where T : class
    {
        var reader = new InMemoryStreamReader<T>();
        foreach (var message in messages)
        {
            reader.Add(message);
        }
        reader.Complete();
        return reader;
    }
}
