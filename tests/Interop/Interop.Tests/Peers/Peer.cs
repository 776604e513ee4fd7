namespace StreamingTutorial.Interop.Tests.Peers;

/// <summary>
/// One real gRPC implementation in another language (tests/Interop/peers): how to start its
/// interop server and client and its workbook peer, and whether it is installed here.
/// </summary>
public sealed class Peer
{
    public const string PythonExecutable = "/usr/bin/python3";

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(90);

    private readonly Lazy<string?> unavailable;

    private Peer(string name, string executable, string folder, string extension, string install, Func<Peer, string?> probe)
    {
        Name = name;
        Executable = executable;
        Folder = folder;
        Extension = extension;
        Install = install;
        unavailable = new Lazy<string?>(() => probe(this), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public static Peer Python { get; } = new(
        "python",
        PythonExecutable,
        Path.Combine(PeersDirectory.Path, "python"),
        ".py",
        "apt-get install -y python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc",
        ProbePython);

    public static Peer Node { get; } = new(
        "node",
        FindOnPath("node") ?? "node",
        Path.Combine(PeersDirectory.Path, "node"),
        ".js",
        "install Node.js 18 or later, then: cd tests/Interop/peers/node && npm ci",
        ProbeNode);

    public static IReadOnlyList<Peer> All { get; } = [Python, Node];

    /// <summary>"python" or "node", as in the test names.</summary>
    public string Name { get; }

    /// <summary>The interpreter: /usr/bin/python3 or node.</summary>
    public string Executable { get; }

    /// <summary>The folder of this language's scripts (their working directory).</summary>
    public string Folder { get; }

    /// <summary>How to install this peer, for the skip message.</summary>
    public string Install { get; }

    private string Extension { get; }

    public static Peer ByName(string name) => All.Single(p => p.Name == name);

    /// <summary>The interpreter's arguments that run one of this peer's scripts.</summary>
    public string[] Script(string baseName, params string[] arguments) =>
        [Path.Combine(Folder, baseName + Extension), .. arguments];

    /// <summary>Why this peer cannot run here, or null when it can. Probed once per test run.</summary>
    public string? Unavailable => unavailable.Value;

    /// <summary>
    /// Skips the calling test when the peer is missing, with the command that installs it;
    /// fails it instead under CI (CI=true), where every peer must be installed.
    /// </summary>
    public void Require()
    {
        if (Unavailable is not { } reason)
        {
            return;
        }
        var message = $"The {Name} interop peer is not available: {reason}. Install it with: {Install} (see tests/Interop/README.md).";
        if (IsCi)
        {
            Assert.Fail(message + " CI=true, so a missing peer is a failure, not a skip.");
        }
        Assert.Ignore(message);
    }

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Name;

    private static string? ProbePython(Peer peer)
    {
        if (!File.Exists(PythonExecutable))
        {
            return $"{PythonExecutable} does not exist";
        }
        // Importing grpc and generating the stubs (protoc + grpc_python_plugin) is exactly what
        // every Python peer does first, so this probe fails for the same reasons they would.
        var result = TestKit.Programs.Run(
            new ProgramStart(peer.Executable, ["-c", "import grpc, google.protobuf, gen; gen.ensure(); print('ok')"]) { WorkingDirectory = peer.Folder },
            ProbeTimeout);
        return result.ExitCode == 0 && result.Stdout.Contains("ok", StringComparison.Ordinal)
            ? null
            : $"'{PythonExecutable} -c \"import grpc, google.protobuf, gen; gen.ensure()\"' failed ({result.Describe()})";
    }

    private static string? ProbeNode(Peer peer)
    {
        if (FindOnPath("node") is null)
        {
            return "no 'node' on PATH";
        }
        var modules = Path.Combine(peer.Folder, "node_modules");
        foreach (var package in new[] { "@grpc/grpc-js", "@grpc/proto-loader" })
        {
            if (!File.Exists(Path.Combine(modules, package, "package.json")))
            {
                return $"{Path.Combine(modules, package)} is missing (npm ci was not run)";
            }
        }
        var result = TestKit.Programs.Run(
            new ProgramStart(peer.Executable, ["-e", "require('@grpc/grpc-js'); require('@grpc/proto-loader'); if (!require('util').parseArgs) throw new Error('Node.js 18.3+ needed'); console.log('ok')"]) { WorkingDirectory = peer.Folder },
            ProbeTimeout);
        return result.ExitCode == 0 && result.Stdout.Contains("ok", StringComparison.Ordinal)
            ? null
            : $"node cannot load @grpc/grpc-js ({result.Describe()})";
    }

    private static string? FindOnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}

/// <summary>Where tests/Interop/peers is.</summary>
public static class PeersDirectory
{
    public static string Path => System.IO.Path.Combine(TestKit.Programs.Workbook.Root, "tests", "Interop", "peers");
}
