using System.Text.RegularExpressions;
using StreamingTutorial.Catalog;
using StreamingTutorial.TestKit;

namespace StreamingTutorial.Demos.Tests;

/// <summary>
/// A built demo program (solutions/NN-x) run as a process by the test kit, in a folder of its
/// own; its lines are stdout and stderr together (the wire trace is written to both), and every
/// wait fails the test with what it printed.
/// </summary>
internal sealed partial class DemoProcess : IDisposable
{
    // Generous: a CI machine running other tests at the same time can be slow to start a program.
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly ChildProcess process;

    private DemoProcess(ChildProcess process)
    {
        this.process = process;
    }

    public string Name => process.Name;

    public IReadOnlyList<string> Lines => process.Lines;

    public string Transcript => $"{Name} printed:\n{string.Join('\n', Lines)}";

    public static DemoProcess Start(string name, Chapter chapter, params string[] arguments) =>
        new(ChildProcess.Start(Programs.Dotnet(chapter.Program, arguments) with
        {
            Name = name,
            WorkingDirectory = Directory.CreateTempSubdirectory("demo-").FullName,
            Patience = Patience,
        }));

    /// <summary>Starts a demo server on a free port and waits for its "listening on" line; returns it and its port.</summary>
    public static async Task<(DemoProcess Server, string Port)> StartServerAsync(Chapter chapter, params string[] arguments)
    {
        var server = Start($"{chapter.Folder} server", chapter, ["server", "--port", "0", .. arguments]);
        var listening = await server.WaitForLineAsync("the 'listening on' line", l => Listening().IsMatch(l));
        return (server, Listening().Match(listening).Groups[1].Value);
    }

    public void Type(string text) => process.Type(text);

    public async Task<string> WaitForLineAsync(string what, Func<string, bool> match, int occurrence = 1)
    {
        string? found = null;
        if (!await process.WaitUntilAsync(() => (found = process.Lines.Where(match).Skip(occurrence - 1).FirstOrDefault()) is not null))
        {
            Assert.Fail($"{Name} did not print {what} within {Patience.TotalSeconds:0} s. {Transcript}");
        }
        return found!;
    }

    /// <summary>True once the output so far satisfies the condition; false if it has not within the patience, or the program ended without.</summary>
    public Task<bool> WaitUntilAsync(Func<IReadOnlyList<string>, bool> condition) => process.WaitUntilAsync(() => condition(process.Lines));

    public async Task<int> WaitForExitAsync()
    {
        if (await process.WaitForExitAsync() is not { } code)
        {
            Assert.Fail($"{Name} did not end within {Patience.TotalSeconds:0} s. {Transcript}");
            throw new InvalidOperationException("unreachable");
        }
        return code;
    }

    public void Dispose() => process.Dispose();

    [GeneratedRegex(@"listening on http://127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();
}

/// <summary>A chapter's built reference solution.</summary>
internal sealed record Chapter(string Folder, string Program)
{
    public static Chapter Of(string folder, string assembly)
    {
        var program = Programs.BuiltSolution(ChapterCatalog.Current.Chapters.Single(c => c.Folder == folder));
        Assert.That(Path.GetFileNameWithoutExtension(program), Is.EqualTo(assembly), $"the assembly of solutions/{folder}");
        return new Chapter(folder, program);
    }
}
