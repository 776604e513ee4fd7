using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingTutorial.Workbook;

/// <summary>
/// What the tool remembers between runs, in .workbook/state.json (ignored by git): how many
/// hints of each exercise were shown, and the last grade of each exercise, so hint and demo
/// know where the learner is without grading again.
/// </summary>
public sealed class WorkbookState
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>Exercise id to the number of its hints shown so far.</summary>
    public Dictionary<string, int> HintsShown { get; init; } = new();

    /// <summary>Exercise id to its state when last graded.</summary>
    public Dictionary<string, ExerciseState> LastGrade { get; init; } = new();

    /// <summary>Chapters whose last grading stopped at a build error.</summary>
    public HashSet<int> ChaptersNotBuilding { get; init; } = new();

    public static string PathIn(string stateFolder) => Path.Combine(stateFolder, "state.json");

    public static WorkbookState Load(string stateFolder)
    {
        var path = PathIn(stateFolder);
        if (!File.Exists(path))
        {
            return new WorkbookState();
        }
        try
        {
            return JsonSerializer.Deserialize<WorkbookState>(File.ReadAllText(path), Options) ?? new WorkbookState();
        }
        catch (JsonException)
        {
            // A damaged state file only loses hint counts and last grades; start afresh rather than fail.
            return new WorkbookState();
        }
    }

    public void Save(string stateFolder)
    {
        Directory.CreateDirectory(stateFolder);
        var path = PathIn(stateFolder);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Options));
        File.Move(temporary, path, overwrite: true);
    }

    public void Record(ChapterResult result)
    {
        if (!result.Builds)
        {
            ChaptersNotBuilding.Add(result.Chapter.Number);
            return;
        }
        ChaptersNotBuilding.Remove(result.Chapter.Number);
        foreach (var exercise in result.Exercises)
        {
            LastGrade[exercise.Exercise.Id] = exercise.State;
        }
    }

    public ExerciseState GradeOf(string exerciseId) => LastGrade.TryGetValue(exerciseId, out var state) ? state : ExerciseState.NotStarted;
}
