using StreamingTutorial.Bench;

// One program, three modes. The runner is what people run; it starts the C# server and
// client (and the peers' servers and clients) as separate processes, so every
// implementation is measured the same way: its own server process, its own client process.
//   dotnet run -c Release --project bench/SideBySide -- [--quick] [--scenario a,b,...] [--impl dotnet,python,node] [--reps 3]
//   SideBySide serve [--port 0] [--service bench|chat]
//   SideBySide client --target 127.0.0.1:PORT --scenario NAME [sizes]
try
{
    if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
    {
        var options = CommandLine.Parse(args[1..]);
        return args[0] switch
        {
            "serve" => await CSharpServer.RunAsync(options),
            "client" => await CSharpClient.RunAsync(options),
            "run" => await Runner.RunAsync(options),
            _ => Usage($"Unknown mode '{args[0]}'."),
        };
    }
    return await Runner.RunAsync(CommandLine.Parse(args));
}
catch (ArgumentException ex)
{
    return Usage(ex.Message);
}

static int Usage(string problem)
{
    Console.Error.WriteLine(problem);
    Console.Error.WriteLine(Runner.Usage);
    return 2;
}
