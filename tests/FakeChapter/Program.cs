using System.Globalization;
using System.Net;
using System.Net.Sockets;

// server [--port P] [--fail] [--silent]: listens on 127.0.0.1:P (0: any free port) and prints the
// contract's line, or fails before it (--fail), or never prints it (--silent).
// demo --port P [--record FILE] [--exit N] [...]: connects to the server, writes its working
// directory and its arguments to FILE one a line, and exits with N.
var mode = args.Length > 0 ? args[0] : "";
string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var port = int.Parse(Option("--port") ?? "0", CultureInfo.InvariantCulture);

if (mode == "server")
{
    if (args.Contains("--fail"))
    {
        Console.WriteLine("Fake: starting");
        Console.Error.WriteLine("Fake: cannot start, on purpose.");
        return 3;
    }
    using var listener = new TcpListener(IPAddress.Loopback, port);
    listener.Start();
    if (!args.Contains("--silent"))
    {
        Console.WriteLine("Fake: getting ready");
        Console.WriteLine($"Fake: working in {Environment.CurrentDirectory}");
        Console.WriteLine($"Fake: server listening on http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port} (Ctrl+C to stop)");
    }
    while (true)
    {
        using var client = await listener.AcceptTcpClientAsync();
        Console.WriteLine("Fake: a client connected");
    }
}
if (mode == "demo")
{
    using (var client = new TcpClient())
    {
        await client.ConnectAsync(IPAddress.Loopback, port);
    }
    if (Option("--record") is { } record)
    {
        await File.WriteAllLinesAsync(record, [Environment.CurrentDirectory, .. args]);
    }
    return int.Parse(Option("--exit") ?? "0", CultureInfo.InvariantCulture);
}
Console.Error.WriteLine($"Unknown mode '{mode}'.");
return 2;
