using System.Diagnostics;
using System.Text.RegularExpressions;

namespace StreamingTutorial.Bench.Tests;

public class QuickRunTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Test]
    public async Task The_quick_run_of_grpc_dotnet_prints_a_figure_in_every_row()
    {
        var program = Path.Combine(AppContext.BaseDirectory, "SideBySide.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { program, "--quick", "--impl", "dotnet" })
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The quick run did not finish within {Patience.TotalSeconds} s. Its progress:\n{await stderr}");
        }
        var table = await stdout;
        var progress = await stderr;

        Assert.That(process.ExitCode, Is.EqualTo(0), $"exit code of the quick run. Its progress:\n{progress}\nIts report:\n{table}");
        // Every row of the table: | scenario | metric | grpc-dotnet figure | (empty peer columns, not run) |
        var rows = table.Split('\n').Where(line => line.StartsWith("| ", StringComparison.Ordinal) && !line.StartsWith("| Scenario", StringComparison.Ordinal)).ToList();
        Assert.That(rows, Has.Count.GreaterThanOrEqualTo(17), $"rows of the table:\n{table}");
        foreach (var row in rows)
        {
            var figure = row.Split('|')[3].Trim();
            Assert.That(Regex.IsMatch(figure, @"^[\d,]+(\.\d+)?$"), Is.True, $"grpc-dotnet's figure in the row '{row}'");
        }
        Assert.That(table, Does.Contain("Targets:"), "the targets under the table");
    }
}
