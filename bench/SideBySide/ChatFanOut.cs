using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Grpc.Net.Client;
using StreamingTutorial.Chapter05;
using StreamingTutorial.Protos.Chat;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.Bench;

/// <summary>
/// Scenario e: a room of members, each one call of the chapter 5 reference client
/// (<see cref="ChatClient.ChatAsync"/>) on one channel, against the chapter 5 reference server.
/// One member speaks; every member (the speaker too) hears every line. A line's delivery
/// latency is the time from the moment the speaker hands it to its call to the moment a
/// member receives it. The speaker keeps at most <c>window</c> lines in flight (sent but not
/// yet heard by everyone), so no member falls behind the room's outbox limit and is dropped.
/// </summary>
internal sealed class ChatFanOut
{
    private readonly int members;
    private readonly int warmup;
    private readonly int total;
    private readonly long[] sentAt;
    private readonly int[] heardBy;
    private readonly LatencyRecorder[] latencies;
    private readonly long[] lastHeard;
    private readonly int[] firstSeen;
    private readonly SemaphoreSlim window;
    private readonly TaskCompletionSource everyoneJoined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource warmupHeard = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource allHeard = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int joined;
    private int linesHeardByAll;
    private long measureStart;

    private ChatFanOut(int members, int warmup, int messages, int window)
    {
        this.members = members;
        this.warmup = warmup;
        total = warmup + messages;
        sentAt = new long[total];
        heardBy = new int[total];
        latencies = [.. Enumerable.Range(0, members).Select(_ => new LatencyRecorder(messages))];
        lastHeard = new long[members];
        firstSeen = new int[members];
        this.window = new SemaphoreSlim(window, window);
        if (warmup == 0)
        {
            warmupHeard.TrySetResult();
        }
    }

    public static async Task<ScenarioResult> RunAsync(GrpcChannel channel, CommandLine options)
    {
        var members = options.GetInt("members", 100);
        var messages = options.GetInt("count", 1000);
        var fanOut = new ChatFanOut(members, options.GetInt("warmup-count", 100), messages, options.GetInt("window", 10));
        var client = new ChatService.ChatServiceClient(channel);
        using var abort = new CancellationTokenSource();
        var calls = new Task[members];
        for (var i = 0; i < members; i++)
        {
            var member = i;
            var lines = member == 0 ? fanOut.SpeakerLines(abort.Token) : fanOut.ListenerLines(abort.Token);
            calls[i] = ChatClient.ChatAsync(client, lines, message => fanOut.OnMessage(member, message), abort.Token);
            // One failed member (dropped by the room, say) would leave the speaker waiting forever.
            _ = calls[i].ContinueWith(_ => abort.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        await Task.WhenAll(calls);
        var all = new LatencyRecorder(members * messages);
        foreach (var recorder in fanOut.latencies)
        {
            all.AddAll(recorder);
        }
        if (all.Count != (long)members * messages)
        {
            throw new InvalidOperationException($"{all.Count} deliveries, expected {members} x {messages}.");
        }
        return ScenarioResult.From(all.Count, fanOut.lastHeard.Max() - fanOut.measureStart, 0, all);
    }

    private async IAsyncEnumerable<string> SpeakerLines([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await everyoneJoined.Task.WaitAsync(cancellationToken);
        for (var line = 0; line < total; line++)
        {
            if (line == warmup)
            {
                // The warm-up lines are heard by all before the measured ones start.
                await warmupHeard.Task.WaitAsync(cancellationToken);
                measureStart = Stopwatch.GetTimestamp();
            }
            await window.WaitAsync(cancellationToken);
            sentAt[line] = Stopwatch.GetTimestamp();
            yield return line.ToString(CultureInfo.InvariantCulture);
        }
        // Stay in the room until everyone has heard everything, then leave.
        await allHeard.Task.WaitAsync(cancellationToken);
    }

    private async IAsyncEnumerable<string> ListenerLines([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await allHeard.Task.WaitAsync(cancellationToken);
        yield break;
    }

    private void OnMessage(int member, ChatMessage message)
    {
        var now = Stopwatch.GetTimestamp();
        // A member's first message is its own join notice.
        if (Interlocked.Exchange(ref firstSeen[member], 1) == 0 && Interlocked.Increment(ref joined) == members)
        {
            everyoneJoined.TrySetResult();
        }
        if (message.Kind != Kind.Message)
        {
            return;
        }
        var line = int.Parse(message.Text, CultureInfo.InvariantCulture);
        if (line >= warmup)
        {
            latencies[member].Add(now - sentAt[line]);
            lastHeard[member] = now;
        }
        if (Interlocked.Increment(ref heardBy[line]) == members)
        {
            window.Release();
            var done = Interlocked.Increment(ref linesHeardByAll);
            if (done == warmup)
            {
                warmupHeard.TrySetResult();
            }
            if (done == total)
            {
                allHeard.TrySetResult();
            }
        }
    }
}
