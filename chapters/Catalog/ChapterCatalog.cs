using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingTutorial.Catalog;

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

    /// <summary>
    /// The hint a check names by its key. Keys are unique in the whole workbook, so a check of one
    /// exercise may point at another's hint (5.2's check that Broadcast does not block gives 5.1's hint).
    /// </summary>
    public Hint Hint(string key) =>
        Chapters.SelectMany(c => c.Exercises).SelectMany(e => e.Hints).FirstOrDefault(h => h.Key == key)
        ?? throw new KeyNotFoundException($"A check names hint '{key}', which chapters.json does not define.");
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

    [JsonPropertyName("demo")]
    public Demo? Demo { get; init; }
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

    /// <summary>In the order the hint command gives them; each keyed so the check that failed can name the one that fits.</summary>
    [JsonPropertyName("hints")]
    public required IReadOnlyList<Hint> Hints { get; init; }

    /// <summary>The hint shown when the learner's own code throws; the first hint when chapters.json names none.</summary>
    [JsonPropertyName("exceptionHint")]
    public string? ExceptionHint { get; init; }

    public string Todo => "TODO " + Id;
}

public sealed class Hint
{
    /// <summary>What graders' checks call this hint by, e.g. "utc-kind": unique in chapters.json.</summary>
    [JsonPropertyName("key")]
    public required string Key { get; init; }

    [JsonPropertyName("text")]
    public required string Text { get; init; }

    public override string ToString() => Text;
}
