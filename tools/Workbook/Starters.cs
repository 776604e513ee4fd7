using System.ComponentModel;
using System.Globalization;
using System.Text;

namespace StreamingTutorial.Workbook;

/// <summary>A chapter's starter files, as found in the workbook's git history.</summary>
/// <param name="Files">Path relative to the chapter's folder, to content.</param>
public sealed record Starter(string Commit, IReadOnlyDictionary<string, byte[]> Files);

/// <summary>
/// Finds and restores a chapter's starter. The starter is taken from git: the newest commit
/// that touched the chapter's folder and in which every exercise of the chapter still throws
/// its "TODO N.k" NotImplementedException. That is the starter as the workbook ships it, even
/// after the learner has committed work of their own (those commits solve a TODO, so they are
/// passed over), and it includes fixes the workbook made to the starter later.
/// </summary>
public static class Starters
{
    public static async Task<Starter?> FindAsync(string root, Chapter chapter)
    {
        var folder = WorkbookPaths.Relative.ChapterFolder(chapter);
        var log = await GitAsync(root, ["log", "--format=%H", "--", folder]);
        if (log.ExitCode != 0)
        {
            throw new UsageException(log.StandardError.Contains("not a git repository", StringComparison.OrdinalIgnoreCase)
                ? "reset needs the workbook's git history, and this folder is not a git clone. Your files are unchanged."
                : $"git log failed: {log.StandardError.Trim()} Your files are unchanged.");
        }
        foreach (var commit in log.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (await IsStarterAsync(root, commit, folder, chapter))
            {
                var list = await GitAsync(root, ["ls-tree", "-r", "--name-only", commit, "--", folder + "/"]);
                var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                foreach (var path in list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var (exitCode, content) = await Processes.RunForBytesAsync("git", ["-C", root, "cat-file", "blob", $"{commit}:{path}"]);
                    if (exitCode == 0)
                    {
                        files[path[(folder.Length + 1)..]] = content;
                    }
                }
                return new Starter(commit, files);
            }
        }
        return null;
    }

    private static async Task<bool> IsStarterAsync(string root, string commit, string folder, Chapter chapter)
    {
        // The chapter's own folder only: its test exercise lives beside it (chapters/NN-x.Tests), and reset leaves it alone.
        foreach (var group in chapter.Exercises.Where(e => !e.File.StartsWith("../", StringComparison.Ordinal)).GroupBy(e => e.File))
        {
            var show = await GitAsync(root, ["show", $"{commit}:{folder}/{group.Key}"]);
            if (show.ExitCode != 0 || group.Any(e => !show.StandardOutput.Contains($"throw new NotImplementedException(\"{e.Todo}: {e.Name}\")", StringComparison.Ordinal)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Copies the chapter's folder to .workbook/backups/&lt;folder&gt;-&lt;time&gt;/, then makes the
    /// folder exactly the starter: starter files rewritten, files the starter does not have
    /// removed (they are in the backup). Build output (bin/, obj/) is left alone.
    /// </summary>
    /// <returns>The backup folder.</returns>
    public static string Restore(string root, Chapter chapter, Starter starter, DateTime now)
    {
        var folder = new WorkbookPaths(root).ChapterFolder(chapter);
        var backups = Path.Combine(root, ".workbook", "backups");
        var backup = Path.Combine(backups, $"{chapter.Folder}-{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        for (var n = 2; Directory.Exists(backup); n++)
        {
            backup = Path.Combine(backups, $"{chapter.Folder}-{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{n}");
        }

        var current = Directory.Exists(folder) ? LearnerFiles(folder) : [];
        foreach (var relative in current)
        {
            var target = Path.Combine(backup, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(folder, relative), target);
        }
        // Only once everything is backed up does anything in the chapter change.
        foreach (var relative in current.Where(f => !starter.Files.ContainsKey(f.Replace('\\', '/'))))
        {
            File.Delete(Path.Combine(folder, relative));
        }
        foreach (var (relative, content) in starter.Files)
        {
            var target = Path.Combine(folder, relative);
            // A file that is already the starter's is left as it is, so nothing rebuilds it for nothing.
            if (!File.Exists(target) || !File.ReadAllBytes(target).AsSpan().SequenceEqual(content))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllBytes(target, content);
            }
        }
        return backup;
    }

    /// <summary>The chapter's files, relative to its folder, without build output.</summary>
    public static List<string> LearnerFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f))
            .Where(f => f.Replace('\\', '/').Split('/')[0] is not ("bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static async Task<ProcessResult> GitAsync(string root, string[] arguments)
    {
        try
        {
            return await Processes.RunAsync("git", ["-C", root, .. arguments]);
        }
        catch (Win32Exception)
        {
            throw new UsageException("reset needs git, which is not installed (or not on the PATH). Your files are unchanged.");
        }
    }
}
