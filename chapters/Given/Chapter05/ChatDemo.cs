using System.Threading.Channels;
using StreamingTutorial.DemoHost;

namespace StreamingTutorial.Chapter05;

/// <summary>
/// The chapter's scripted demo (the program's <c>demo</c> mode): alice and bob join the room one
/// after the other, say three lines, each once the other has seen the previous one, and leave.
/// Every line either member's screen shows is printed with the member's name in front.
/// </summary>
public static class ChatDemo
{
    /// <summary>How long the demo waits for anything it expects before it gives up (exit code 1).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <param name="join">A member's chat under a name: the chapter's ChatClient over the program's channel.</param>
    public static async Task RunAsync(Func<string, ChatSession> join, CancellationToken cancellationToken)
    {
        Console.WriteLine("Two members join the room, alice and then bob, each as a client of its own:");
        await using var alice = Member.Join("alice", join, cancellationToken);
        await alice.WaitForAsync("her own arrival", l => l.Contains("has joined", StringComparison.Ordinal));
        await using var bob = Member.Join("bob", join, cancellationToken);
        await bob.WaitForAsync("his own arrival", l => l.Contains("has joined", StringComparison.Ordinal));
        // Each line is said once the previous one has reached the other member: the room relays every line to everyone.
        foreach (var (speaker, listener, text) in new[]
        {
            (alice, bob, "Hello, is anyone here?"),
            (bob, alice, "Hi! Every message reaches every member."),
            (alice, bob, "Even while we both type. Bye!"),
        })
        {
            speaker.Say(text);
            await listener.WaitForAsync($"\"{text}\"", l => l.Contains(text, StringComparison.Ordinal));
        }
        await alice.LeaveAsync();
        await bob.LeaveAsync();
    }

    /// <summary>A scripted member: its lines go in through a queue, what its screen shows is printed and can be waited for.</summary>
    private sealed class Member : IAsyncDisposable
    {
        private readonly Channel<string> lines = Channel.CreateUnbounded<string>();
        private readonly Channel<string> screen = Channel.CreateUnbounded<string>();
        private readonly CancellationTokenSource stop;
        private Task chat = Task.CompletedTask;

        private Member(string name, CancellationToken cancellationToken)
        {
            Name = name;
            stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        }

        public string Name { get; }

        public static Member Join(string name, Func<string, ChatSession> join, CancellationToken cancellationToken)
        {
            var member = new Member(name, cancellationToken);
            member.chat = member.RunAsync(join(name));
            return member;
        }

        private async Task RunAsync(ChatSession session)
        {
            try
            {
                await session(lines.Reader.ReadAllAsync(stop.Token), Show, stop.Token);
            }
            finally
            {
                screen.Writer.TryComplete();
            }
        }

        private void Show(string line)
        {
            Console.WriteLine($"{Name,-5} | {line}");
            screen.Writer.TryWrite(line);
        }

        public void Say(string text) => lines.Writer.TryWrite(text);

        /// <summary>Returns once the member's screen shows a matching line; throws when it does not within <see cref="Patience"/>, or the chat ended first.</summary>
        public async Task WaitForAsync(string what, Func<string, bool> match)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            timeout.CancelAfter(Patience);
            try
            {
                await foreach (var line in screen.Reader.ReadAllAsync(timeout.Token))
                {
                    if (match(line))
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                throw new DemoFailedException($"{Name} did not see {what} within {Patience.TotalSeconds:0} seconds.");
            }
            // The chat ended: its own error (the server went away, say) says more than a missing line.
            await chat;
            throw new DemoFailedException($"{Name}'s chat ended before {Name} saw {what}.");
        }

        /// <summary>Says <c>exit</c> and waits for the server to end the member's call.</summary>
        public async Task LeaveAsync()
        {
            lines.Writer.TryComplete();
            try
            {
                await chat.WaitAsync(Patience, stop.Token);
            }
            catch (TimeoutException)
            {
                throw new DemoFailedException($"{Name} did not leave within {Patience.TotalSeconds:0} seconds.");
            }
            Console.WriteLine($"{Name,-5} | (left the chat)");
        }

        public async ValueTask DisposeAsync()
        {
            // A member still in the room (the demo failed or was stopped) leaves by cancelling its call.
            await stop.CancelAsync();
            try
            {
                await chat;
            }
            catch (Exception)
            {
                // Its error is not the demo's story: the one that stopped the demo is reported.
            }
            stop.Dispose();
        }
    }
}
