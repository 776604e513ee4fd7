using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Documents;
using Jupyter = Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace StreamingTutorial.NotebookRunner;

/// <summary>
/// A notebook read with .NET Interactive's Documents library. Writing back keeps the file as it
/// was (indentation, key order, final newline) and replaces only the code cells' outputs and
/// execution counts, taken from what Documents writes for them.
/// </summary>
public sealed partial class NotebookFile
{
    private readonly string originalText;

    private NotebookFile(string path, string text, InteractiveDocument document)
    {
        Path = path;
        originalText = text;
        Document = document;
    }

    public string Path { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    public string Folder => System.IO.Path.GetDirectoryName(Path)!;

    public InteractiveDocument Document { get; }

    /// <summary>The cells in file order; the number a message shows is the index plus one.</summary>
    public IList<InteractiveDocumentElement> Cells => Document.Elements;

    public static NotebookFile Load(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var text = File.ReadAllText(fullPath);
        try
        {
            if (JsonNode.Parse(text) is not JsonObject root || root["nbformat"]?.GetValue<int>() != 4 || root["cells"] is not JsonArray)
            {
                throw new InvalidDataException($"{path} is not an nbformat 4 notebook (it needs \"nbformat\": 4 and a \"cells\" array).");
            }
            return new NotebookFile(fullPath, text, Jupyter.Notebook.Parse(text));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path} is not a valid nbformat 4 notebook: {ex.Message}", ex);
        }
    }

    /// <summary>The cell's source without a first line that only picks the kernel (#!csharp).</summary>
    public static string FirstLine(InteractiveDocumentElement cell) =>
        cell.Contents.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !KernelSelector().IsMatch(l)) ?? "(empty cell)";

    /// <summary>Writes the outputs the cells now hold into the file, changing nothing else.</summary>
    public void SaveOutputs()
    {
        var written = JsonNode.Parse(Jupyter.Notebook.ToJupyterJson(Document))!["cells"]!.AsArray();
        var root = JsonNode.Parse(originalText)!.AsObject();
        var cells = root["cells"]!.AsArray();
        if (written.Count != cells.Count)
        {
            throw new InvalidDataException($"{Name}: Documents read {written.Count} cells, the file has {cells.Count}; outputs not written.");
        }
        for (var i = 0; i < cells.Count; i++)
        {
            if (cells[i]!["cell_type"]?.GetValue<string>() == "code")
            {
                cells[i]!["execution_count"] = written[i]!["execution_count"]?.DeepClone();
                cells[i]!["outputs"] = written[i]!["outputs"]!.DeepClone();
            }
        }
        // The file's own indentation (two spaces unless it says otherwise) and final newline.
        var indent = Regex.Match(originalText, "\n( +)\"") is { Success: true } m ? m.Groups[1].Value.Length : 2;
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            IndentSize = indent,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        var json = root.ToJsonString(options).Replace("\r\n", "\n", StringComparison.Ordinal);
        File.WriteAllText(Path, json + (originalText.EndsWith('\n') ? "\n" : ""), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    [GeneratedRegex("^#!(csharp|c#|cs)$", RegexOptions.IgnoreCase)]
    public static partial Regex KernelSelector();
}
