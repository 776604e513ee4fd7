using System.Diagnostics;
using System.Text.Json;

namespace StreamingTutorial.Workbook.Watch;

/// <summary>Starts the grading worker (the same workbook program, command grade-worker) and sends it runs.</summary>
public sealed class WorkerClient : IAsyncDisposable
{
    private readonly Process process;
    private readonly Queue<string> recentOutput = new();

    private WorkerClient(Process process)
    {
        this.process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (recentOutput)
            {
                recentOutput.Enqueue(e.Data);
                while (recentOutput.Count > 20)
                {
                    recentOutput.Dequeue();
                }
            }
        };
        process.BeginErrorReadLine();
    }

    public bool HasExited => process.HasExited;

    public static WorkerClient Start(IReadOnlyDictionary<string, string>? environment = null)
    {
        var tool = typeof(WorkerClient).Assembly.Location;
        var start = Processes.StartInfo("dotnet", ["exec", tool, "grade-worker"]);
        start.RedirectStandardInput = true;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        return new WorkerClient(Process.Start(start) ?? throw new InvalidOperationException("Could not start the grading worker."));
    }

    /// <summary>Runs the request; throws <see cref="WorkerCrashedException"/> if the worker dies (a crash in the code under test).</summary>
    public async Task<WorkerResponse> RunAsync(WorkerRequest request, CancellationToken cancellationToken)
    {
        await process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(request, GradingWorker.Json).AsMemory(), cancellationToken);
        await process.StandardInput.FlushAsync(cancellationToken);
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                await process.WaitForExitAsync(cancellationToken);
                string output;
                lock (recentOutput)
                {
                    output = string.Join(Environment.NewLine, recentOutput);
                }
                throw new WorkerCrashedException(process.ExitCode, output);
            }
            if (line.StartsWith(GradingWorker.ResponsePrefix, StringComparison.Ordinal))
            {
                return JsonSerializer.Deserialize<WorkerResponse>(line[GradingWorker.ResponsePrefix.Length..], GradingWorker.Json)
                    ?? throw new InvalidDataException("The grading worker sent an empty response.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.Close();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        process.Dispose();
    }

    /// <summary>Stops a run at once (a newer save, or a run that does not finish).</summary>
    public void Kill()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}

public sealed class WorkerCrashedException(int exitCode, string output)
    : Exception($"The grading process stopped (exit code {exitCode}) while running your code. A stack overflow (a method that calls itself for ever) or Environment.Exit does that."
        + (output.Length > 0 ? Environment.NewLine + output : ""))
{
}
