using System.Globalization;

namespace StreamingTutorial.Bench;

/// <summary><c>--name value</c> pairs and <c>--flag</c>s, the same spelling the Python and Node peers take.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string?> values = new(StringComparer.Ordinal);

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var line = new CommandLine();
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }
            var name = args[i][2..];
            string? value = null;
            if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            line.values[name] = value;
        }
        return line;
    }

    public bool Has(string name) => values.ContainsKey(name);

    public string? Get(string name) => values.TryGetValue(name, out var value) ? value : null;

    public string Get(string name, string fallback) => Get(name) ?? fallback;

    public long GetLong(string name, long fallback)
    {
        var text = Get(name);
        if (text is null)
        {
            return fallback;
        }
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"--{name} needs a whole number, not '{text}'.");
    }

    public int GetInt(string name, int fallback) => checked((int)GetLong(name, fallback));

    public double GetDouble(string name, double fallback)
    {
        var text = Get(name);
        if (text is null)
        {
            return fallback;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"--{name} needs a number, not '{text}'.");
    }
}
