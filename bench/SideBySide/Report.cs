using System.Globalization;
using System.Text;

namespace StreamingTutorial.Bench;

/// <summary>The markdown that bench/README.md shows: the machine, the table of medians, the targets.</summary>
internal sealed class Report(
    Sizes sizes,
    IReadOnlyList<Scenario> scenarios,
    IReadOnlyList<Implementation> implementations,
    Results results,
    Machine machine,
    string loadBefore,
    string loadAfter)
{
    // The C# side, grpc-dotnet: the first column, and the one the peers are divided by.
    private const string DotNet = "dotnet";

    // The upload must reach this share of raw loopback TCP; the 4 GiB upload must stay under this peak RSS.
    private const double UploadShareOfTcpTarget = 0.5;
    private const double PeakRssTargetMiB = 150;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private sealed record Row(string Scenario, string Metric, string Label, bool HigherIsBetter);

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        var reps = sizes.Repetitions == 1 ? "one run" : $"medians of {sizes.Repetitions} runs";
        text.AppendLine();
        text.AppendLine($"Machine: {machine.Summary}. Load average (1 min): {loadBefore} at the start, {loadAfter} at the end.");
        text.AppendLine();
        foreach (var implementation in implementations)
        {
            text.AppendLine(implementation.Unavailable is null
                ? $"- {implementation.Title}: {implementation.Version}"
                : $"- {implementation.Title}: not available ({implementation.Unavailable})");
        }
        text.AppendLine();
        text.AppendLine($"Each implementation's own client against its own server, separate processes on 127.0.0.1, one call in flight; {reps}. "
            + "In brackets: the peer's figure divided by grpc-dotnet's (below 1 is slower for rates, above 1 is slower for latencies).");
        text.AppendLine();

        var columns = implementations.Where(i => i.Key == DotNet).Concat(implementations.Where(i => i.Key != DotNet)).ToList();
        text.AppendLine("| Scenario | Metric | " + string.Join(" | ", columns.Select(c => c.Title)) + " |");
        text.AppendLine("|---|---|" + string.Concat(columns.Select(_ => "--:|")));
        foreach (var (title, rows) in Sections())
        {
            var first = true;
            foreach (var row in rows)
            {
                var cells = columns.Select(c => Cell(row, c));
                text.AppendLine($"| {(first ? title : "")} | {row.Label} | {string.Join(" | ", cells)} |");
                first = false;
            }
        }
        text.AppendLine();
        AppendTargets(text);
        if (results.Failures.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Failures:");
            foreach (var failure in results.Failures)
            {
                text.AppendLine($"- {failure.Replace(Environment.NewLine, " ", StringComparison.Ordinal)}");
            }
        }
        return text.ToString();
    }

    private IEnumerable<(string Title, Row[] Rows)> Sections()
    {
        var size = $"{sizes.MessageSize} B messages";
        foreach (var scenario in scenarios)
        {
            yield return scenario.Key switch
            {
                "unary" => ($"a. unary, {size}, one call at a time", [
                    new("unary", "rate", "calls/s", true),
                    new("unary", "p50", "p50 latency, µs", false),
                    new("unary", "p99", "p99 latency, µs", false)]),
                "upload" => ($"b. client-streaming upload, {Bytes(sizes.Chunk)} chunks, {Bytes(sizes.UploadTotal)}", [
                    new("upload", "rate", "MiB/s", true),
                    new("upload", "rss", "server peak RSS, MiB", false)]),
                "server-stream" => ($"c. server streaming, {sizes.StreamCount:N0} × {sizes.MessageSize} B", [
                    new("server-stream", "rate", "messages/s", true)]),
                "ping-pong" => ($"d. bidirectional ping-pong, {sizes.PingPongCount:N0} round trips, {size}", [
                    new("ping-pong", "rate", "round trips/s", true),
                    new("ping-pong", "p50", "p50 latency, µs", false),
                    new("ping-pong", "p99", "p99 latency, µs", false)]),
                "chat" => ($"e. chat fan-out (chapter 5 solution), {sizes.ChatMembers} members × {sizes.ChatMessages:N0} messages, at most {sizes.ChatWindow} in flight", [
                    new("chat", "p50", "delivery p50, µs", false),
                    new("chat", "p99", "delivery p99, µs", false),
                    new("chat", "rate", "deliveries/s", true)]),
                "tcp" => ($"raw loopback TCP, {Bytes(sizes.Chunk)} writes, {Bytes(sizes.TcpTotal)} (the ceiling)", [
                    new("tcp", "rate", "MiB/s", true)]),
                "upload-4g" => ($"memory check: upload of {Bytes(sizes.BigUploadTotal)}, once", [
                    new("upload-4g", "rate", "MiB/s", true),
                    new("upload-4g", "rss", "server peak RSS, MiB", false),
                    new("upload-4g", "rss-first-half", "highest RSS in the first half, MiB", false),
                    new("upload-4g", "rss-second-half", "highest RSS in the second half, MiB", false)]),
                _ => throw new InvalidOperationException(scenario.Key),
            };
        }
    }

    private string Cell(Row row, Implementation implementation)
    {
        var scenario = scenarios.Single(s => s.Key == row.Scenario);
        if (!scenario.AllImplementations && implementation.Key != DotNet)
        {
            return "";
        }
        if (implementation.Unavailable is not null)
        {
            return "not available";
        }
        var key = row.Scenario == "tcp" ? "tcp" : implementation.Key;
        if (results.Median(row.Scenario, key, row.Metric) is not { } value)
        {
            return "failed";
        }
        var cell = Number(value);
        if (implementation.Key != DotNet && results.Median(row.Scenario, DotNet, row.Metric) is { } dotnet && dotnet > 0)
        {
            cell += $" ({(value / dotnet).ToString("0.00", Invariant)}×)";
        }
        return cell;
    }

    private void AppendTargets(StringBuilder text)
    {
        text.AppendLine("Targets:");
        var peers = implementations.Where(i => i.Key != DotNet && i.Unavailable is null).ToList();
        foreach (var (scenario, label, unit) in new[]
        {
            ("unary", "a. unary", "calls/s"),
            ("upload", "b. upload", "MiB/s"),
            ("server-stream", "c. server streaming", "messages/s"),
            ("ping-pong", "d. ping-pong", "round trips/s"),
        })
        {
            if (!scenarios.Any(s => s.Key == scenario))
            {
                continue;
            }
            var ours = results.Median(scenario, DotNet, "rate");
            var best = peers
                .Select(p => (Peer: p, Value: results.Median(scenario, p.Key, "rate")))
                .Where(p => p.Value is not null)
                .OrderByDescending(p => p.Value)
                .FirstOrDefault();
            if (ours is null || best.Peer is null)
            {
                text.AppendLine($"- {label}, beat the best peer: not measured.");
                continue;
            }
            var ratio = ours.Value / best.Value!.Value;
            text.AppendLine($"- {label}, beat the best peer: {Verdict(ratio > 1)}; {Number(ours.Value)} {unit} against {best.Peer.Title}'s {Number(best.Value.Value)} ({ratio.ToString("0.00", Invariant)}×).");
        }
        if (results.Median("upload", DotNet, "rate") is { } upload && results.Median("tcp", "tcp", "rate") is { } tcp)
        {
            var share = upload / tcp;
            text.AppendLine($"- Upload at least half of raw loopback TCP: {Verdict(share >= UploadShareOfTcpTarget)}; {Number(upload)} of {Number(tcp)} MiB/s ({share.ToString("0.00", Invariant)}).");
        }
        if (results.Median("upload-4g", DotNet, "rss") is { } peak)
        {
            var first = results.Median("upload-4g", DotNet, "rss-first-half") ?? 0;
            var second = results.Median("upload-4g", DotNet, "rss-second-half") ?? 0;
            text.AppendLine($"- Server memory flat during a {Bytes(sizes.BigUploadTotal)} upload, peak RSS under {PeakRssTargetMiB:0} MiB: {Verdict(peak < PeakRssTargetMiB)}; "
                + $"peak {Number(peak)} MiB, highest {Number(first)} MiB in the first half and {Number(second)} MiB in the second.");
        }
    }

    private static string Verdict(bool met) => met ? "met" : "NOT met";

    private static string Number(double value) => value switch
    {
        >= 100 => value.ToString("N0", Invariant),
        >= 10 => value.ToString("0.0", Invariant),
        _ => value.ToString("0.00", Invariant),
    };

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => $"{bytes >> 30} GiB",
        >= 1L << 20 when bytes % (1L << 20) == 0 => $"{bytes >> 20} MiB",
        _ => $"{bytes:N0} B",
    };
}
