using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamingTutorial.NotebookRunner;

/// <summary>
/// A Jupyter notebook (nbformat 4) read as JSON. Only the cells' outputs and execution counts
/// are ever changed; every other field is written back as it was read.
/// </summary>
public sealed class Notebook
{
    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        // Keep quotes, arrows and accented letters readable in the file (and in diffs).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly JsonObject root;

    private Notebook(string path, JsonObject root, IReadOnlyList<NotebookCell> cells)
    {
        Path = path;
        this.root = root;
        Cells = cells;
    }

    public string Path { get; }

    public IReadOnlyList<NotebookCell> Cells { get; }

    public static Notebook Load(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(File.ReadAllText(fullPath));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {ex.Message}", ex);
        }
        if (parsed is not JsonObject root || root["nbformat"] is not JsonValue format || !format.TryGetValue<int>(out var version) || version != 4
            || root["cells"] is not JsonArray cells)
        {
            throw new InvalidDataException($"{path} is not an nbformat 4 notebook (it needs \"nbformat\": 4 and a \"cells\" array).");
        }
        var list = new List<NotebookCell>();
        try
        {
            var defaultKernel = root["metadata"]?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>() ?? "csharp";
            for (var i = 0; i < cells.Count; i++)
            {
                if (cells[i] is not JsonObject cell)
                {
                    throw new InvalidDataException($"{path}: cell {i + 1} is not a JSON object.");
                }
                list.Add(new NotebookCell(i + 1, cell, defaultKernel));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            // A field of the wrong JSON type, such as a source that is a number.
            throw new InvalidDataException($"{path} is not a valid nbformat 4 notebook: {ex.Message}", ex);
        }
        return new Notebook(fullPath, root, list);
    }

    /// <summary>Writes the notebook back to its file, with two-space indents and a final newline.</summary>
    public void Save()
    {
        var json = root.ToJsonString(WriteOptions).Replace("\r\n", "\n", StringComparison.Ordinal);
        File.WriteAllText(Path, json + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }
}

/// <summary>One cell of a notebook; <see cref="Number"/> counts every cell from 1, markdown included.</summary>
public sealed class NotebookCell(int number, JsonObject json, string defaultKernel)
{
    public int Number { get; } = number;

    public string Type { get; } = json["cell_type"]?.GetValue<string>() ?? "";

    public bool IsCode => Type == "code";

    /// <summary>The cell's kernel: its Polyglot kernel name, else the notebook's default.</summary>
    public string Kernel { get; } =
        json["metadata"]?["polyglot_notebook"]?["kernelName"]?.GetValue<string>()
        ?? json["metadata"]?["dotnet_interactive"]?["language"]?.GetValue<string>()
        ?? defaultKernel;

    public string Source { get; } = json["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        JsonValue text => text.GetValue<string>(),
        _ => "",
    };

    /// <summary>The first line with something on it, to name the cell in messages.</summary>
    public string FirstLine => Source.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "(empty cell)";

    /// <summary>Replaces the cell's outputs (nbformat 4 output objects) and its execution count.</summary>
    public void SetOutputs(int? executionCount, IEnumerable<JsonObject> outputs)
    {
        json["execution_count"] = executionCount;
        json["outputs"] = new JsonArray(outputs.Cast<JsonNode>().ToArray());
    }

    /// <summary>Text the way notebooks store it: a list of lines, each but the last ending in "\n".</summary>
    public static JsonArray Lines(string text)
    {
        var lines = new JsonArray();
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            lines.Add(text[start..end]);
            start = end;
        }
        return lines;
    }
}
