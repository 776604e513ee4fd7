using System.Diagnostics;
using System.Globalization;
using StreamingTutorial.Workbook;

// Measures watch's latency: the time from saving a chapter file to the verdict on screen.
// It copies the workbook to a temporary folder, puts chapter 1's solution there, starts
// `workbook watch 1` in the copy, then saves FileServiceImpl.cs alternately broken and fixed
// and times each verdict. For comparison it also times dotnet test of the chapter after a save.
// It also times the first save in another chapter (2), once watch has built every chapter's
// grader in the background, and prints the machine's load beside the figures.
// Usage: dotnet run --project bench/WatchLatency [-- --saves 7] [--dotnet-test 2]

var saves = Option("--saves", 7);
var dotnetTestRuns = Option("--dotnet-test", 2);
const double FirstSaveTargetSeconds = 5;
const double MedianTargetSeconds = 1;

var root = WorkbookFolder.FindRoot();
var copy = Path.Combine(Path.GetTempPath(), "workbook-watch-bench-" + Guid.NewGuid().ToString("N")[..8]);
Console.WriteLine($"Copying the workbook to {copy} ...");
SolutionCopy.CopyTree(root, copy);
SolutionCopy.CopyTree(Path.Combine(root, "solutions", "01-unary"), Path.Combine(copy, "chapters", "01-unary"));
var file = Path.Combine(copy, "chapters", "01-unary", "FileServiceImpl.cs");
var solved = File.ReadAllText(file);
var broken = solved.Replace("$\"Hello, {request.Name}!\"", "$\"Hi, {request.Name}!\"", StringComparison.Ordinal);
if (broken == solved)
{
    Console.Error.WriteLine("Could not find SayHello's greeting in solutions/01-unary/FileServiceImpl.cs to break it.");
    return 1;
}

var tool = typeof(WorkbookFolder).Assembly.Location;
var start = new ProcessStartInfo("dotnet") { WorkingDirectory = copy, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
foreach (var argument in (string[])["exec", tool, "watch", "1"])
{
    start.ArgumentList.Add(argument);
}
start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
using var watch = Process.Start(start)!;
_ = watch.StandardError.ReadToEndAsync();
var lines = new System.Collections.Concurrent.BlockingCollection<string>();
_ = Task.Run(async () =>
{
    while (await watch.StandardOutput.ReadLineAsync() is { } line)
    {
        lines.Add(line);
    }
    lines.CompleteAdding();
});

string NextVerdict(TimeSpan timeout, int chapter = 1) => NextLine(timeout, $"Verdict: chapter {chapter}");

string NextLine(TimeSpan timeout, string prefix)
{
    using var cancel = new CancellationTokenSource(timeout);
    foreach (var line in lines.GetConsumingEnumerable(cancel.Token))
    {
        if (line.StartsWith(prefix, StringComparison.Ordinal))
        {
            return line;
        }
    }
    throw new InvalidOperationException($"watch stopped before printing \"{prefix}\".");
}

var latencies = new List<double>();
var exitCode = 0;
try
{
    var clock = Stopwatch.StartNew();
    var first = NextVerdict(TimeSpan.FromMinutes(10));
    Console.WriteLine($"First verdict, including the one-time build of the chapter's grader: {clock.Elapsed.TotalSeconds:0.0} s ({first}) {Load()}");

    // The other chapters' graders are built in the background; then a first save in chapter 2
    // (exercise 2.2 solved) should be graded without a build.
    NextLine(TimeSpan.FromMinutes(45), "Every chapter's grader is ready.");
    Console.WriteLine($"Every chapter's grader ready {clock.Elapsed.TotalSeconds:0.0} s after watch started. {Load()}");
    Thread.Sleep(500);
    var firstSave = Stopwatch.StartNew();
    File.Copy(Path.Combine(root, "solutions", "02-server-streaming", "RandomServiceImpl.cs"), Path.Combine(copy, "chapters", "02-server-streaming", "RandomServiceImpl.cs"), overwrite: true);
    var chapter2 = NextVerdict(TimeSpan.FromMinutes(5), chapter: 2);
    var firstSeconds = firstSave.Elapsed.TotalSeconds;
    Console.WriteLine($"First save in chapter 2: verdict after {firstSeconds:0.00} s (target: at most {FirstSaveTargetSeconds:0} s: {(firstSeconds <= FirstSaveTargetSeconds ? "met" : "missed")})  [{chapter2}] {Load()}");
    if (!chapter2.Contains("1 done", StringComparison.Ordinal))
    {
        Console.Error.WriteLine($"First save in chapter 2: expected \"1 done\", got \"{chapter2}\".");
        exitCode = 1;
    }

    for (var i = 0; i < saves; i++)
    {
        var breakIt = i % 2 == 0;
        var expected = breakIt ? "6 done, 1 failing" : "7 done, 0 failing";
        // A pause, as between two saves by a person: the verdict for the previous save is on screen.
        Thread.Sleep(500);
        var saved = Stopwatch.StartNew();
        File.WriteAllText(file, breakIt ? broken : solved);
        var verdict = NextVerdict(TimeSpan.FromMinutes(2));
        var seconds = saved.Elapsed.TotalSeconds;
        if (!verdict.Contains(expected, StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"Save {i + 1}: expected \"{expected}\", got \"{verdict}\".");
            exitCode = 1;
        }
        latencies.Add(seconds);
        Console.WriteLine($"Save {i + 1} ({(breakIt ? "broken" : "fixed")}): verdict after {seconds:0.00} s  [{verdict}]");
    }
}
finally
{
    watch.Kill(entireProcessTree: true);
    watch.WaitForExit();
}

latencies.Sort();
Console.WriteLine();
var median = Median(latencies);
Console.WriteLine($"watch, save to verdict over {latencies.Count} saves: median {median:0.00} s, min {latencies[0]:0.00} s, max {latencies[^1]:0.00} s (target: median under {MedianTargetSeconds:0} s: {(median < MedianTargetSeconds ? "met" : "missed")}) {Load()}");

// The same save graded the plain way: dotnet test builds the chapter and its grader, then runs it.
var plain = new List<double>();
for (var i = 0; i < dotnetTestRuns; i++)
{
    File.WriteAllText(file, i % 2 == 0 ? broken : solved);
    var clock = Stopwatch.StartNew();
    var run = await Processes.RunAsync("dotnet", ["test", "tests/Graders/Chapter01.Graders", "--filter", "Category=Chapter01", "--nologo"], copy);
    plain.Add(clock.Elapsed.TotalSeconds);
    Console.WriteLine($"dotnet test of chapter 1 after a save: {plain[^1]:0.00} s (exit code {run.ExitCode})");
}
if (plain.Count > 0)
{
    Console.WriteLine($"For comparison, dotnet test after a save: median {Median(plain):0.00} s.");
}

try
{
    Directory.Delete(copy, recursive: true);
}
catch (IOException)
{
}
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}.");
return exitCode;

// The machine is shared: the load average (1, 5, 15 minutes) says how busy it was.
static string Load() => File.Exists("/proc/loadavg")
    ? $"(load {string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))} on {Environment.ProcessorCount} cores)"
    : $"({Environment.ProcessorCount} cores)";

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
