using System.Diagnostics;
using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Spectre.Console;
using Spectre.Console.Cli;
using StreamingTutorial.Workbook.Watch;

namespace StreamingTutorial.Workbook.Commands;

/// <summary>
/// watch [N]: grades the chapter being edited on every save. It starts with chapter N (or the
/// chapter of the next step), then follows the files saved under chapters/. A save during a
/// grading cancels it and grades the newer files.
/// </summary>
public sealed class WatchCommand(Lazy<WorkbookFolder> folder) : AsyncCommand<WatchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[CHAPTER]")]
        [Description("the chapter to grade first; none: the chapter of your next step")]
        public string? Chapter { get; init; }
    }

    /// <summary>After a change, wait this long for more (editors often write a file in several steps).</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    public override ValidationResult Validate(CommandContext context, Settings settings) =>
        ChapterSettings.Check(() =>
        {
            if (settings.Chapter is not null)
            {
                folder.Value.ParseChapter(settings.Chapter);
            }
        });

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var workbook = folder.Value;
        var state = WorkbookState.Load(workbook.StateFolder);
        var chapter = settings.Chapter is not null
            ? workbook.ParseChapter(settings.Chapter)
            : NextStep.From(workbook.Catalog, state) is { Chapter: { } next } ? next : workbook.Catalog.Chapters[0];

        using var stop = new CancellationTokenSource();
        // Ctrl+C (and a polite kill) stops watching cleanly: the grading worker is stopped too.
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        // Each change with the moment it was seen, so the time shown runs from the save to the verdict.
        var changes = Channel.CreateUnbounded<(string Path, long Timestamp)>();
        using var watcher = new FileSystemWatcher(workbook.Paths.ChaptersFolder)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.DirectoryName,
        };
        void OnChange(string path)
        {
            if (ChapterOf(workbook, path) is not null)
            {
                changes.Writer.TryWrite((path, Stopwatch.GetTimestamp()));
            }
        }
        watcher.Changed += (_, e) => OnChange(e.FullPath);
        watcher.Created += (_, e) => OnChange(e.FullPath);
        watcher.Deleted += (_, e) => OnChange(e.FullPath);
        watcher.Renamed += (_, e) => OnChange(e.FullPath);
        // Events were lost (a burst of them, during a build): grade the current chapter again, to be sure.
        watcher.Error += (_, _) => changes.Writer.TryWrite(("", Stopwatch.GetTimestamp()));
        watcher.InternalBufferSize = 64 * 1024;
        watcher.EnableRaisingEvents = true;

        await using var grader = new FastGrader(workbook.Root);
        grader.WarmUp();
        AnsiConsole.MarkupLine($"Getting chapter {chapter.Number} ready to grade: building its grader once (later saves are graded in about a second)...");
        var changedAt = Stopwatch.GetTimestamp();
        Task? preparing = null;
        while (!stop.IsCancellationRequested)
        {
            // Grade, but give up on this grading as soon as another save arrives.
            using var newer = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            var waitForChange = changes.Reader.WaitToReadAsync(stop.Token).AsTask();
            var grading = grader.GradeAsync(chapter, newer.Token);
            if (await Task.WhenAny(grading, waitForChange) == waitForChange && !grading.IsCompleted)
            {
                newer.Cancel();
                await IgnoreCancellation(grading);
            }
            else
            {
                ChapterResult result;
                try
                {
                    result = await grading;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Whatever went wrong, keep watching: the next save may fix it.
                    result = ChapterResult.NotGraded(chapter, ex.Message);
                }
                state.Record(result);
                state.Save(workbook.StateFolder);
                Show(workbook, state, result, Stopwatch.GetElapsedTime(changedAt));
                // Once the first chapter is graded, get the others ready in the background, so the
                // first save in any chapter is graded in seconds rather than after a build.
                preparing ??= PrepareOthersAsync(workbook, grader, chapter, stop.Token);
            }

            // Wait for the next save, then for the editor to finish writing.
            try
            {
                await waitForChange;
                var last = await changes.Reader.ReadAsync(stop.Token);
                changedAt = last.Timestamp;
                while (true)
                {
                    using var quiet = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                    quiet.CancelAfter(Quiet);
                    try
                    {
                        last = await changes.Reader.ReadAsync(quiet.Token);
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        break;
                    }
                }
                chapter = last.Path.Length > 0 ? ChapterOf(workbook, last.Path) ?? chapter : chapter;
                if (Interactive)
                {
                    AnsiConsole.MarkupLine($"[grey]{(last.Path.Length > 0 ? Markup.Escape(BuildErrors.Relative(workbook.Root, last.Path)) : "chapters/")} changed: grading chapter {chapter.Number}...[/]");
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        if (preparing is not null)
        {
            await IgnoreCancellation(preparing);
        }
        AnsiConsole.MarkupLine("Stopped watching.");
        return 0;
    }

    /// <summary>Builds every other chapter's grader, one after the other, saying so once.</summary>
    public static async Task PrepareOthersAsync(WorkbookFolder workbook, FastGrader grader, Chapter first, CancellationToken cancellationToken)
    {
        var others = workbook.Catalog.Chapters.Where(c => c.Number != first.Number).ToList();
        if (others.Count == 0)
        {
            return;
        }
        AnsiConsole.MarkupLine($"[grey]Building the graders of chapters {string.Join(", ", others.Select(c => c.Number))} in the background, so a first save there is graded in seconds too.[/]");
        foreach (var other in others)
        {
            try
            {
                await grader.PrepareAsync(other, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                // Not ready is not fatal: the first save in that chapter builds it, and shows why it failed.
                AnsiConsole.MarkupLine($"[grey]Chapter {other.Number}'s grader could not be prepared ({Markup.Escape(ex.Message)}); it is built on its first save.[/]");
            }
        }
        AnsiConsole.MarkupLine("[grey]Every chapter's grader is ready.[/]");
    }

    private static bool Interactive => !Console.IsOutputRedirected;

    private static void Show(WorkbookFolder workbook, WorkbookState state, ChapterResult result, TimeSpan elapsed)
    {
        if (Interactive)
        {
            AnsiConsole.Clear();
        }
        Report.Chapter(result);

        // The progress bar covers every chapter: this one as just graded, the others (and this
        // one, if it does not build) as last graded.
        var all = workbook.Catalog.Chapters
            .Select(c => c.Number == result.Chapter.Number && result.Builds ? result
                : new ChapterResult(c, c.Exercises.Select(e => new ExerciseResult(c, e, state.GradeOf(e.Id), null)).ToList(), []))
            .ToList();
        Report.Progress(all);
        var step = NextStep.From([result]);
        if (step.Kind == NextStepKind.AllDone)
        {
            AnsiConsole.MarkupLine($"[green]Chapter {result.Chapter.Number} is done![/] Try its demo: {Markup.Escape(WorkbookFolder.Command)} demo {result.Chapter.Number}");
            Report.Next(workbook.Root, NextStep.From(workbook.Catalog, state), watching: true);
        }
        else
        {
            Report.Next(workbook.Root, step, watching: true);
        }
        // One plain line that says it all (scripts and the watch benchmark read it).
        Console.WriteLine(VerdictLine(result, elapsed));
        AnsiConsole.MarkupLine("[grey]Watching chapters/ for saves. Ctrl+C to stop.[/]");
    }

    public static string VerdictLine(ChapterResult result, TimeSpan elapsed)
    {
        var seconds = elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
        if (!result.Builds)
        {
            return $"Verdict: chapter {result.Chapter.Number} {result.Problem} ({seconds} s)";
        }
        var done = result.Exercises.Count(e => e.State == ExerciseState.Done);
        var failing = result.Exercises.Count(e => e.State == ExerciseState.Failing);
        var notStarted = result.Exercises.Count - done - failing;
        return $"Verdict: chapter {result.Chapter.Number}: {done} done, {failing} failing, {notStarted} not started ({seconds} s)";
    }

    /// <summary>The chapter a changed file belongs to: a source or project file under chapters/NN-*/ (or its tests, chapters/NN-*.Tests/), not build output.</summary>
    public static Chapter? ChapterOf(WorkbookFolder workbook, string path)
    {
        var relative = Path.GetRelativePath(workbook.Paths.ChaptersFolder, path).Replace('\\', '/');
        var parts = relative.Split('/');
        if (parts.Length < 2 || parts[1] is "bin" or "obj" || !(relative.EndsWith(".cs", StringComparison.Ordinal) || relative.EndsWith(".csproj", StringComparison.Ordinal)))
        {
            return null;
        }
        // chapters/NN-x.Tests holds the chapter's test exercise (N.T): a save there grades chapter N too.
        var folder = parts[0].EndsWith(".Tests", StringComparison.Ordinal) ? parts[0][..^".Tests".Length] : parts[0];
        return workbook.Catalog.Chapters.FirstOrDefault(c => c.Folder == folder);
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
