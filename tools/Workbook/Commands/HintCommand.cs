using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace StreamingTutorial.Workbook.Commands;

/// <summary>
/// hint [N | N.k]: the exercise's hints from chapters.json, one more each time. With no
/// argument, for the next exercise (the first failing or not started one, as last graded); with
/// a chapter number, for that chapter's first exercise not done; with an exercise id, for it.
/// How many were shown is remembered in .workbook/state.json.
/// </summary>
public sealed class HintCommand(Lazy<WorkbookFolder> folder) : Command<HintCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[N|N.k]")]
        [Description("a chapter (its first exercise not done) or an exercise, e.g. 1 or 1.3; none: your next exercise")]
        public string? Which { get; init; }
    }

    public override ValidationResult Validate(CommandContext context, Settings settings) =>
        ChapterSettings.Check(() =>
        {
            if (settings.Which is not null)
            {
                folder.Value.ParseChapterOrExercise(settings.Which);
            }
        });

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var workbook = folder.Value;
        var state = WorkbookState.Load(workbook.StateFolder);
        Chapter chapter;
        Exercise exercise;
        try
        {
            (chapter, exercise) = Choose(workbook, state, settings.Which);
        }
        catch (NothingLeftException done)
        {
            // Good news, not a mistake: said plainly, and the command succeeds.
            AnsiConsole.MarkupLine($"[green]{Markup.Escape(done.Message)}[/]");
            return 0;
        }
        var location = NextStep.TodoLocation(workbook.Root, chapter, exercise);
        var number = Take(state, exercise);
        if (number is null)
        {
            AnsiConsole.MarkupLine($"You have seen every hint for exercise {exercise.Id} ({Markup.Escape(exercise.Name)}, {Markup.Escape(location)}). All of them:");
            for (var i = 0; i < exercise.Hints.Count; i++)
            {
                AnsiConsole.MarkupLine($"[yellow]{i + 1}.[/] {Markup.Escape(exercise.Hints[i].Text)}");
            }
            AnsiConsole.MarkupLine($"[grey]Still stuck? Read the chapter's section in book.md again, or see the solution: {Markup.Escape(WorkbookFolder.Command)} solution {chapter.Number} --force[/]");
            return 0;
        }
        state.Save(workbook.StateFolder);
        AnsiConsole.MarkupLine($"[bold]Hint {number} of {exercise.Hints.Count}[/] for exercise {exercise.Id} ({Markup.Escape(exercise.Name)}, {Markup.Escape(location)}):");
        AnsiConsole.Write(new Panel(Markup.Escape(exercise.Hints[number.Value - 1].Text)).Border(BoxBorder.Rounded).BorderColor(Color.Yellow));
        AnsiConsole.MarkupLine(number < exercise.Hints.Count
            ? $"[grey]Another one: {Markup.Escape(WorkbookFolder.Command)} hint {exercise.Id}[/]"
            : $"[grey]That was the last hint for exercise {exercise.Id}.[/]");
        return 0;
    }

    /// <summary>Which exercise the learner asks about.</summary>
    public static (Chapter Chapter, Exercise Exercise) Choose(WorkbookFolder workbook, WorkbookState state, string? argument)
    {
        if (argument is not null)
        {
            var (chapter, exercise) = workbook.ParseChapterOrExercise(argument);
            if (exercise is not null)
            {
                return (chapter, exercise);
            }
            var unfinished = chapter.Exercises.FirstOrDefault(e => state.GradeOf(e.Id) != ExerciseState.Done)
                ?? throw new NothingLeftException($"Every exercise of chapter {chapter.Number} is done. For one exercise's hints: {WorkbookFolder.Command} hint {chapter.Exercises[0].Id}");
            return (chapter, unfinished);
        }
        var step = NextStep.From(workbook.Catalog, state);
        switch (step.Kind)
        {
            case NextStepKind.FixFailing or NextStepKind.Start:
                return (step.Exercise!.Chapter, step.Exercise.Exercise);
            case NextStepKind.FixBuild:
                var chapter = step.Chapter!;
                return (chapter, chapter.Exercises.FirstOrDefault(e => state.GradeOf(e.Id) != ExerciseState.Done) ?? chapter.Exercises[0]);
            default:
                throw new NothingLeftException($"Every exercise is done. For one exercise's hints: {WorkbookFolder.Command} hint 1.1");
        }
    }

    /// <summary>The number (from 1) of the next hint to show, counted as shown; null when every hint was shown.</summary>
    public static int? Take(WorkbookState state, Exercise exercise)
    {
        var shown = state.HintsShown.GetValueOrDefault(exercise.Id);
        if (shown >= exercise.Hints.Count)
        {
            return null;
        }
        state.HintsShown[exercise.Id] = shown + 1;
        return shown + 1;
    }
}

/// <summary>Every exercise asked about is done: no hint is needed.</summary>
public sealed class NothingLeftException(string message) : Exception(message);
