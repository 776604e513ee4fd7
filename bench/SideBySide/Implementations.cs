using System.Reflection;
using System.Runtime.InteropServices;
using Grpc.AspNetCore.Server;
using Grpc.Net.Client;

namespace StreamingTutorial.Bench;

/// <summary>
/// One gRPC implementation under test: how to start its server and its client (the same
/// command line for all three), and whether it can run here.
/// </summary>
internal sealed class Implementation(string key, string title, string fileName, string[] prefix, string workingDirectory, string howToInstall)
{
    public string Key { get; } = key;

    public string Title { get; private set; } = title;

    /// <summary>Versions, for the report.</summary>
    public string Version { get; private set; } = "";

    /// <summary>Why it cannot run here, or null.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>Extra arguments for its server, and environment for its processes (the C# side's stock settings).</summary>
    public string[] ServerArguments { get; private set; } = [];

    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>Starts its server or client; every server here stops at the end of its input, so dispose closes stdin and waits before it kills.</summary>
    public ChildProcess Start(IEnumerable<string> arguments) =>
        ChildProcess.Start(new ProgramStart(fileName, [.. prefix, .. arguments]) { WorkingDirectory = workingDirectory, Environment = Environment, StopGrace = TimeSpan.FromSeconds(10) });

    /// <summary>
    /// Runs the C# side as it comes: Kestrel's and .NET's defaults instead of the settings in
    /// CSharpServer.cs and SideBySide.csproj (environment variables override runtimeconfig.json).
    /// </summary>
    public void UseStockSettings()
    {
        ServerArguments = ["--stock"];
        Environment["DOTNET_TieredPGO"] = "1";
        Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "70";
        Environment["DOTNET_GCLOHThreshold"] = "0x14C08";
        Title += ", stock settings";
    }

    /// <summary>The C# side: this program, grpc-dotnet's client (Grpc.Net.Client) and server (Grpc.AspNetCore on Kestrel).</summary>
    public static Implementation CSharp(string benchDirectory)
    {
        var self = System.Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which program this is.");
        var assembly = typeof(Runner).Assembly.Location;
        // Under `dotnet SideBySide.dll` the process is the dotnet host; otherwise the app host.
        var prefix = Path.GetFileNameWithoutExtension(self) == "dotnet" ? new[] { assembly } : [];
        return new Implementation("dotnet", "grpc-dotnet (C#)", self, prefix, benchDirectory, "")
        {
            Version = $"{RuntimeInformation.FrameworkDescription}, Grpc.Net.Client {PackageVersion(typeof(GrpcChannel))}, "
                + $"Grpc.AspNetCore.Server {PackageVersion(typeof(GrpcServiceOptions))} on Kestrel",
        };
    }

    // The package's version as NuGet names it (the assembly version is only 2.0.0.0).
    private static string PackageVersion(Type type)
    {
        var informational = type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        var metadata = informational.IndexOf('+', StringComparison.Ordinal);
        return metadata < 0 ? informational : informational[..metadata];
    }

    public static Implementation Python(string benchDirectory, string python) => new(
        "python",
        "Python grpcio",
        python,
        [Path.Combine(benchDirectory, "peers", "python", "bench_peer.py")],
        Path.Combine(benchDirectory, "peers", "python"),
        "apt-get install python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc");

    public static Implementation Node(string benchDirectory, string node) => new(
        "node",
        "Node grpc-js",
        node,
        [Path.Combine(benchDirectory, "peers", "node", "bench_peer.js")],
        Path.Combine(benchDirectory, "peers", "node"),
        "install Node.js 18 or later and npm");

    /// <summary>Checks that the peer runs (installing Node's packages if they are missing and <paramref name="install"/> allows) and reads its versions.</summary>
    public async Task ProbeAsync(TextWriter log, bool install)
    {
        if (Key == "dotnet")
        {
            return;
        }
        if (!File.Exists(fileName) && Which(fileName) is null)
        {
            Unavailable = $"'{fileName}' not found; {howToInstall}";
            return;
        }
        if (Key == "node" && !File.Exists(Path.Combine(workingDirectory, "node_modules", "@grpc", "grpc-js", "package.json")))
        {
            if (!install)
            {
                Unavailable = $"its packages are not installed (--no-install): run 'npm ci' in {workingDirectory}";
                return;
            }
            var npm = Which("npm");
            if (npm is null)
            {
                Unavailable = $"its packages are not installed and there is no npm: run 'npm ci' in {workingDirectory}";
                return;
            }
            log.WriteLine($"Installing the Node peer's packages: npm ci in {workingDirectory}");
            var npmCi = await Programs.RunAsync(new ProgramStart(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"]) { WorkingDirectory = workingDirectory }, TimeSpan.FromMinutes(5));
            if (npmCi.ExitCode != 0)
            {
                Unavailable = $"npm ci failed in {workingDirectory} ({npmCi.Describe()})";
                return;
            }
        }
        try
        {
            await using var probe = Start(["version"]);
            // The Python peer generates its stubs on first use; that is part of this probe.
            Version = await probe.ExpectLineStartingAsync("", TimeSpan.FromSeconds(90));
        }
        catch (ChildProcessException ex)
        {
            Unavailable = $"{ex.Message}; {howToInstall}";
        }
    }

    public static string? Which(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : null;
        }
        foreach (var folder in (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
