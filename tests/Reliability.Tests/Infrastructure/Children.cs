namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>The processes the fault tests kill: this test assembly in one of its child modes (see Program), or a chapter's demo program.</summary>
internal static class Children
{
    /// <summary>Starts this test assembly in a child mode (Program.Main).</summary>
    public static ChildProcess StartMode(params string[] arguments) =>
        ChildProcess.Start(Programs.Dotnet(typeof(Children).Assembly.Location, arguments));

    /// <summary>A chapter's demo program (solutions/NN-*), copied next to the tests, run as a learner runs it.</summary>
    public static ChildProcess StartDemo(string assemblyName, params string[] arguments) =>
        ChildProcess.Start(Programs.Dotnet(Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll"), arguments));

    /// <summary>Starts the program's server on a free port and returns it with the address it printed.</summary>
    public static async Task<(ChildProcess Server, string Address)> StartDemoServerAsync(string assemblyName, params string[] options)
    {
        var server = StartDemo(assemblyName, ["server", "--port", "0", .. options]);
        return (server, await ListeningAddressAsync(server));
    }

    /// <summary>Starts the program's client against <paramref name="address"/> (http://127.0.0.1:port).</summary>
    public static ChildProcess StartDemoClient(string assemblyName, string address, params string[] options) =>
        StartDemo(assemblyName, ["client", "--port", new Uri(address).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. options]);

    /// <summary>The address in a demo server's "listening on http://127.0.0.1:port" line.</summary>
    public static async Task<string> ListeningAddressAsync(ChildProcess server)
    {
        var line = await server.ExpectLineAsync("its 'listening on' line", l => l.Contains(" listening on ", StringComparison.Ordinal));
        return line.Split(" listening on ")[1].Split(' ')[0];
    }
}
