namespace StreamingTutorial.Workbook;

/// <summary>A command's arguments: positional values, --flags and --name value options.</summary>
public sealed class CommandLine
{
    private readonly HashSet<string> flags = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> options = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> used = new(StringComparer.OrdinalIgnoreCase);

    private CommandLine(string command, List<string> positional)
    {
        Command = command;
        Positional = positional;
    }

    public string Command { get; }

    public IReadOnlyList<string> Positional { get; }

    /// <param name="valueOptions">The options that take a value (--port 50051); every other --name is a flag.</param>
    public static CommandLine Parse(string[] args, params string[] valueOptions)
    {
        var positional = new List<string>();
        var line = new CommandLine(args.Length > 0 && !args[0].StartsWith('-') ? args[0].ToLowerInvariant() : "progress", positional);
        for (var i = args.Length > 0 && !args[0].StartsWith('-') ? 1 : 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-y")
            {
                line.flags.Add("yes");
            }
            else if (arg is "-h")
            {
                line.flags.Add("help");
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var name = arg[2..];
                if (valueOptions.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    if (i + 1 >= args.Length)
                    {
                        throw new UsageException($"--{name} needs a value.");
                    }
                    line.options[name] = args[++i];
                }
                else
                {
                    line.flags.Add(name);
                }
            }
            else
            {
                positional.Add(arg);
            }
        }
        return line;
    }

    public bool Has(string flag)
    {
        used.Add(flag);
        return flags.Contains(flag);
    }

    public string? Option(string name)
    {
        used.Add(name);
        return options.GetValueOrDefault(name);
    }

    /// <summary>Refuses flags and extra arguments the command does not know, rather than ignoring them.</summary>
    public void EnsureAllUsed(int maxPositional)
    {
        var unknown = flags.Concat(options.Keys).FirstOrDefault(f => !used.Contains(f) && f != "help");
        if (unknown is not null)
        {
            throw new UsageException($"'{Command}' has no option --{unknown}.");
        }
        if (Positional.Count > maxPositional)
        {
            throw new UsageException($"Unexpected argument '{Positional[maxPositional]}'.");
        }
    }
}
