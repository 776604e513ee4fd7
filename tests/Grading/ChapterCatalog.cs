using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingTutorial.Grading;

/// <summary>The workbook's chapters and exercises, read from chapters/chapters.json: the one source of titles, files and hints.</summary>
public sealed class ChapterCatalog
{
    private static readonly Lazy<ChapterCatalog> Default = new(() => Load(Path.Combine(AppContext.BaseDirectory, "chapters.json")));

    [JsonPropertyName("chapters")]
    public required IReadOnlyList<Chapter> Chapters { get; init; }

    public static ChapterCatalog Current => Default.Value;

    public static ChapterCatalog Load(string path)
    {
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<ChapterCatalog>(stream, new JsonSerializerOptions { ReadCommentHandling = JsonCommentHandling.Skip })
            ?? throw new InvalidDataException($"{path} is empty.");
    }

    public Exercise Exercise(string id) =>
        Chapters.SelectMany(c => c.Exercises).FirstOrDefault(e => e.Id == id)
        ?? throw new KeyNotFoundException($"No exercise '{id}' in chapters.json.");

    public Chapter ChapterOf(Exercise exercise) => Chapters.First(c => c.Exercises.Contains(exercise));
}

public sealed class Chapter
{
    [JsonPropertyName("number")]
    public required int Number { get; init; }

    /// <summary>The folder under chapters/ and solutions/, e.g. "01-unary".</summary>
    [JsonPropertyName("folder")]
    public required string Folder { get; init; }

    [JsonPropertyName("title")]
    public required string Title { get; init; }

    [JsonPropertyName("project")]
    public required string Project { get; init; }

    [JsonPropertyName("exercises")]
    public required IReadOnlyList<Exercise> Exercises { get; init; }
}

public sealed class Exercise
{
    /// <summary>"chapter.exercise", e.g. "1.3"; the TODO in the code is marked "TODO 1.3".</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary>The method the learner writes.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>"server" or "client".</summary>
    [JsonPropertyName("side")]
    public required string Side { get; init; }

    /// <summary>The file the TODO is in, relative to the chapter's folder.</summary>
    [JsonPropertyName("file")]
    public required string File { get; init; }

    [JsonPropertyName("hints")]
    public required IReadOnlyList<string> Hints { get; init; }

    public string Todo => "TODO " + Id;
}
