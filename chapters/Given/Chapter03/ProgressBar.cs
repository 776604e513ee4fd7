namespace StreamingTutorial.Chapter03;

/// <summary>
/// Shows upload progress as a text bar: <c>[#####.........]  40%  1,048,576 of 2,621,440 bytes</c>.
/// In a terminal the bar redraws one line in place, and only when the percentage moves (a large
/// file reports thousands of chunks); into a file or a pipe it writes a line every 10 %.
/// Reports arrive on the caller's thread, in order (unlike Progress&lt;T&gt;, which posts them to the thread pool).
/// </summary>
public sealed class ProgressBar(long total, int width = 30) : IProgress<long>
{
    private readonly bool terminal = !Console.IsOutputRedirected;
    private int shown = -1;
    private bool lineOpen;
    private bool done;

    public void Report(long value)
    {
        if (done)
        {
            return;
        }
        var fraction = total == 0 ? 1.0 : Math.Clamp((double)value / total, 0, 1);
        var percent = (int)Math.Floor(fraction * 100);
        var step = terminal ? percent : percent / 10 * 10;
        if (step == shown && value < total)
        {
            return;
        }
        shown = step;
        done = value >= total;
        var filled = (int)Math.Round(fraction * width);
        var text = $"[{new string('#', filled)}{new string('.', width - filled)}] {percent,3}%  {value:N0} of {total:N0} bytes";
        if (terminal)
        {
            // Padded to the width of the window, so a shorter line wipes what the last one left.
            var columns = WindowWidth() - 1;
            Console.Write("\r" + (text.Length < columns ? text.PadRight(columns) : text));
            lineOpen = value < total;
            if (!lineOpen)
            {
                Console.WriteLine();
            }
        }
        else
        {
            Console.WriteLine(text);
        }
    }

    private static int WindowWidth()
    {
        try
        {
            return Console.WindowWidth;
        }
        catch (IOException)
        {
            return 0; // no window to measure: the line is not padded
        }
    }

    /// <summary>Ends the bar's line if the upload stopped before the end, so an error is printed on a line of its own.</summary>
    public void EndLine()
    {
        if (lineOpen)
        {
            Console.WriteLine();
            lineOpen = false;
        }
    }
}
