using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using StreamingTutorial.Bench.Protos;

namespace StreamingTutorial.Bench;

/// <summary>
/// The C# side's client: runs one scenario after a warm-up (which also gets the code past
/// the JIT's first tiers) and prints <c>RESULT {json}</c>, as the peers' clients do.
/// </summary>
internal static class CSharpClient
{
    public static async Task<int> RunAsync(CommandLine options)
    {
        var target = options.Get("target") ?? throw new ArgumentException("client needs --target 127.0.0.1:PORT.");
        var scenario = options.Get("scenario") ?? throw new ArgumentException("client needs --scenario.");
        // A stuck call must not hang the benchmark.
        using var watchdog = new Timer(_ =>
        {
            Console.Error.WriteLine("client watchdog fired");
            Environment.Exit(3);
        }, null, TimeSpan.FromMinutes(10), Timeout.InfiniteTimeSpan);

        using var channel = GrpcChannel.ForAddress("http://" + target);
        var size = options.GetInt("size", 100);
        var warmup = TimeSpan.FromSeconds(options.GetDouble("warmup-seconds", 2));
        ScenarioResult result;
        if (scenario == "chat")
        {
            result = await ChatFanOut.RunAsync(channel, options);
        }
        else
        {
            var client = new BenchService.BenchServiceClient(channel);
            var total = options.GetLong("total", 1L << 30);
            var chunk = options.GetInt("chunk", 1 << 20);
            var count = options.GetInt("count", 10000);
            // warm: a smaller piece of the same work, repeated during the warm-up.
            Func<bool, Task<ScenarioResult>> run = scenario switch
            {
                "unary" => warm => UnaryAsync(client, size, warm ? 0.25 : options.GetDouble("seconds", 3)),
                "upload" => warm => UploadAsync(client, warm ? Math.Min(total, 64L << 20) : total, chunk),
                "server-stream" => warm => ServerStreamAsync(client, warm ? Math.Max(count / 10, 1) : count, size),
                "ping-pong" => warm => PingPongAsync(client, warm ? Math.Max(count / 10, 1) : count, size),
                _ => throw new ArgumentException($"Unknown scenario '{scenario}'."),
            };
            // Warm up with the scenario itself, for a while rather than a number of calls,
            // so that the JIT has finished its work on both sides before the clock starts.
            var warming = Stopwatch.StartNew();
            do
            {
                await run(true);
            }
            while (warming.Elapsed < warmup);
            result = await run(false);
        }
        Console.WriteLine("RESULT " + result.ToJson());
        return 0;
    }

    private static async Task<ScenarioResult> UnaryAsync(BenchService.BenchServiceClient client, int size, double seconds)
    {
        var request = new Payload { Data = ByteString.CopyFrom(new byte[size]) };
        var latencies = new LatencyRecorder(1 << 16);
        var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var start = Stopwatch.GetTimestamp();
        var before = start;
        while (before < end)
        {
            await client.EchoAsync(request);
            var after = Stopwatch.GetTimestamp();
            latencies.Add(after - before);
            before = after;
        }
        return ScenarioResult.From(latencies.Count, before - start, (long)latencies.Count * size, latencies);
    }

    private static async Task<ScenarioResult> UploadAsync(BenchService.BenchServiceClient client, long total, int chunkSize)
    {
        var chunk = new Payload { Data = ByteString.CopyFrom(new byte[chunkSize]) };
        var count = total / chunkSize;
        var start = Stopwatch.GetTimestamp();
        using var call = client.Upload();
        for (var i = 0; i < count; i++)
        {
            await call.RequestStream.WriteAsync(chunk);
        }
        await call.RequestStream.CompleteAsync();
        var summary = await call;
        var elapsed = Stopwatch.GetTimestamp() - start;
        if (summary.Bytes != count * chunkSize)
        {
            throw new InvalidOperationException($"The server counted {summary.Bytes} bytes, expected {count * chunkSize}.");
        }
        return ScenarioResult.From(count, elapsed, summary.Bytes, null);
    }

    private static async Task<ScenarioResult> ServerStreamAsync(BenchService.BenchServiceClient client, int count, int size)
    {
        var start = Stopwatch.GetTimestamp();
        using var call = client.Download(new DownloadRequest { Count = count, Size = size });
        long received = 0, bytes = 0;
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            received++;
            bytes += message.Data.Length;
        }
        var elapsed = Stopwatch.GetTimestamp() - start;
        if (received != count)
        {
            throw new InvalidOperationException($"Received {received} messages, expected {count}.");
        }
        return ScenarioResult.From(received, elapsed, bytes, null);
    }

    private static async Task<ScenarioResult> PingPongAsync(BenchService.BenchServiceClient client, int count, int size)
    {
        var message = new Payload { Data = ByteString.CopyFrom(new byte[size]) };
        var latencies = new LatencyRecorder(count);
        using var call = client.PingPong();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var before = Stopwatch.GetTimestamp();
            await call.RequestStream.WriteAsync(message);
            if (!await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                throw new InvalidOperationException("The server ended the call before the last pong.");
            }
            latencies.Add(Stopwatch.GetTimestamp() - before);
        }
        var elapsed = Stopwatch.GetTimestamp() - start;
        await call.RequestStream.CompleteAsync();
        if (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            throw new InvalidOperationException("The server answered after the last ping.");
        }
        return ScenarioResult.From(count, elapsed, (long)count * size, latencies);
    }
}
