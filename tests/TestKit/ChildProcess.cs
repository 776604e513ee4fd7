using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace StreamingTutorial.TestKit;

/// <summary>How to start a program; <see cref="Programs"/> makes the usual ones.</summary>
public sealed record ProgramStart(string Executable, IReadOnlyList<string> Arguments)
{
    /// <summary>What failure messages call it; by default the command line.</summary>
    public string? Name { get; init; }

    /// <summary>Null: this test assembly's folder.</summary>
    public string? WorkingDirectory { get; init; }

    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>stderr sent into stdout by a shell (`2&gt;&amp;1`), in the order written, as a terminal shows both.</summary>
    public bool MergeErrors { get; init; }

    /// <summary>How long the waits that have no time-out of their own wait.</summary>
    public TimeSpan Patience { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>On dispose, stdin is closed and the program gets this long to end by itself before it is killed (0: killed at once).</summary>
    public TimeSpan StopGrace { get; init; }

    public string CommandLine => string.Join(' ', Arguments.Prepend(Executable));
}

/// <summary>A wait on a child process that failed; the message holds what the program printed.</summary>
public sealed class ChildProcessException(string message) : Exception(message);

/// <summary>
/// A program run as a person runs it: stdin to type into, every character of stdout and stderr
/// kept (raw, so a progress bar's carriage returns are seen, and as lines), every wait bounded.
/// Dispose ends it and its children.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable, IDisposable
{
    private const int TailChars = 2000;

    private readonly Process process;
    private readonly ProgramStart start;
    private readonly object gate = new();
    private readonly StringBuilder output = new();
    private readonly StringBuilder errors = new();
    private readonly List<string> lines = [];
    private readonly List<string> outputLines = [];
    private readonly Task pumping;
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool ended;

    private ChildProcess(Process process, ProgramStart start)
    {
        this.process = process;
        this.start = start;
        pumping = Task.WhenAll(PumpAsync(process.StandardOutput, output, isOutput: true), PumpAsync(process.StandardError, errors, isOutput: false))
            .ContinueWith(_ => Changed(end: true), TaskScheduler.Default);
    }

    public string Name => start.Name ?? start.CommandLine;

    public TimeSpan Patience => start.Patience;

    public int Id => process.Id;

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

    /// <summary>The exit code, or null while the program runs.</summary>
    public int? ExitCode => HasExited ? process.ExitCode : null;

    /// <summary>Everything written to stdout so far, as written.</summary>
    public string Output => Locked(() => output.ToString());

    /// <summary>Everything written to stderr so far (empty with <see cref="ProgramStart.MergeErrors"/>).</summary>
    public string Errors => Locked(() => errors.ToString());

    /// <summary>The lines of stdout and stderr, in the order they arrived.</summary>
    public IReadOnlyList<string> Lines => Locked(() => lines.ToArray());

    /// <summary>The lines of stdout alone.</summary>
    public IReadOnlyList<string> OutputLines => Locked(() => outputLines.ToArray());

    /// <summary>What it printed so far, for failure messages.</summary>
    public string Transcript
    {
        get
        {
            var exit = ExitCode is { } code ? $" (exit code {code})" : "";
            return $"{Name}{exit} printed: <<{Tail(Output)}>>; stderr: <<{Tail(Errors)}>>";
        }
    }

    /// <summary>The process's resident memory now, in bytes.</summary>
    public long ResidentBytes
    {
        get
        {
            process.Refresh();
            return process.WorkingSet64;
        }
    }

    /// <summary>The highest resident memory the process has had so far (VmHWM on Linux), in bytes.</summary>
    public long PeakResidentBytes
    {
        get
        {
            process.Refresh();
            return process.PeakWorkingSet64;
        }
    }

    public static ChildProcess Start(ProgramStart start)
    {
        var info = new ProcessStartInfo(start.MergeErrors ? "/bin/sh" : start.Executable)
        {
            WorkingDirectory = start.WorkingDirectory ?? AppContext.BaseDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (start.MergeErrors)
        {
            // exec: the shell becomes the program, so its id and signals are the program's.
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("exec " + string.Join(' ', start.Arguments.Prepend(start.Executable).Select(ShellQuote)) + " 2>&1");
        }
        else
        {
            foreach (var argument in start.Arguments)
            {
                info.ArgumentList.Add(argument);
            }
        }
        info.Environment["PYTHONUNBUFFERED"] = "1";
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        foreach (var (name, value) in start.Environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new ChildProcessException($"Cannot start {start.CommandLine}: {ex.Message}");
        }
        return new ChildProcess(process, start);
    }

    /// <summary>Types a line and presses Enter.</summary>
    public void Type(string line)
    {
        process.StandardInput.WriteLine(line);
        process.StandardInput.Flush();
    }

    /// <summary>Closes stdin: the end of input, what Ctrl+D is at a terminal.</summary>
    public void CloseInput()
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The pipe is already broken: the process is gone.
        }
    }

    /// <summary>
    /// True once <paramref name="condition"/> holds (checked at every new output); false when it
    /// has not within the time-out, or the program closed its output without it.
    /// </summary>
    public async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? Patience);
        while (true)
        {
            Task next;
            lock (gate)
            {
                if (condition())
                {
                    return true;
                }
                if (ended)
                {
                    return false;
                }
                next = changed.Task;
            }
            try
            {
                await next.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                lock (gate)
                {
                    return condition();
                }
            }
        }
    }

    /// <summary>The <paramref name="occurrence"/>th line of stdout (since the start) that matches, or null as <see cref="WaitUntilAsync"/> says.</summary>
    public async Task<string?> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null, int occurrence = 1)
    {
        string? found = null;
        await WaitUntilAsync(() => (found = outputLines.Where(match).Skip(occurrence - 1).FirstOrDefault()) is not null, timeout);
        return found;
    }

    /// <summary>As <see cref="WaitForLineAsync"/>, but a line that does not come is a <see cref="ChildProcessException"/> naming <paramref name="what"/>.</summary>
    public async Task<string> ExpectLineAsync(string what, Func<string, bool> match, TimeSpan? timeout = null, int occurrence = 1) =>
        await WaitForLineAsync(match, timeout, occurrence) ?? throw NotPrinted(what, timeout);

    /// <summary>The rest (trimmed) of the first line of stdout that starts with <paramref name="prefix"/>.</summary>
    public async Task<string> ExpectLineStartingAsync(string prefix, TimeSpan? timeout = null)
    {
        var line = await ExpectLineAsync($"a line starting with '{prefix}'", l => l.StartsWith(prefix, StringComparison.Ordinal), timeout);
        return line[prefix.Length..].Trim();
    }

    /// <summary>Waits until stdout or stderr holds <paramref name="text"/> anywhere (a line need not be complete).</summary>
    public async Task ExpectTextAsync(string what, string text, TimeSpan? timeout = null)
    {
        if (!await WaitUntilAsync(() => output.ToString().Contains(text, StringComparison.Ordinal) || errors.ToString().Contains(text, StringComparison.Ordinal), timeout))
        {
            throw NotPrinted($"{what} (\"{text}\")", timeout);
        }
    }

    /// <summary>The exit code once it has ended and its output is read, or null if it still runs after the time-out.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? Patience);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        // After the exit the pipes close; still, a grandchild may hold them: never wait forever.
        await Task.WhenAny(pumping, Task.Delay(TimeSpan.FromSeconds(5)));
        return process.ExitCode;
    }

    /// <summary>The exit code; a <see cref="ChildProcessException"/> if it still runs after the time-out.</summary>
    public async Task<int> ExpectExitAsync(string why, TimeSpan? timeout = null) =>
        await WaitForExitAsync(timeout)
        ?? throw new ChildProcessException($"{Name} was still running {(timeout ?? Patience).TotalSeconds:0} s after {why}. {Transcript}");

    /// <summary>Asks the program to stop as Ctrl+C in its terminal does (SIGINT; Unix only).</summary>
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

    /// <summary>Ends the program and its children at once, as a crash or `kill -9` would: no clean-up code runs.</summary>
    public void Kill()
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
        catch (Win32Exception)
        {
            // Could not be killed; nothing more to do from here.
        }
    }

    /// <summary>As <see cref="Kill"/>, then waits (30 s at most) until it has ended.</summary>
    public async Task KillAsync()
    {
        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Closes stdin, gives the program <paramref name="grace"/> to end by itself, then kills it. True if it ended by itself.</summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        CloseInput();
        if (await WaitForExitAsync(grace) is not null)
        {
            return true;
        }
        Kill();
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (start.StopGrace > TimeSpan.Zero && !HasExited)
        {
            await StopAsync(start.StopGrace);
        }
        Kill();
        process.Dispose();
    }

    public void Dispose()
    {
        if (start.StopGrace > TimeSpan.Zero && !HasExited)
        {
            StopAsync(start.StopGrace).GetAwaiter().GetResult();
        }
        Kill();
        process.Dispose();
    }

    public override string ToString() => Name;

    /// <summary>The end of a long text, for messages.</summary>
    public static string Tail(string text, int max = TailChars) => text.Length <= max ? text : "..." + text[^max..];

    private ChildProcessException NotPrinted(string what, TimeSpan? timeout)
    {
        var why = Locked(() => ended) ? "closed its output" : $"ran {(timeout ?? Patience).TotalSeconds:0} s";
        return new ChildProcessException($"{Name} {why} without printing {what}. {Transcript}");
    }

    private async Task PumpAsync(StreamReader reader, StringBuilder into, bool isOutput)
    {
        var buffer = new char[4096];
        var line = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (gate)
            {
                into.Append(buffer, 0, read);
                foreach (var c in buffer.AsSpan(0, read))
                {
                    if (c == '\n')
                    {
                        AddLine(line, isOutput);
                    }
                    else
                    {
                        line.Append(c);
                    }
                }
                Changed(end: false);
            }
        }
        lock (gate)
        {
            if (line.Length > 0)
            {
                AddLine(line, isOutput);
            }
        }
    }

    private void AddLine(StringBuilder line, bool isOutput)
    {
        var text = line.ToString().TrimEnd('\r');
        line.Clear();
        lines.Add(text);
        if (isOutput)
        {
            outputLines.Add(text);
        }
    }

    private void Changed(bool end)
    {
        lock (gate)
        {
            ended |= end;
            changed.TrySetResult();
            if (!ended)
            {
                changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private T Locked<T>(Func<T> read)
    {
        lock (gate)
        {
            return read();
        }
    }

    private static string ShellQuote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static class NativeSignals
    {
        public const int SigInt = 2;

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
