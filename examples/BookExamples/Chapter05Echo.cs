using System.Threading.Channels;
using Grpc.Core;
using StreamingTutorial.BookExamples.Protos;

namespace StreamingTutorial.BookExamples;

/// <summary>Chapter 5's example: both sides stream at once.</summary>
public sealed class EchoService : Echo.EchoBase
{
    // snippet: shout
    public override async Task Shout(IAsyncStreamReader<Phrase> requestStream, IServerStreamWriter<Phrase> responseStream, ServerCallContext context)
    {
        // Only this handler writes to this stream, and it awaits each write: never two at once.
        await foreach (var phrase in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new Phrase { Text = phrase.Text.ToUpperInvariant() + "!" });
        }
    }
    // end snippet
}

// snippet: mailbox
/// <summary>
/// A queue many threads may put into and one loop takes out of: the shape of a per-member
/// outbox. Bounded, and TryWrite never waits, so a full mailbox is a decision, not a stall.
/// </summary>
public sealed class Mailbox
{
    private readonly Channel<string> letters = Channel.CreateBounded<string>(new BoundedChannelOptions(capacity: 3)
    {
        FullMode = BoundedChannelFullMode.Wait, // with TryWrite, "full" means false at once
        SingleReader = true,
    });

    public bool TryPost(string letter) => letters.Writer.TryWrite(letter);

    public void Close() => letters.Writer.TryComplete();

    public async Task DeliverAllAsync(Func<string, Task> deliver)
    {
        // Ends once Close has been called and every letter already posted is delivered.
        await foreach (var letter in letters.Reader.ReadAllAsync())
        {
            await deliver(letter);
        }
    }
}
// end snippet

public static class EchoClientExamples
{
    // snippet: shout-client
    public static async Task<List<string>> ShoutAllAsync(Echo.EchoClient echo, IEnumerable<string> phrases)
    {
        var heard = new List<string>();
        using var conversation = echo.Shout();
        // Listen first, without awaiting: answers arrive while we are still talking.
        var listening = Task.Run(async () =>
        {
            await foreach (var answer in conversation.ResponseStream.ReadAllAsync())
            {
                lock (heard)
                {
                    heard.Add(answer.Text);
                }
            }
        });
        foreach (var text in phrases)
        {
            await conversation.RequestStream.WriteAsync(new Phrase { Text = text });
        }
        await conversation.RequestStream.CompleteAsync();
        // The server ends the call after our last phrase; then the listening loop ends too.
        await listening;
        return heard;
    }
    // end snippet
}
