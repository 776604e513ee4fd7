using System.Globalization;

namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>
/// Figures from the load and fault tests. Printed with the test's output and, when the
/// environment variable STREAMINGTUTORIAL_FIGURES names a file, appended to it (CI collects them).
/// </summary>
internal static class Figures
{
    public const string FileVariable = "STREAMINGTUTORIAL_FIGURES";
    private static readonly Lock FileLock = new();

    public static void Report(string test, string line)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"[{test}] {line}");
        TestContext.Out.WriteLine(text);
        TestContext.Progress.WriteLine(text);
        var path = Environment.GetEnvironmentVariable(FileVariable);
        if (!string.IsNullOrEmpty(path))
        {
            lock (FileLock)
            {
                File.AppendAllText(path, text + Environment.NewLine);
            }
        }
    }

    public static string MiB(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
}
