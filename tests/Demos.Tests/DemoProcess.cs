using System.Diagnostics;
using System.Text.RegularExpressions;

namespace StreamingTutorial.Demos.Tests;

/// <summary>A built demo program (solutions/NN-x) run as a process: its output kept line by line and waited on.</summary>
internal sealed partial class DemoProcess : IDisposable
{
    // Generous: a CI machine running other tests at the same time can be slow to start a program.
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Process process;
    private readonly List<string> lines = [];
    private readonly SemaphoreSlim arrived = new(0);
    private readonly Task pumping;

    private DemoProcess(string name, Process process)
    {
        Name = name;
        this.process = process;
        pumping = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
    }

    public string Name { get; }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (lines)
            {
                return [.. lines];
            }
        }
    }

    public string Transcript => $"{Name} printed:\n{string.Join('\n', Lines)}";

    public static DemoProcess Start(string name, Chapter chapter, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory.CreateTempSubdirectory("demo-").FullName,
        };
        start.ArgumentList.Add(chapter.Program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return new DemoProcess(name, Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet."));
    }

    /// <summary>Starts a demo server on a free port and waits for its "listening on" line; returns it and its port.</summary>
    public static async Task<(DemoProcess Server, string Port)> StartServerAsync(Chapter chapter, params string[] arguments)
    {
        var server = Start($"{chapter.Folder} server", chapter, ["server", "--port", "0", .. arguments]);
        var listening = await server.WaitForLineAsync("the 'listening on' line", l => Listening().IsMatch(l));
        return (server, Listening().Match(listening).Groups[1].Value);
    }

    public void Type(string text)
    {
        process.StandardInput.WriteLine(text);
        process.StandardInput.Flush();
    }

    public async Task<string> WaitForLineAsync(string what, Func<string, bool> match, int occurrence = 1)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            lock (lines)
            {
                var found = lines.Where(match).Skip(occurrence - 1).FirstOrDefault();
                if (found is not null)
                {
                    return found;
                }
            }
            var left = Patience - deadline.Elapsed;
            if (left <= TimeSpan.Zero || (pumping.IsCompleted && arrived.CurrentCount == 0))
            {
                Assert.Fail($"{Name} did not print {what} within {Patience.TotalSeconds:0} s. {Transcript}");
            }
            await arrived.WaitAsync(left);
        }
    }

    /// <summary>True once the output so far satisfies the condition; false if it has not within the patience, or the program ended without.</summary>
    public async Task<bool> WaitUntilAsync(Func<IReadOnlyList<string>, bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (condition(Lines))
            {
                return true;
            }
            var left = Patience - deadline.Elapsed;
            if (left <= TimeSpan.Zero || (pumping.IsCompleted && arrived.CurrentCount == 0))
            {
                return false;
            }
            await arrived.WaitAsync(left);
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await pumping;
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{Name} did not end within {Patience.TotalSeconds:0} s. {Transcript}");
            throw;
        }
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (lines)
            {
                lines.Add(line);
            }
            arrived.Release();
        }
        arrived.Release();
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }

    [GeneratedRegex(@"listening on http://127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();
}

/// <summary>A chapter's built reference solution.</summary>
internal sealed record Chapter(string Folder, string Program)
{
    public static Chapter Of(string folder, string assembly)
    {
        // This test runs from tests/Demos.Tests/bin/<configuration>/<framework>/; the solution was built beside it.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var program = Path.Combine(Book.Root, "solutions", folder, "bin", configuration, framework, assembly + ".dll");
        if (!File.Exists(program))
        {
            Assert.Fail($"{program} is not built: build tests/Demos.Tests (it builds the solutions it runs).");
        }
        return new Chapter(folder, program);
    }
}
