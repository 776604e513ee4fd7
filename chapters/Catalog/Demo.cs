using System.Text.Json.Serialization;

namespace StreamingTutorial.Catalog;

/// <summary>
/// What the workbook's <c>demo</c> command needs to know of a chapter beyond its program's
/// <c>server</c> and <c>demo</c> modes (chapters.json's optional <c>"demo"</c>).
/// </summary>
public sealed class Demo
{
    /// <summary>
    /// When set, the server stays up after the scripted part, for the learner's own clients: the
    /// text says so (e.g. "The room is still open: join it from other terminals (two or more!)").
    /// </summary>
    [JsonPropertyName("stayOpen")]
    public string? StayOpen { get; init; }
}
