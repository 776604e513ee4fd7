using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace StreamingTutorial.Bench;

/// <summary>
/// A server or client process the runner started: its output lines, its memory, and a stop
/// that closes its stdin (every server here stops at end of input) and kills it only if it
/// does not exit.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptErrorChars = 4000;

    private readonly Process process;
    private readonly Channel<string> lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder errors = new();

    private ChildProcess(Process process, string description)
    {
        this.process = process;
        Description = description;
    }

    public string Description { get; }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

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

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process, $"{fileName} {string.Join(' ', info.ArgumentList)}");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child.lines.Writer.TryComplete();
            }
            else
            {
                child.lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (child.errors)
            {
                child.errors.AppendLine(e.Data);
                if (child.errors.Length > KeptErrorChars)
                {
                    child.errors.Remove(0, child.errors.Length - KeptErrorChars);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The rest of the first output line that starts with <paramref name="prefix"/>.</summary>
    public async Task<string> ReadLineAsync(string prefix, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(cancel.Token))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line[prefix.Length..].Trim();
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new ChildProcessException($"no '{prefix.Trim()}' line within {timeout.TotalSeconds:0} s", this);
        }
        // The output ended: give stderr a moment to arrive, for the message.
        await WaitForExitAsync(TimeSpan.FromSeconds(2));
        throw new ChildProcessException($"it ended without a '{prefix.Trim()}' line", this);
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public string Errors
    {
        get
        {
            lock (errors)
            {
                return errors.ToString().Trim();
            }
        }
    }

    public string ExitDescription => process.HasExited ? $"exit code {process.ExitCode}" : "still running";

    public async ValueTask DisposeAsync()
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
        }
        if (!await WaitForExitAsync(TimeSpan.FromSeconds(10)))
        {
            process.Kill(entireProcessTree: true);
            await WaitForExitAsync(TimeSpan.FromSeconds(5));
        }
        process.Dispose();
    }
}

internal sealed class ChildProcessException(string problem, ChildProcess child)
    : Exception($"{problem} ({child.ExitDescription}): {child.Description}" + (child.Errors.Length > 0 ? Environment.NewLine + child.Errors : ""));
