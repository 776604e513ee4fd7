using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StreamingTutorial.Interop.Tests.Peers;

namespace StreamingTutorial.Interop.Tests.Programs;

/// <summary>Where a built chapter program is: solutions/NN-x/bin/&lt;configuration&gt;/&lt;tfm&gt;/ChapterNN.Name.dll.</summary>
internal static class ChapterPrograms
{
    public static string Unary => Find("01-unary", "Chapter01.Unary.dll");

    public static string ServerStreaming => Find("02-server-streaming", "Chapter02.ServerStreaming.dll");

    public static string Uploader => Find("03-client-streaming-uploader", "Chapter03.Uploader.dll");

    public static string Sum => Find("04-client-streaming-sum", "Chapter04.SumNumbers.dll");

    public static string Chat => Find("05-bidirectional-chat", "Chapter05.ChatRoom.dll");

    /// <summary>tests/Interop/peers/seeds: the Python peers shaped like the seeds' own programs.</summary>
    public static string SeedPeers => Path.Combine(Root, "tests", "Interop", "peers", "seeds");

    private static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "StreamingTutorial.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new DirectoryNotFoundException($"StreamingTutorial.sln not found above {AppContext.BaseDirectory}.");
        }
    }

    private static string Find(string folder, string dll)
    {
        // This assembly is in tests/Interop/Interop.Tests/bin/<configuration>/<tfm>/; the programs,
        // project references, were built with the same configuration and framework.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var program = Path.Combine(Root, "solutions", folder, "bin", output.Parent!.Name, output.Name, dll);
        return File.Exists(program)
            ? program
            : throw new FileNotFoundException($"{program} is missing: build solutions/{folder} (a project reference of this test project).", program);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// A program run as a person runs it: stdin to type into, every byte of stdout and stderr kept
/// (raw, so a progress bar's carriage returns are seen), waits bounded. Dispose kills it.
/// With <c>mergeOutput</c> stderr is sent into stdout by a shell, in the order they were written.
/// </summary>
internal sealed class ProgramRun : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder errors = new();
    private readonly Task pumping;
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ProgramRun(string name, Process process, bool merged)
    {
        Name = name;
        this.process = process;
        pumping = Task.WhenAll(Pump(process.StandardOutput, output), merged ? Task.CompletedTask : Pump(process.StandardError, errors));
    }

    public string Name { get; }

    public int Id => process.Id;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public string Errors
    {
        get
        {
            lock (output)
            {
                return errors.ToString();
            }
        }
    }

    public string Transcript => $"{Name} printed: <<{Tail(Output)}>>; stderr: <<{Tail(Errors)}>>";

    private static string Tail(string text) => text.Length <= 2000 ? text : "..." + text[^2000..];

    /// <summary>A chapter program (a .dll run by dotnet).</summary>
    public static ProgramRun Dotnet(string name, string program, params string[] arguments) =>
        Start(name, DotnetHost, [program, .. arguments], Path.GetDirectoryName(program)!, merged: false);

    /// <summary>A chapter program with stderr merged into stdout, as a terminal shows both.</summary>
    public static ProgramRun DotnetMerged(string name, string program, params string[] arguments)
    {
        var command = string.Join(" ", new[] { DotnetHost, program }.Concat(arguments).Select(Quote)) + " 2>&1";
        return Start(name, "/bin/sh", ["-c", "exec " + command], Path.GetDirectoryName(program)!, merged: true);
    }

    /// <summary>A seed-shaped Python peer from tests/Interop/peers/seeds.</summary>
    public static ProgramRun Python(string name, string script, params string[] arguments) =>
        Start(name, "/usr/bin/python3", ["-u", Path.GetFullPath(Path.Combine(ChapterPrograms.SeedPeers, script)), .. arguments], ChapterPrograms.SeedPeers, merged: false);

    /// <summary>The dotnet host that runs the chapter programs.</summary>
    public static string DotnetPath => DotnetHost;

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    private static ProgramRun Start(string name, string executable, string[] arguments, string directory, bool merged)
    {
        var info = ProcessRunner.StartInfo(executable, arguments, directory);
        var process = new Process { StartInfo = info };
        process.Start();
        return new ProgramRun(name, process, merged);
    }

    private async Task Pump(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (output)
            {
                into.Append(buffer, 0, read);
                changed.TrySetResult();
                changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void Type(string line)
    {
        process.StandardInput.WriteLine(line);
        process.StandardInput.Flush();
    }

    public void CloseInput() => process.StandardInput.Close();

    /// <summary>Waits until stdout (or stderr) holds <paramref name="text"/>; fails the test after <see cref="Patience"/>.</summary>
    public async Task WaitForAsync(string what, string text)
    {
        using var cancel = new CancellationTokenSource(Patience);
        while (true)
        {
            Task next;
            lock (output)
            {
                if (output.ToString().Contains(text, StringComparison.Ordinal) || errors.ToString().Contains(text, StringComparison.Ordinal))
                {
                    return;
                }
                next = changed.Task;
            }
            try
            {
                await Task.WhenAny(next, pumping).WaitAsync(cancel.Token);
                if (pumping.IsCompleted && !Output.Contains(text, StringComparison.Ordinal) && !Errors.Contains(text, StringComparison.Ordinal))
                {
                    Assert.Fail($"{Name} ended without printing {what} (\"{text}\"). {Transcript}");
                }
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{Name} did not print {what} (\"{text}\") within {Patience.TotalSeconds:0} s. {Transcript}");
            }
        }
    }

    /// <summary>The exit code; fails the test if the program still runs after <see cref="Patience"/>.</summary>
    public async Task<int> ExitCodeAsync(string why)
    {
        using var cancel = new CancellationTokenSource(Patience);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            await pumping.WaitAsync(TimeSpan.FromSeconds(5));
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{Name} was still running {Patience.TotalSeconds:0} s after {why}. {Transcript}");
            throw;
        }
    }

    /// <summary>Sends SIGINT, what Ctrl+C sends at a terminal.</summary>
    public void PressCtrlC()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    /// <summary>Reads the "LISTENING port" line of a seed peer's server.</summary>
    public async Task<string> ListeningPortAsync()
    {
        await WaitForAsync("its LISTENING line", "LISTENING ");
        var line = Output.Split('\n').First(l => l.StartsWith("LISTENING ", StringComparison.Ordinal));
        return line["LISTENING ".Length..].Trim();
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
            // it had already gone
        }
        process.Dispose();
    }
}
