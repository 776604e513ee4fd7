using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace StreamingTutorial.Workbook.Commands;

/// <summary>reset N: puts a chapter back to its starter, after a confirmation, keeping the learner's files as a backup.</summary>
public sealed class ResetCommand(Lazy<WorkbookFolder> folder) : ChapterCommand<ResetCommand.Settings>(folder)
{
    public sealed class Settings : ChapterSettings
    {
        [CommandOption("-y|--yes")]
        [Description("do not ask first")]
        public bool Yes { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var workbook = Workbook;
        var yes = settings.Yes;
        var chapter = workbook.ParseChapter(settings.Chapter);
        var starter = await Starters.FindAsync(workbook.Root, chapter)
            ?? throw new UsageException($"No starter of chapter {chapter.Number} in this clone's git history (every exercise's TODO untouched). Your files are unchanged.");

        var question = $"Put chapter {chapter.Number} ({chapter.Title}) back to its starter? Your files will be kept in .workbook/backups/.";
        if (!yes && !Confirm(question))
        {
            AnsiConsole.MarkupLine("Nothing changed.");
            return 1;
        }
        var backup = Starters.Restore(workbook.Root, chapter, starter, DateTime.Now);

        var state = WorkbookState.Load(workbook.StateFolder);
        foreach (var exercise in chapter.Exercises)
        {
            state.LastGrade.Remove(exercise.Id);
            state.HintsShown.Remove(exercise.Id);
        }
        state.ChaptersNotBuilding.Remove(chapter.Number);
        state.Save(workbook.StateFolder);

        AnsiConsole.MarkupLine($"[green]Chapter {chapter.Number} is back to its starter[/] (from commit {starter.Commit[..7]}).");
        AnsiConsole.MarkupLine($"Your files are in {Markup.Escape(BuildErrors.Relative(workbook.Root, backup))}/");
        return 0;
    }

    /// <summary>Asks yes/no on the terminal; a piped answer works too (a line starting with y).</summary>
    private static bool Confirm(string question)
    {
        if (!Console.IsInputRedirected)
        {
            return AnsiConsole.Confirm(Markup.Escape(question), defaultValue: false);
        }
        Console.Write(question + " [y/N] ");
        var answer = Console.ReadLine();
        Console.WriteLine();
        if (answer is null)
        {
            throw new UsageException("reset needs a yes: answer y, or run it with --yes. Your files are unchanged.");
        }
        return answer.Trim().StartsWith('y') || answer.Trim().StartsWith('Y');
    }
}
