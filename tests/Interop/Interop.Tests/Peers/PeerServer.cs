using System.Globalization;

namespace StreamingTutorial.Interop.Tests.Peers;

/// <summary>
/// A peer server started with --port 0. It prints 'LISTENING &lt;port&gt;' once it serves and stops
/// when its stdin closes, so the pipe to its stdin stays open until <see cref="DisposeAsync"/>,
/// which closes it and kills the server only if it has not ended 5 s later.
/// </summary>
public sealed class PeerServer : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly ChildProcess process;

    private PeerServer(ChildProcess process, int port)
    {
        this.process = process;
        Port = port;
    }

    public string Description => process.Name;

    public int Port { get; }

    /// <summary>The end of what the server printed to stderr so far, for failure messages.</summary>
    public string StderrTail => ProcessResult.Tail(process.Errors);

    public bool HasExited => process.HasExited;

    public static async Task<PeerServer> StartAsync(string description, string executable, IEnumerable<string> arguments, string workingDirectory)
    {
        var process = ChildProcess.Start(new ProgramStart(executable, [.. arguments])
        {
            Name = description,
            WorkingDirectory = workingDirectory,
            StopGrace = TimeSpan.FromSeconds(5),
        });
        try
        {
            var port = await process.ExpectLineStartingAsync("LISTENING ", StartTimeout);
            return new PeerServer(process, int.Parse(port, CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();

    public override string ToString() => $"{Description} on 127.0.0.1:{Port}";
}
