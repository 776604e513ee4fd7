using StreamingTutorial.TestKit;
using System.Text.RegularExpressions;

namespace StreamingTutorial.Bench.Tests;

// The benchmark's quick mode, so that it keeps building and running. Figures are not checked
// against anything: only that every row got one.
public class QuickRunTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static readonly Regex Figure = new(@"^[\d,]+(\.\d+)?$");

    [Test]
    public async Task The_quick_run_of_grpc_dotnet_prints_a_figure_in_every_row()
    {
        var (table, _) = await RunQuickAsync("--impl", "dotnet");

        // Every row of the table: | scenario | metric | grpc-dotnet's figure |
        var rows = Rows(table);
        Assert.That(rows, Has.Count.GreaterThanOrEqualTo(17), $"rows of the table:\n{table}");
        foreach (var row in rows)
        {
            Assert.That(Figure.IsMatch(Cells(row)[0]), Is.True, $"grpc-dotnet's figure in the row '{row}'");
        }
        Assert.That(table, Does.Contain("Targets:"), "the targets under the table");
    }

    /// <summary>
    /// The Python and Node peers on the scenarios they implement. A peer that is not installed
    /// skips this test, except under CI (CI=true), where .ci/run installs both.
    /// </summary>
    [Test]
    public async Task The_quick_run_of_the_peers_prints_a_figure_in_every_row()
    {
        // No npm ci from a test: .ci/run installs the Node peer's packages.
        var (table, _) = await RunQuickAsync("--impl", "python,node", "--scenario", "a,b,c,d", "--no-install");

        var header = table.Split('\n').Single(line => line.StartsWith("| Scenario", StringComparison.Ordinal));
        Assert.That(header, Does.Contain("| Python grpcio | Node grpc-js |"), "the columns, in this order");
        var unavailable = table.Split('\n').Where(line => line.Contains(": not available (", StringComparison.Ordinal)).ToList();
        var rows = Rows(table);
        // unary 3, upload 2, server streaming 1, ping-pong 3.
        Assert.That(rows, Has.Count.EqualTo(9), $"rows of the table:\n{table}");
        foreach (var row in rows)
        {
            var cells = Cells(row);
            for (var column = 0; column < 2; column++)
            {
                Assert.That(Figure.IsMatch(cells[column]) || cells[column] == "not available", Is.True, $"column {column + 1} in the row '{row}'");
            }
        }
        if (unavailable.Count > 0)
        {
            var message = "Not every peer could run:\n" + string.Join('\n', unavailable) + "\n(see bench/README.md for what they need)";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(message + "\nCI=true, so a missing peer is a failure, not a skip.");
            }
            Assert.Ignore(message);
        }
    }

    private static List<string> Rows(string table) =>
        [.. table.Split('\n').Where(line => line.StartsWith("| ", StringComparison.Ordinal) && !line.StartsWith("| Scenario", StringComparison.Ordinal))];

    // The figures of a row, after its scenario and metric cells.
    private static string[] Cells(string row) => [.. row.Split('|')[3..^1].Select(cell => cell.Trim())];

    private static async Task<(string Table, string Progress)> RunQuickAsync(params string[] arguments)
    {
        var run = await Programs.RunAsync(Programs.Dotnet(Path.Combine(AppContext.BaseDirectory, "SideBySide.dll"), ["--quick", .. arguments]), Patience);
        if (run.TimedOut)
        {
            Assert.Fail($"The quick run did not finish within {Patience.TotalSeconds} s. Its progress:\n{run.Stderr}");
        }
        var (table, progress) = (run.Stdout, run.Stderr);
        Assert.That(run.ExitCode, Is.EqualTo(0), $"exit code of the quick run. Its progress:\n{progress}\nIts report:\n{table}");
        return (table, progress);
    }
}
