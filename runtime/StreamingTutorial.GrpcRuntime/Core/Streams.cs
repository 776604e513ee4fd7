using System.Runtime.CompilerServices;

namespace Grpc.Core;

/// <summary>Reads a stream of messages one at a time.</summary>
public interface IAsyncStreamReader<out T>
{
    /// <summary>The message that the last successful <see cref="MoveNext"/> read.</summary>
    T Current { get; }

    /// <summary>Reads the next message; false at the end of the stream.</summary>
    Task<bool> MoveNext(CancellationToken cancellationToken);
}

/// <summary>Writes a stream of messages, one write at a time.</summary>
public interface IAsyncStreamWriter<in T>
{
    /// <summary>Options for the following writes.</summary>
    WriteOptions? WriteOptions { get; set; }

    /// <summary>Writes one message. Only one write may be pending at a time.</summary>
    Task WriteAsync(T message);

    /// <summary>Writes one message, observing the token.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            throw new NotSupportedException("This writer does not support a cancellation token.");
        }
        return WriteAsync(message);
    }
}

/// <summary>The request stream of a client-streaming or bidirectional call.</summary>
public interface IClientStreamWriter<in T> : IAsyncStreamWriter<T>
{
    /// <summary>Tells the server that no more requests will come.</summary>
    Task CompleteAsync();
}

/// <summary>The response stream of a server-streaming or bidirectional call, on the server.</summary>
public interface IServerStreamWriter<in T> : IAsyncStreamWriter<T>
{
}

/// <summary>Extensions for stream readers.</summary>
public static class AsyncStreamReaderExtensions
{
    /// <summary>Reads every message of the stream: <c>await foreach (var m in call.ResponseStream.ReadAllAsync())</c>.</summary>
    public static IAsyncEnumerable<T> ReadAllAsync<T>(this IAsyncStreamReader<T> streamReader, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(streamReader);
        return ReadAllAsyncCore(streamReader, cancellationToken);
    }

    private static async IAsyncEnumerable<T> ReadAllAsyncCore<T>(IAsyncStreamReader<T> streamReader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await streamReader.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return streamReader.Current;
        }
    }
}

/// <summary>Older convenience extensions for streams, kept for code written against them.</summary>
public static class AsyncStreamExtensions
{
    /// <summary>Reads the next message without a cancellation token.</summary>
    public static Task<bool> MoveNext<T>(this IAsyncStreamReader<T> streamReader)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(streamReader);
        return streamReader.MoveNext(CancellationToken.None);
    }

    /// <summary>Runs an action for every message of the stream, one at a time.</summary>
    public static async Task ForEachAsync<T>(this IAsyncStreamReader<T> streamReader, Func<T, Task> asyncAction)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(asyncAction);
        while (await streamReader.MoveNext().ConfigureAwait(false))
        {
            await asyncAction(streamReader.Current).ConfigureAwait(false);
        }
    }

    /// <summary>Reads every message of the stream into a list.</summary>
    public static async Task<List<T>> ToListAsync<T>(this IAsyncStreamReader<T> streamReader)
        where T : class
    {
        var result = new List<T>();
        while (await streamReader.MoveNext().ConfigureAwait(false))
        {
            result.Add(streamReader.Current);
        }
        return result;
    }

    /// <summary>Writes every element, then (by default) completes the request stream.</summary>
    public static async Task WriteAllAsync<T>(this IClientStreamWriter<T> streamWriter, IEnumerable<T> elements, bool complete = true)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(streamWriter);
        ArgumentNullException.ThrowIfNull(elements);
        foreach (var element in elements)
        {
            await streamWriter.WriteAsync(element).ConfigureAwait(false);
        }
        if (complete)
        {
            await streamWriter.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes every element to a server's response stream.</summary>
    public static async Task WriteAllAsync<T>(this IServerStreamWriter<T> streamWriter, IEnumerable<T> elements)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(streamWriter);
        ArgumentNullException.ThrowIfNull(elements);
        foreach (var element in elements)
        {
            await streamWriter.WriteAsync(element).ConfigureAwait(false);
        }
    }
}
