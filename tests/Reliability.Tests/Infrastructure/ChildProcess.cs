using System.Diagnostics;
using System.Threading.Channels;

namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>
/// A real process the fault tests can kill: this test assembly started again in one of its
/// child modes (see Program), or a chapter's demo program. Its output lines are collected so a
/// test can wait for "ready" lines; every wait is bounded.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly Channel<string> lines = Channel.CreateUnbounded<string>();
    private readonly List<string> output = new();

    private ChildProcess(Process process)
    {
        this.process = process;
    }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>Starts this test assembly in a child mode (Program.Main).</summary>
    public static ChildProcess StartMode(params string[] arguments) =>
        Start(typeof(ChildProcess).Assembly.Location, arguments);

    /// <summary>Starts an assembly of the test's output folder with the dotnet host.</summary>
    public static ChildProcess Start(string assemblyPath, params string[] arguments)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(assemblyPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, "");
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, "stderr: ");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for an output line that starts with <paramref name="prefix"/> and returns the rest of it.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan? limit = null)
    {
        using var timeout = new CancellationTokenSource(limit ?? TimeSpan.FromSeconds(30));
        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(timeout.Token))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line[prefix.Length..].Trim();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        Assert.Fail($"The child process never printed '{prefix}'. Its output: {Output}");
        throw new UnreachableException();
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.Count == 0 ? "(nothing)" : string.Join(" | ", output.TakeLast(20));
            }
        }
    }

    /// <summary>Kills the process at once, as a crash or `kill -9` would: no clean-up code runs.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Asks the process to stop as Ctrl+C in its terminal does (SIGINT; Unix only).</summary>
    public void Interrupt()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Sending Ctrl+C to another process needs a console of its own on Windows.");
        }
        if (NativeSignals.Kill(process.Id, NativeSignals.SigInt) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, SIGINT) failed.");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        await process.WaitForExitAsync().WaitAsync(limit);
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await KillAsync();
        }
        process.Dispose();
    }

    private void OnLine(string? line, string prefix)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.Add(prefix + line);
        }
        lines.Writer.TryWrite(prefix + line);
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }
        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}

internal static class NativeSignals
{
    public const int SigInt = 2;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);
}

/// <summary>A chapter's demo program (solutions/NN-*), built next to the tests, run as a learner runs it.</summary>
internal static class DemoProgram
{
    public static string Path(string assemblyName) => System.IO.Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");

    /// <summary>Starts the program's server on a free port and returns it with the address it printed.</summary>
    public static async Task<(ChildProcess Server, string Address)> StartServerAsync(string assemblyName, params string[] options)
    {
        var server = ChildProcess.Start(Path(assemblyName), ["server", "--port", "0", .. options]);
        var line = await server.WaitForLineAsync("Chapter ");
        return (server, line.Split(" listening on ")[1].Split(' ')[0]);
    }

    /// <summary>Starts the program's client against <paramref name="address"/> (http://127.0.0.1:port).</summary>
    public static ChildProcess StartClient(string assemblyName, string address, params string[] options) =>
        ChildProcess.Start(Path(assemblyName), ["client", "--port", new Uri(address).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. options]);
}
