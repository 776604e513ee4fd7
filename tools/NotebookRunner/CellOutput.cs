using System.Text;

namespace StreamingTutorial.NotebookRunner;

/// <summary>
/// Stands in for Console.Out (or Console.Error) while a notebook runs: everything written is
/// shown at once, so a stream's messages appear as they arrive, and is also kept for the cell
/// that is running, so it can be written into the notebook. Output from background tasks
/// goes to the cell that is running when it is written, as in a notebook editor.
/// </summary>
public sealed class CellOutput(TextWriter echo) : TextWriter
{
    private readonly Lock gate = new();
    private StringBuilder current = new();

    public override Encoding Encoding => echo.Encoding;

    public override void Write(char value)
    {
        lock (gate)
        {
            current.Append(value);
            echo.Write(value);
        }
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        lock (gate)
        {
            current.Append(value);
            echo.Write(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (gate)
        {
            if (count == 0)
            {
                return;
            }
            current.Append(buffer, index, count);
            echo.Write(buffer, index, count);
        }
    }

    public override void Flush() => echo.Flush();

    /// <summary>What was written since the last call, and a fresh start for the next cell.</summary>
    public string TakeText()
    {
        lock (gate)
        {
            echo.Flush();
            var text = current.ToString();
            current = new StringBuilder();
            return text;
        }
    }
}
