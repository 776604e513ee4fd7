using System.Diagnostics;
using System.Text;

namespace StreamingTutorial.Interop.Tests.Peers;

/// <summary>How a finished (or killed) child process ended, with everything it printed.</summary>
public sealed record ProcessResult(int? ExitCode, string Stdout, string Stderr, bool TimedOut, TimeSpan Elapsed)
{
    /// <summary>One readable line about the outcome, for failure messages.</summary>
    public string Describe()
    {
        var outcome = TimedOut ? $"killed after {Elapsed.TotalSeconds:0.#} s" : $"exit code {ExitCode}";
        return $"{outcome}; stdout: {Tail(Stdout)}; stderr: {Tail(Stderr)}";
    }

    public static string Tail(string text, int max = 1500)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            return "(empty)";
        }
        return text.Length <= max ? text : "..." + text[^max..];
    }
}

/// <summary>Runs peer processes: stdin is a pipe (closed at once for clients), stdout and stderr are captured, every wait is bounded.</summary>
public static class ProcessRunner
{
    public static ProcessStartInfo StartInfo(string executable, IEnumerable<string> arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["PYTHONUNBUFFERED"] = "1";
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        return info;
    }

    public static ProcessResult Run(string executable, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        try
        {
            return RunAsync(executable, arguments, workingDirectory, timeout).GetAwaiter().GetResult();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new ProcessResult(null, "", $"cannot start {executable}: {ex.Message}", false, TimeSpan.Zero);
        }
    }

    /// <summary>Runs a process to its end, or kills it (and its children) after <paramref name="timeout"/>.</summary>
    public static async Task<ProcessResult> RunAsync(string executable, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(StartInfo(executable, arguments, workingDirectory))
            ?? throw new InvalidOperationException($"Process.Start returned null for {executable}.");
        // A client reads nothing: closing its stdin at once keeps it from waiting on ours.
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var timedOut = false;
        using (var cts = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                Kill(process);
            }
        }
        // After the exit (or the kill) the pipes close; still, never wait forever on them.
        var drained = Task.WhenAll(stdout, stderr);
        await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        return new ProcessResult(
            timedOut ? null : process.ExitCode,
            stdout.IsCompletedSuccessfully ? stdout.Result : "(stdout not drained)",
            stderr.IsCompletedSuccessfully ? stderr.Result : "(stderr not drained)",
            timedOut,
            watch.Elapsed);
    }

    public static void Kill(Process process)
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
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Could not be killed; nothing more to do from here.
        }
    }
}

/// <summary>
/// A peer server started with --port 0. It prints 'LISTENING &lt;port&gt;' once it serves and stops
/// when its stdin closes, so the pipe to its stdin stays open until <see cref="DisposeAsync"/>.
/// </summary>
public sealed class PeerServer : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(5);

    private readonly Process process;
    private readonly StringBuilder stderr;

    private PeerServer(string description, Process process, StringBuilder stderr, int port)
    {
        Description = description;
        this.process = process;
        this.stderr = stderr;
        Port = port;
    }

    public string Description { get; }

    public int Port { get; }

    /// <summary>True once the server has exited by itself after its stdin was closed.</summary>
    public bool ExitedOnStdinClose { get; private set; }

    /// <summary>The end of what the server printed to stderr so far, for failure messages.</summary>
    public string StderrTail
    {
        get
        {
            lock (stderr)
            {
                return ProcessResult.Tail(stderr.ToString());
            }
        }
    }

    public bool HasExited
    {
        get
        {
            try
            {
                return process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    public static async Task<PeerServer> StartAsync(string description, string executable, IEnumerable<string> arguments, string workingDirectory)
    {
        var process = new Process { StartInfo = ProcessRunner.StartInfo(executable, arguments, workingDirectory), EnableRaisingEvents = true };
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException($"{description} closed its stdout before printing LISTENING."));
                return;
            }
            var parts = e.Data.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["LISTENING", var portText] && int.TryParse(portText, out var port) && port > 0)
            {
                listening.TrySetResult(port);
            }
            else
            {
                listening.TrySetException(new InvalidOperationException($"{description} printed '{e.Data}' instead of 'LISTENING <port>'."));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.Exited += (_, _) =>
            listening.TrySetException(new InvalidOperationException($"{description} exited before printing LISTENING."));

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var port = await listening.Task.WaitAsync(StartTimeout).ConfigureAwait(false);
            return new PeerServer(description, process, stderr, port);
        }
        catch (Exception ex)
        {
            ProcessRunner.Kill(process);
            var reason = ex is TimeoutException ? $"{description} printed no LISTENING line within {StartTimeout.TotalSeconds:0} s." : ex.Message;
            string errText;
            lock (stderr)
            {
                errText = stderr.ToString();
            }
            process.Dispose();
            throw new InvalidOperationException($"{reason} stderr: {ProcessResult.Tail(errText)}", ex);
        }
    }

    /// <summary>Closes the server's stdin (its signal to stop), waits a little, then kills it if needed.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The pipe is already broken: the process is gone.
        }
        using (var cts = new CancellationTokenSource(ExitTimeout))
        {
            try
            {
                await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
                ExitedOnStdinClose = true;
            }
            catch (OperationCanceledException)
            {
                ProcessRunner.Kill(process);
            }
        }
        process.Dispose();
    }

    public override string ToString() => $"{Description} on 127.0.0.1:{Port}";
}
