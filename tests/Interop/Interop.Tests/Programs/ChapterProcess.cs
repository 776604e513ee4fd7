namespace StreamingTutorial.Interop.Tests.Programs;

/// <summary>The built chapter programs (solutions/NN-x, project references of this project) and the seed-shaped Python peers, started through the test kit.</summary>
internal static class ChapterPrograms
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static string Unary => TestKit.Programs.BuiltSolution(1);

    public static string ServerStreaming => TestKit.Programs.BuiltSolution(2);

    public static string Uploader => TestKit.Programs.BuiltSolution(3);

    public static string Sum => TestKit.Programs.BuiltSolution(4);

    public static string Chat => TestKit.Programs.BuiltSolution(5);

    /// <summary>tests/Interop/peers/seeds: the Python peers shaped like the seeds' own programs.</summary>
    public static string SeedPeers => Path.Combine(TestKit.Programs.Workbook.Root, "tests", "Interop", "peers", "seeds");

    /// <summary>A chapter program (a .dll run by dotnet).</summary>
    public static ChildProcess Dotnet(string name, string program, params string[] arguments) =>
        ChildProcess.Start(TestKit.Programs.Dotnet(program, arguments) with { Name = name, Patience = Patience });

    /// <summary>A chapter program with stderr merged into stdout, as a terminal shows both.</summary>
    public static ChildProcess DotnetMerged(string name, string program, params string[] arguments) =>
        ChildProcess.Start(TestKit.Programs.Dotnet(program, arguments) with { Name = name, Patience = Patience, MergeErrors = true });

    /// <summary>A script under tests/Interop/peers/seeds (or a path relative to it), run there.</summary>
    public static ChildProcess Python(string name, string script, params string[] arguments) =>
        ChildProcess.Start(TestKit.Programs.Python(Path.Combine(SeedPeers, script), arguments) with { Name = name, Patience = Patience, WorkingDirectory = SeedPeers });
}
