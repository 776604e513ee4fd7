namespace StreamingTutorial.Chapter03;

/// <summary>
/// Shows upload progress as a text bar on one console line. Reports arrive on the caller's
/// thread, in order (unlike Progress&lt;T&gt;, which posts them to the thread pool).
/// </summary>
public sealed class ProgressBar(long total, int width = 30) : IProgress<long>
{
    private bool lineOpen;

    public void Report(long value)
    {
        var fraction = total == 0 ? 1.0 : Math.Clamp((double)value / total, 0, 1);
        var filled = (int)Math.Round(fraction * width);
        Console.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {fraction * 100,3:0}%  {value:N0} of {total:N0} bytes");
        lineOpen = value < total;
        if (!lineOpen)
        {
            Console.WriteLine();
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
