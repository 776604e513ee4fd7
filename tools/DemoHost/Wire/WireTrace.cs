using System.Text.RegularExpressions;
using Google.Protobuf;

namespace StreamingTutorial.DemoHost.Wire;

/// <summary>
/// Where <c>--wire</c> writes: one line at a time, each starting with the call it belongs to
/// (<c>wire #3</c>), so the calls of a busy server can be told apart. Every line comes from the
/// stack's own instrumentation (Kestrel's and grpc-dotnet's logs, ASP.NET Core's view of the
/// request, interceptors); this class only lays them out.
/// </summary>
public sealed partial class WireTrace(TextWriter output)
{
    private readonly Lock gate = new();

    /// <summary>Held while a group of lines must stay together and in order.</summary>
    public Lock Gate => gate;

    public void Line(string label, string text)
    {
        lock (gate)
        {
            output.WriteLine($"wire {label} {text}");
            output.Flush();
        }
    }

    /// <summary>Headers one per line, indented under the frame or request they came with.</summary>
    public void Headers(string label, IEnumerable<KeyValuePair<string, string>> headers)
    {
        lock (gate)
        {
            foreach (var (name, value) in headers)
            {
                Line(label, $"       {name}: {value}");
            }
        }
    }

    /// <summary>A message as it goes out or comes in: its type, its size as protobuf, its content as JSON.</summary>
    public static string Describe(object message) => message is IMessage protobuf
        ? $"{protobuf.Descriptor.Name}, {protobuf.CalculateSize()} bytes: {LongStrings().Replace(Json.Format(protobuf), Abbreviate)}"
        : message.GetType().Name;

    // A chunk of a file is kilobytes of base64: its start and its length say enough.
    private static string Abbreviate(Match match) =>
        $"\"{match.Groups[1].Value[..24]}...\" ({match.Groups[1].Value.Length} chars)";

    [GeneratedRegex("\"([^\"\\\\]{64,})\"")]
    private static partial Regex LongStrings();

    // Google.Protobuf's own JSON mapping, with default values left out as on the wire (proto3 sends no field at its default).
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default);
}
