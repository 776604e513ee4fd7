using System.Diagnostics;
using System.Text;

namespace StreamingTutorial.Workbook;

/// <summary>The output of a finished child process.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string AllOutput => StandardOutput + StandardError;
}

/// <summary>Runs child processes (dotnet, git) and collects their output.</summary>
public static class Processes
{
    /// <param name="onLine">Called with each line of standard output as it comes, for progress.</param>
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, CancellationToken cancellationToken = default, Action<string>? onLine = null)
    {
        var start = StartInfo(fileName, arguments, workingDirectory);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = onLine is null ? process.StandardOutput.ReadToEndAsync(cancellationToken) : ReadLinesAsync(process.StandardOutput, onLine, cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    private static async Task<string> ReadLinesAsync(StreamReader reader, Action<string> onLine, CancellationToken cancellationToken)
    {
        var all = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            all.AppendLine(line);
            onLine(line);
        }
        return all.ToString();
    }

    /// <summary>Runs a process and returns its standard output as bytes (for git blobs, which may not be text).</summary>
    public static async Task<(int ExitCode, byte[] Output)> RunForBytesAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = StartInfo(fileName, arguments, workingDirectory);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        using var buffer = new MemoryStream();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.BaseStream.CopyToAsync(buffer);
        await process.WaitForExitAsync();
        await stderr;
        return (process.ExitCode, buffer.ToArray());
    }

    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // The learner's language does not change what the tool parses, and no telemetry banner.
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return start;
    }
}
