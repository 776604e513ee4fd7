using System.Text.RegularExpressions;

namespace StreamingTutorial.Workbook;

/// <summary>
/// Build errors as the learner should see them: "chapters/01-unary/FileServiceImpl.cs:12: error
/// CS1002: ; expected", relative to the workbook, one line each, without duplicates.
/// </summary>
public static partial class BuildErrors
{
    public const int MaxShown = 10;
    private const int MaxMessageLength = 240;

    public static string Format(string root, string? path, int line, string code, string message)
    {
        var text = Trim(message);
        return path is null || path.Length == 0
            ? $"error {code}: {text}"
            : $"{Relative(root, path)}:{line}: error {code}: {text}";
    }

    /// <summary>The errors in dotnet build/test output, in order, without duplicates (MSBuild repeats them in its summary).</summary>
    public static List<string> FromMsBuildOutput(string output, string root)
    {
        var errors = new List<string>();
        foreach (Match match in MsBuildError().Matches(output))
        {
            var path = match.Groups["path"].Success ? match.Groups["path"].Value.Trim() : null;
            var line = match.Groups["line"].Success ? int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
            var error = path is not null && line > 0
                ? Format(root, path, line, match.Groups["code"].Value, match.Groups["message"].Value)
                : $"error {match.Groups["code"].Value}: {Trim(match.Groups["message"].Value)}";
            if (!errors.Contains(error))
            {
                errors.Add(error);
            }
        }
        return errors;
    }

    public static string Relative(string root, string path)
    {
        var full = Path.IsPathRooted(path) ? path : Path.Combine(root, path);
        var relative = Path.GetRelativePath(root, full);
        return (relative.StartsWith("..", StringComparison.Ordinal) ? full : relative).Replace('\\', '/');
    }

    private static string Trim(string message)
    {
        var text = message.Trim();
        var newline = text.IndexOfAny(['\r', '\n']);
        if (newline >= 0)
        {
            text = text[..newline].TrimEnd();
        }
        return text.Length <= MaxMessageLength ? text : text[..(MaxMessageLength - 3)] + "...";
    }

    // "path/File.cs(12,34): error CS1002: ; expected [project]" or "... : error NU1101: ... [project]".
    [GeneratedRegex(@"^\s*(?:(?<path>[^\r\n]+?)\((?<line>\d+)(?:,\d+)*\)\s*:\s*|[^\r\n]*?:\s*)?error (?<code>[A-Z]+\d+)\s*:\s*(?<message>[^\r\n]*?)(?:\s+\[[^\r\n\]]+\])?\s*$", RegexOptions.Multiline)]
    private static partial Regex MsBuildError();
}
