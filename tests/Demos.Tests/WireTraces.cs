using System.Text;
using System.Text.RegularExpressions;

namespace StreamingTutorial.Demos.Tests;

/// <summary>
/// What a <c>--wire</c> trace looks like once the parts that change from run to run are masked,
/// and how two traces of the same call are compared.
/// </summary>
internal static partial class WireTraces
{
    /// <summary>One call's lines ("wire #3 ...") out of a program's output, masked.</summary>
    public static List<string> OfCall(IEnumerable<string> output, string label)
    {
        var prefix = $"wire {label} ";
        return Mask([.. output.Where(l => l.StartsWith(prefix, StringComparison.Ordinal))]);
    }

    /// <summary>Times, ports, ids and random bytes replaced by placeholders; everything else as printed.</summary>
    public static List<string> Mask(IReadOnlyList<string> lines)
    {
        var masked = new List<string>();
        // A message holding a time has a size that depends on the time (protobuf varints), and so has the DATA frame that carries it.
        var sizeFollows = new HashSet<string>();
        foreach (var original in lines)
        {
            var line = original;
            line = Authority().Replace(line, "$1<port>");
            line = UserAgent().Replace(line, "$1(<runtime>)");
            line = TraceParent().Replace(line, "$1<trace id>");
            line = Date().Replace(line, "$1<date>");
            line = Timeout().Replace(line, "$1<timeout>");
            line = TimeSpanText().Replace(line, "<time span>");
            line = ConnectionId().Replace(line, "<connection id>");
            line = HeadersLength().Replace(line, "$1<n>");
            line = Abbreviated().Replace(line, "\"...\" ($1 chars)");
            var timed = false;
            line = JsonTime().Replace(line, m =>
            {
                timed = true;
                return $"{m.Groups[1].Value}\"<time>\"";
            });
            line = JsonSeconds().Replace(line, "$1\"<seconds>\"");
            if (timed && MessageSize().Match(line) is { Success: true } size)
            {
                line = MessageSize().Replace(line, "$1<n> bytes:");
                sizeFollows.Add(size.Groups[2].Value);
            }
            if (DataLength().Match(line) is { Success: true } data && sizeFollows.Remove(data.Groups[2].Value))
            {
                line = DataLength().Replace(line, "$1<n>");
            }
            masked.Add(line);
        }
        return masked;
    }

    /// <summary>
    /// The trace in a form that does not depend on thread timing. Three sources write a server's
    /// trace at once: Kestrel's connection loop (frames received), its output writer (frames sent),
    /// and the call's own code (messages, grpc-dotnet's log). Each is in order by itself; how
    /// their lines interleave is up to the thread scheduler. So each source's lines are compared
    /// in order, and the interleaving is not. A header line belongs to the line above it.
    /// </summary>
    public static string Canonical(IReadOnlyList<string> lines)
    {
        var received = new StringBuilder();
        var sent = new StringBuilder();
        var rest = new StringBuilder();
        var current = rest;
        foreach (var line in lines)
        {
            var text = Text(line);
            if (!text.StartsWith("       ", StringComparison.Ordinal))
            {
                current = Frame().Match(text) is { Success: true } frame ? (frame.Groups[1].Value == "<-" ? received : sent) : rest;
            }
            current.AppendLine(line);
        }
        return $"{received}--\n{sent}--\n{rest}";
    }

    /// <summary>
    /// A call that ends at its deadline: both sides run a timer, and which fires first (the
    /// server, with trailers carrying DEADLINE_EXCEEDED; or the client, with a reset) is a matter
    /// of a millisecond, and so are the lines that follow. Compared exactly up to the first of
    /// them; after that, the call must end one of the two ways.
    /// </summary>
    public static string CanonicalDeadline(IReadOnlyList<string> lines)
    {
        var end = lines.ToList().FindIndex(l => DeadlineEvent().IsMatch(Text(l)));
        var prefix = end < 0 ? lines : [.. lines.Take(end)];
        var tail = end < 0 ? [] : lines.Skip(end).Select(Text).ToList();
        var ended = tail.Contains("       grpc-status: 4") || tail.Any(t => t.StartsWith("<- RST_STREAM", StringComparison.Ordinal));
        return $"{Canonical(prefix)}--\nended by the deadline: {ended}\n";
    }

    [GeneratedRegex(@"^(<- RST_STREAM|-> HEADERS .*END_STREAM|!! |   grpc: Request with timeout)")]
    private static partial Regex DeadlineEvent();

    /// <summary>True once a call's trace has its end: trailers, a reset, or the client's verdict.</summary>
    public static bool IsComplete(IReadOnlyList<string> lines) =>
        lines.Any(l => Ending().IsMatch(Text(l)));

    [GeneratedRegex(@"^(-> HEADERS .*END_STREAM|<- trailers|.. RST_STREAM|!! the call ended)")]
    private static partial Regex Ending();

    private static string Text(string line)
    {
        // "wire #3 <- HEADERS ..." -> "<- HEADERS ..."
        var afterWire = line.IndexOf(' ', StringComparison.Ordinal);
        var afterLabel = afterWire < 0 ? -1 : line.IndexOf(' ', afterWire + 1);
        return afterLabel < 0 ? line : line[(afterLabel + 1)..];
    }

    [GeneratedRegex(@"^(<-|->) [A-Z_]{4,}\b")]
    private static partial Regex Frame();

    [GeneratedRegex(@"(127\.0\.0\.1:)\d+")]
    private static partial Regex Authority();

    [GeneratedRegex(@"(user-agent: grpc-dotnet/[\d.]+ )\(.*\)")]
    private static partial Regex UserAgent();

    [GeneratedRegex(@"(traceparent: ).*")]
    private static partial Regex TraceParent();

    [GeneratedRegex(@"(date: ).*")]
    private static partial Regex Date();

    [GeneratedRegex(@"(grpc-timeout: )\d+([HMSmun])")]
    private static partial Regex Timeout();

    [GeneratedRegex(@"\d\d:\d\d:\d\d(\.\d+)?")]
    private static partial Regex TimeSpanText();

    [GeneratedRegex(@"\b0H[0-9A-Z]{11}\b")]
    private static partial Regex ConnectionId();

    [GeneratedRegex(@"((?:<-|->) HEADERS +stream=\d+ length=)\d+")]
    private static partial Regex HeadersLength();

    [GeneratedRegex(@"""[^""]{24}\.\.\."" \((\d+) chars\)")]
    private static partial Regex Abbreviated();

    [GeneratedRegex(@"(""time"": )""\d{4}-[^""]+""")]
    private static partial Regex JsonTime();

    [GeneratedRegex(@"(""timestamp"": )""\d+""")]
    private static partial Regex JsonSeconds();

    [GeneratedRegex(@"^(wire \S+ (<-|->) message \d+: \w+, )\d+ bytes:")]
    private static partial Regex MessageSize();

    [GeneratedRegex(@"^(wire \S+ (<-|->) DATA +stream=\d+ length=)[1-9]\d*")]
    private static partial Regex DataLength();
}

/// <summary>
/// book.md's quoted traces: each is a fenced block right after a marker
/// <c>&lt;!-- wire-trace 02-server-streaming server #2 --&gt;</c> (chapter, side, call). The
/// same marker may appear twice when a call can end two ways (a deadline: whichever side's
/// timer fires first), and a capture must then match one of them.
/// </summary>
internal static partial class Book
{
    public const string AcceptVariable = "STREAMINGTUTORIAL_ACCEPT_WIRE";

    public static string Root { get; } = StreamingTutorial.TestKit.Programs.Workbook.Root;

    public static bool Accepting => Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "add";

    public static string PathOfBook => Path.Combine(Root, "book.md");

    public static List<(string Key, List<string> Lines)> Traces()
    {
        var found = new List<(string, List<string>)>();
        foreach (Match match in Block().Matches(File.ReadAllText(PathOfBook).ReplaceLineEndings("\n")))
        {
            found.Add((match.Groups["key"].Value, [.. match.Groups["body"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)]));
        }
        return found;
    }

    public static List<List<string>> TracesOf(string key) => [.. Traces().Where(t => t.Key == key).Select(t => t.Lines)];

    /// <summary>
    /// With STREAMINGTUTORIAL_ACCEPT_WIRE=1, book.md's block(s) for the key are replaced by the
    /// capture; with =add, the capture is added as one more way the call can go.
    /// </summary>
    public static void Accept(string key, IReadOnlyList<string> capture)
    {
        // The chapters' tests run in parallel; one writer at a time.
        lock (Writing)
        {
            AcceptLocked(key, capture);
        }
    }

    private static readonly Lock Writing = new();

    private static void AcceptLocked(string key, IReadOnlyList<string> capture)
    {
        var mode = Environment.GetEnvironmentVariable(AcceptVariable);
        var text = File.ReadAllText(PathOfBook).ReplaceLineEndings("\n");
        var block = $"<!-- wire-trace {key} -->\n```text\n{string.Join('\n', capture)}\n```\n";
        var matches = Block().Matches(text).Where(m => m.Groups["key"].Value == key).ToList();
        if (matches.Count == 0)
        {
            Assert.Fail($"book.md has no block for {key}: add a line '<!-- wire-trace {key} -->' followed by an empty ```text block where it belongs.");
        }
        if (mode == "add")
        {
            var last = matches[^1];
            text = text.Insert(last.Index + last.Length, "\n" + block);
        }
        else
        {
            for (var i = matches.Count - 1; i >= 0; i--)
            {
                text = text.Remove(matches[i].Index, matches[i].Length).Insert(matches[i].Index, i == 0 ? block : "");
            }
        }
        File.WriteAllText(PathOfBook, text);
    }

    [GeneratedRegex(@"<!-- wire-trace (?<key>[^>]+?) -->\n```text\n(?<body>(?:(?!```)[^\n]*\n)*)```\n(?:\n(?=<!-- wire-trace))?")]
    private static partial Regex Block();
}
