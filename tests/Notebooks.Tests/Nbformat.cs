using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace StreamingTutorial.Notebooks.Tests;

/// <summary>
/// The rules of the nbformat 4 schema (nbformat.v4.schema.json) that a notebook editor or
/// GitHub's renderer relies on, and the Polyglot Notebooks metadata that makes VS Code open a
/// notebook with the C# kernel. Each check returns what is wrong, empty when nothing is.
/// </summary>
public static partial class Nbformat
{
    private static readonly string[] CellTypes = ["code", "markdown", "raw"];

    public static List<string> Problems(JsonNode? notebook)
    {
        var problems = new List<string>();
        if (notebook is not JsonObject root)
        {
            return ["The notebook is not a JSON object."];
        }
        AllowOnly(root, "notebook", problems, "metadata", "nbformat", "nbformat_minor", "cells");
        if (Int(root["nbformat"]) != 4)
        {
            problems.Add($"nbformat must be 4, not {root["nbformat"]?.ToJsonString() ?? "missing"}.");
        }
        var minor = Int(root["nbformat_minor"]);
        if (minor is null or < 0)
        {
            problems.Add("nbformat_minor must be a number of 0 or more.");
        }
        if (root["metadata"] is not JsonObject)
        {
            problems.Add("The notebook needs a metadata object.");
        }
        if (root["cells"] is not JsonArray cells)
        {
            problems.Add("The notebook needs a cells array.");
            return problems;
        }
        var ids = new HashSet<string>();
        for (var i = 0; i < cells.Count; i++)
        {
            var where = $"cell {i + 1}";
            if (cells[i] is not JsonObject cell)
            {
                problems.Add($"{where} is not an object.");
                continue;
            }
            var type = Text(cell["cell_type"]);
            if (!CellTypes.Contains(type))
            {
                problems.Add($"{where} has cell_type '{type}'; it must be code, markdown or raw.");
                continue;
            }
            if (cell["metadata"] is not JsonObject)
            {
                problems.Add($"{where} needs a metadata object.");
            }
            if (!IsMultilineString(cell["source"]))
            {
                problems.Add($"{where}: source must be a string or an array of strings.");
            }
            if (minor >= 5)
            {
                var id = Text(cell["id"]);
                if (id is null || !CellId().IsMatch(id))
                {
                    problems.Add($"{where}: nbformat 4.5 needs an id of 1 to 64 letters, digits, '-' or '_'.");
                }
                else if (!ids.Add(id))
                {
                    problems.Add($"{where}: the id '{id}' is used twice.");
                }
            }
            var allowed = new List<string> { "cell_type", "metadata", "source" };
            if (minor >= 5)
            {
                allowed.Add("id");
            }
            if (type == "code")
            {
                allowed.AddRange(["execution_count", "outputs"]);
                if (!cell.ContainsKey("execution_count") || (cell["execution_count"] is not null && Int(cell["execution_count"]) is null or < 0))
                {
                    problems.Add($"{where}: a code cell needs execution_count, null or a number of 0 or more.");
                }
                if (cell["outputs"] is not JsonArray outputs)
                {
                    problems.Add($"{where}: a code cell needs an outputs array.");
                }
                else
                {
                    for (var o = 0; o < outputs.Count; o++)
                    {
                        OutputProblems(outputs[o], $"{where}, output {o + 1}", problems);
                    }
                }
            }
            else
            {
                allowed.Add("attachments");
            }
            AllowOnly(cell, where, problems, [.. allowed]);
        }
        return problems;
    }

    /// <summary>What keeps the notebook from opening in Polyglot Notebooks as a C# notebook.</summary>
    public static List<string> PolyglotProblems(JsonNode? notebook)
    {
        var problems = new List<string>();
        var metadata = notebook?["metadata"];
        if (Text(metadata?["kernelspec"]?["name"]) != ".net-csharp")
        {
            problems.Add("metadata.kernelspec.name must be '.net-csharp'.");
        }
        var kernelInfo = metadata?["polyglot_notebook"]?["kernelInfo"];
        if (Text(kernelInfo?["defaultKernelName"]) != "csharp")
        {
            problems.Add("metadata.polyglot_notebook.kernelInfo.defaultKernelName must be 'csharp'.");
        }
        if (kernelInfo?["items"] is not JsonArray items || !items.Any(item => Text(item?["name"]) == "csharp"))
        {
            problems.Add("metadata.polyglot_notebook.kernelInfo.items must list the 'csharp' kernel.");
        }
        var cells = notebook?["cells"] as JsonArray ?? [];
        for (var i = 0; i < cells.Count; i++)
        {
            if (Text(cells[i]?["cell_type"]) == "code" && Text(cells[i]?["metadata"]?["polyglot_notebook"]?["kernelName"]) != "csharp")
            {
                problems.Add($"cell {i + 1}: metadata.polyglot_notebook.kernelName must be 'csharp'.");
            }
        }
        return problems;
    }

    private static void OutputProblems(JsonNode? node, string where, List<string> problems)
    {
        if (node is not JsonObject output)
        {
            problems.Add($"{where} is not an object.");
            return;
        }
        switch (Text(output["output_type"]))
        {
            case "stream":
                AllowOnly(output, where, problems, "output_type", "name", "text");
                if (Text(output["name"]) is not ("stdout" or "stderr"))
                {
                    problems.Add($"{where}: a stream's name must be stdout or stderr.");
                }
                if (!IsMultilineString(output["text"]))
                {
                    problems.Add($"{where}: a stream needs text, a string or an array of strings.");
                }
                break;
            case "execute_result":
                AllowOnly(output, where, problems, "output_type", "execution_count", "data", "metadata");
                if (output["execution_count"] is not null && Int(output["execution_count"]) is null)
                {
                    problems.Add($"{where}: execution_count must be null or a number.");
                }
                MimeBundleProblems(output, where, problems);
                break;
            case "display_data":
                AllowOnly(output, where, problems, "output_type", "data", "metadata", "transient");
                MimeBundleProblems(output, where, problems);
                break;
            case "error":
                AllowOnly(output, where, problems, "output_type", "ename", "evalue", "traceback");
                if (Text(output["ename"]) is null || Text(output["evalue"]) is null)
                {
                    problems.Add($"{where}: an error needs ename and evalue strings.");
                }
                if (output["traceback"] is not JsonArray traceback || traceback.Any(line => line is not JsonValue value || !value.TryGetValue<string>(out _)))
                {
                    problems.Add($"{where}: an error needs a traceback array of strings.");
                }
                break;
            default:
                problems.Add($"{where} has output_type '{Text(output["output_type"])}'; it must be stream, execute_result, display_data or error.");
                break;
        }
    }

    private static void MimeBundleProblems(JsonObject output, string where, List<string> problems)
    {
        if (output["data"] is not JsonObject data)
        {
            problems.Add($"{where} needs a data object (a MIME bundle).");
        }
        else if (data.Any(entry => entry.Key.StartsWith("text/", StringComparison.Ordinal) && !IsMultilineString(entry.Value)))
        {
            problems.Add($"{where}: text data must be a string or an array of strings.");
        }
        if (output["metadata"] is not JsonObject)
        {
            problems.Add($"{where} needs a metadata object.");
        }
    }

    private static void AllowOnly(JsonObject node, string where, List<string> problems, params string[] names)
    {
        foreach (var (key, _) in node)
        {
            if (!names.Contains(key))
            {
                problems.Add($"{where} has '{key}', which nbformat 4 does not allow there.");
            }
        }
    }

    private static bool IsMultilineString(JsonNode? node) => node switch
    {
        JsonValue value => value.TryGetValue<string>(out _),
        JsonArray lines => lines.All(line => line is JsonValue value && value.TryGetValue<string>(out _)),
        _ => false,
    };

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static int? Int(JsonNode? node) => node is JsonValue value && value.TryGetValue<int>(out var number) ? number : null;

    [GeneratedRegex("^[a-zA-Z0-9-_]{1,64}$")]
    private static partial Regex CellId();
}
