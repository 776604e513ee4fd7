using System.Diagnostics;
using System.Globalization;

namespace StreamingTutorial.Bench;

/// <summary>The sizes of one run: the full benchmark, or <c>--quick</c> to check that everything works.</summary>
internal sealed record Sizes(
    int Repetitions,
    int MessageSize,
    double WarmupSeconds,
    double UnarySeconds,
    int Chunk,
    long UploadTotal,
    long BigUploadTotal,
    int StreamCount,
    int PingPongCount,
    int ChatMembers,
    int ChatMessages,
    int ChatWarmup,
    int ChatWindow,
    long TcpTotal,
    TimeSpan ClientTimeout)
{
    private const int MiB = 1 << 20;

    public static Sizes Full { get; } = new(3, 100, 3, 3, MiB, 1L << 30, 4L << 30,
        100_000, 10_000, 100, 1_000, 100, 10, 1L << 30, TimeSpan.FromMinutes(5));

    public static Sizes Quick { get; } = new(1, 100, 0.2, 0.5, MiB, 64L * MiB, 256L * MiB,
        10_000, 1_000, 20, 100, 20, 10, 128L * MiB, TimeSpan.FromMinutes(2));
}

/// <summary>One of the benchmark's scenarios, as <c>--scenario</c> names it.</summary>
internal sealed record Scenario(string Key, string Letter, bool AllImplementations, bool Repeated)
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("unary", "a", true, true),
        new("upload", "b", true, true),
        new("server-stream", "c", true, true),
        new("ping-pong", "d", true, true),
        new("chat", "e", false, true),
        new("tcp", "tcp", false, true),
        new("upload-4g", "memory", false, false),
    ];
}

/// <summary>
/// Runs every selected scenario for every implementation, repetition after repetition (the
/// implementations take turns, so a change in the machine's load hits them alike), and
/// prints the report. Progress goes to stderr, the report (markdown) to stdout.
/// </summary>
internal static class Runner
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/SideBySide -- [options]
          --quick                 small sizes, one repetition: checks that everything runs
          --reps N                repetitions (default 3; the table shows medians)
          --scenario LIST         comma-separated: unary, upload, server-stream, ping-pong, chat, tcp, upload-4g
                                  (or a, b, c, d, e); default all
          --impl LIST             comma-separated: dotnet, python, node; default all
          --stock                 run the C# side with Kestrel's and .NET's default settings instead of the
                                  bench's tuning (see bench/README.md)
          --no-install            do not run 'npm ci' for the Node peer when its packages are missing
          --python PATH           the Python with grpcio (default /usr/bin/python3, Debian's python3-grpcio)
          --node PATH             the Node.js (default: node on PATH)
        """;

    private const double MiB = 1024.0 * 1024.0;

    public static async Task<int> RunAsync(CommandLine options)
    {
        var sizes = options.Has("quick") ? Sizes.Quick : Sizes.Full;
        sizes = sizes with { Repetitions = options.GetInt("reps", sizes.Repetitions) };
        if (sizes.Repetitions < 1)
        {
            throw new ArgumentException("--reps must be at least 1.");
        }
        var scenarios = Select(options.Get("scenario"), Scenario.All, s => [s.Key, s.Letter], "scenario");
        var benchDirectory = FindBenchDirectory();
        var implementations = Select(
            options.Get("impl"),
            [
                Implementation.CSharp(benchDirectory),
                Implementation.Python(benchDirectory, options.Get("python", "/usr/bin/python3")),
                Implementation.Node(benchDirectory, options.Get("node") ?? Implementation.Which("node") ?? "node"),
            ],
            i => [i.Key],
            "impl");

        var log = Console.Error;
        var machine = Machine.Describe();
        log.WriteLine($"Benchmark on {machine.Summary}");
        foreach (var implementation in implementations)
        {
            await implementation.ProbeAsync(log, install: !options.Has("no-install"));
            log.WriteLine(implementation.Unavailable is null
                ? $"  {implementation.Title}: {implementation.Version}"
                : $"  {implementation.Title}: NOT AVAILABLE, {implementation.Unavailable}");
        }
        if (options.Has("stock"))
        {
            implementations.FirstOrDefault(i => i.Key == "dotnet")?.UseStockSettings();
        }
        var runnable = implementations.Where(i => i.Unavailable is null).ToList();
        var csharp = runnable.FirstOrDefault(i => i.Key == "dotnet");

        var results = new Results();
        var loadBefore = Machine.LoadAverage();
        var clock = Stopwatch.StartNew();
        for (var rep = 1; rep <= sizes.Repetitions; rep++)
        {
            foreach (var scenario in scenarios.Where(s => s.Repeated))
            {
                if (scenario.Key == "tcp")
                {
                    var rate = LoopbackTcp.MeasureMiBPerSecond(sizes.TcpTotal, sizes.Chunk);
                    results.Add("tcp", "tcp", "rate", rate);
                    log.WriteLine($"[{rep}/{sizes.Repetitions}] raw loopback TCP: {rate:N0} MiB/s");
                    continue;
                }
                foreach (var implementation in scenario.AllImplementations ? runnable : [.. runnable.Where(i => i.Key == "dotnet")])
                {
                    await RunOneAsync(implementation, scenario, sizes, results, $"[{rep}/{sizes.Repetitions}]", log);
                }
            }
        }
        if (scenarios.Any(s => s.Key == "upload-4g") && csharp is not null)
        {
            await RunOneAsync(csharp, scenarios.Single(s => s.Key == "upload-4g"), sizes, results, "[once]", log);
        }
        log.WriteLine($"Done in {clock.Elapsed.TotalMinutes:0.0} min.");

        var report = new Report(sizes, scenarios, implementations, results, machine, loadBefore, Machine.LoadAverage());
        Console.Out.Write(report.ToMarkdown());
        return results.Failures.Count == 0 ? 0 : 1;
    }

    private static async Task RunOneAsync(Implementation implementation, Scenario scenario, Sizes sizes, Results results, string progress, TextWriter log)
    {
        var size = sizes.MessageSize.ToString(CultureInfo.InvariantCulture);
        string[] clientArguments = scenario.Key switch
        {
            "unary" => ["--size", size, "--seconds", Invariant(sizes.UnarySeconds)],
            "upload" => ["--chunk", Invariant(sizes.Chunk), "--total", Invariant(sizes.UploadTotal)],
            "upload-4g" => ["--chunk", Invariant(sizes.Chunk), "--total", Invariant(sizes.BigUploadTotal)],
            "server-stream" => ["--size", size, "--count", Invariant(sizes.StreamCount)],
            "ping-pong" => ["--size", size, "--count", Invariant(sizes.PingPongCount)],
            "chat" => ["--members", Invariant(sizes.ChatMembers), "--count", Invariant(sizes.ChatMessages), "--warmup-count", Invariant(sizes.ChatWarmup), "--window", Invariant(sizes.ChatWindow)],
            _ => throw new InvalidOperationException(scenario.Key),
        };
        clientArguments = [.. clientArguments, "--warmup-seconds", Invariant(sizes.WarmupSeconds)];
        var clientScenario = scenario.Key == "upload-4g" ? "upload" : scenario.Key;
        string[] serverArguments = scenario.Key == "chat" ? ["serve", "--port", "0", "--service", "chat"] : ["serve", "--port", "0"];
        serverArguments = [.. serverArguments, .. implementation.ServerArguments];
        try
        {
            await using var server = implementation.Start(serverArguments);
            var port = await server.ExpectLineStartingAsync("LISTENING ", TimeSpan.FromSeconds(60));
            using var sampler = scenario.Key == "upload-4g" ? new MemorySampler(server) : null;
            await using var client = implementation.Start(["client", "--target", "127.0.0.1:" + port, "--scenario", clientScenario, .. clientArguments]);
            var result = ScenarioResult.Parse(await client.ExpectLineStartingAsync("RESULT ", sizes.ClientTimeout));
            // Stop sampling first, so that no sample is taken after the peak is read.
            var halves = sampler?.HalvesMaxMiB() ?? (0, 0);
            // The kernel updates its high-water mark lazily; a sample can be a little above it.
            var peak = Math.Max(server.PeakResidentBytes / MiB, Math.Max(halves.Item1, halves.Item2));
            var key = implementation.Key;
            string summary;
            switch (scenario.Key)
            {
                case "unary" or "ping-pong" or "chat":
                    results.Add(scenario.Key, key, "rate", result.Ops / result.Seconds);
                    results.Add(scenario.Key, key, "p50", result.P50Us);
                    results.Add(scenario.Key, key, "p99", result.P99Us);
                    summary = $"{result.Ops / result.Seconds:N0}/s, p50 {result.P50Us:N0} us, p99 {result.P99Us:N0} us";
                    break;
                case "upload":
                    results.Add(scenario.Key, key, "rate", result.Bytes / MiB / result.Seconds);
                    results.Add(scenario.Key, key, "rss", peak);
                    summary = $"{result.Bytes / MiB / result.Seconds:N0} MiB/s, server peak RSS {peak:N0} MiB";
                    break;
                case "upload-4g":
                    var (firstHalf, secondHalf) = halves;
                    results.Add(scenario.Key, key, "rate", result.Bytes / MiB / result.Seconds);
                    results.Add(scenario.Key, key, "rss", peak);
                    results.Add(scenario.Key, key, "rss-first-half", firstHalf);
                    results.Add(scenario.Key, key, "rss-second-half", secondHalf);
                    summary = $"{result.Bytes / MiB / result.Seconds:N0} MiB/s, server peak RSS {peak:N0} MiB (highest in the first half {firstHalf:N0}, second half {secondHalf:N0})";
                    break;
                default:
                    results.Add(scenario.Key, key, "rate", result.Ops / result.Seconds);
                    summary = $"{result.Ops / result.Seconds:N0} messages/s";
                    break;
            }
            log.WriteLine($"{progress} {scenario.Letter}. {scenario.Key}, {implementation.Title}: {summary}");
        }
        catch (ChildProcessException ex)
        {
            results.Failures.Add($"{scenario.Key}, {implementation.Title}: {ex.Message}");
            log.WriteLine($"{progress} {scenario.Letter}. {scenario.Key}, {implementation.Title}: FAILED: {ex.Message}");
        }
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private static List<T> Select<T>(string? list, IReadOnlyList<T> all, Func<T, string[]> names, string option)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return [.. all];
        }
        var wanted = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in wanted)
        {
            if (!all.Any(item => names(item).Contains(name, StringComparer.OrdinalIgnoreCase)))
            {
                throw new ArgumentException($"--{option}: unknown '{name}'. Known: {string.Join(", ", all.Select(item => names(item)[0]))}.");
            }
        }
        // In the benchmark's own order, whatever the order asked.
        return [.. all.Where(item => names(item).Any(n => wanted.Contains(n, StringComparer.OrdinalIgnoreCase)))];
    }

    private static string FindBenchDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "bench.proto")) && Directory.Exists(Path.Combine(directory.FullName, "peers")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"Cannot find the bench/ folder (with bench.proto and peers/) above {AppContext.BaseDirectory}.");
    }
}

/// <summary>Every figure measured, by scenario, implementation and metric, one per repetition.</summary>
internal sealed class Results
{
    private readonly Dictionary<(string Scenario, string Implementation, string Metric), List<double>> values = [];

    public List<string> Failures { get; } = [];

    public void Add(string scenario, string implementation, string metric, double value)
    {
        if (!values.TryGetValue((scenario, implementation, metric), out var list))
        {
            values[(scenario, implementation, metric)] = list = [];
        }
        list.Add(value);
    }

    public double? Median(string scenario, string implementation, string metric)
    {
        if (!values.TryGetValue((scenario, implementation, metric), out var list) || list.Count == 0)
        {
            return null;
        }
        var sorted = list.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public int Count(string scenario, string implementation, string metric) =>
        values.TryGetValue((scenario, implementation, metric), out var list) ? list.Count : 0;
}

/// <summary>Samples a process's resident memory while a long upload runs, to show whether it stays flat.</summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly List<(long Ticks, long Bytes)> samples = [];
    private readonly CancellationTokenSource stop = new();
    private readonly Task sampling;

    public MemorySampler(ChildProcess process)
    {
        sampling = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            try
            {
                do
                {
                    if (process.HasExited)
                    {
                        return;
                    }
                    var bytes = process.ResidentBytes;
                    lock (samples)
                    {
                        samples.Add((Stopwatch.GetTimestamp(), bytes));
                    }
                }
                while (await timer.WaitForNextTickAsync(stop.Token));
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    /// <summary>The highest resident memory in the first and in the second half of the samples, in MiB.</summary>
    public (double FirstHalf, double SecondHalf) HalvesMaxMiB()
    {
        stop.Cancel();
        sampling.Wait();
        lock (samples)
        {
            if (samples.Count < 2)
            {
                return (0, 0);
            }
            var middle = samples.Count / 2;
            return (samples.Take(middle).Max(s => s.Bytes) / (1024.0 * 1024.0), samples.Skip(middle).Max(s => s.Bytes) / (1024.0 * 1024.0));
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        sampling.Wait();
        stop.Dispose();
    }
}
