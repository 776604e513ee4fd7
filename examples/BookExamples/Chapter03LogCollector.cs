using Grpc.Core;
using StreamingTutorial.BookExamples.Protos;

namespace StreamingTutorial.BookExamples;

/// <summary>Chapters 3 and 4's example: the client streams log lines, the server answers once.</summary>
public sealed class LogCollectorService : LogCollector.LogCollectorBase
{
    // snippet: collect
    public override async Task<LogSummary> Collect(IAsyncStreamReader<LogLine> requestStream, ServerCallContext context)
    {
        var summary = new LogSummary();
        // One line per turn; the loop ends when the client completes its stream.
        await foreach (var line in requestStream.ReadAllAsync(context.CancellationToken))
        {
            if (line.Text.Length > 10_000)
            {
                // Throwing mid-stream ends the call: the client's ResponseAsync gets this status.
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"Line {summary.Lines + 1} is longer than 10,000 characters."));
            }
            summary.Lines += 1;
            summary.Characters += line.Text.Length; // an int64: a long log never wraps around
            if (line.Level == "error")
            {
                summary.Errors += 1;
            }
        }
        return summary;
    }
    // end snippet
}

public static class LogClientExamples
{
    // snippet: collect-client
    public static async Task<LogSummary> SendLogAsync(LogCollector.LogCollectorClient collector, IEnumerable<(string Level, string Text)> log)
    {
        using var upload = collector.Collect(deadline: DateTime.UtcNow.AddSeconds(30));
        foreach (var (level, text) in log)
        {
            // One write at a time: each is awaited before the next starts.
            await upload.RequestStream.WriteAsync(new LogLine { Level = level, Text = text });
        }
        // "That was the last one": without it the server waits for more, and so do we.
        await upload.RequestStream.CompleteAsync();
        return await upload.ResponseAsync;
    }
    // end snippet

    // snippet: collect-as-they-come
    public static async Task<LogSummary> FollowLogAsync(LogCollector.LogCollectorClient collector, IAsyncEnumerable<LogLine> tail, CancellationToken stop)
    {
        using var upload = collector.Collect(cancellationToken: stop);
        // Each line goes out as soon as the source produces it; nothing is gathered first.
        await foreach (var line in tail.WithCancellation(stop))
        {
            await upload.RequestStream.WriteAsync(line, stop);
        }
        await upload.RequestStream.CompleteAsync();
        return await upload.ResponseAsync;
    }
    // end snippet
}
