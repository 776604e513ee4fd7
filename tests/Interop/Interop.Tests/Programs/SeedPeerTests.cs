using System.Globalization;

namespace StreamingTutorial.Interop.Tests.Programs;

/// <summary>
/// The chapter programs (built from solutions/) against Python peers shaped like the seeds' own
/// programs (tests/Interop/peers/seeds), in both directions: seed 000's upload server and client,
/// seed 002's chat client with a fixed CLIENT_ID and its Go server's pass-through behaviour, and
/// seed 004's sum server and client. Each peer knows only its seed's contract.
/// </summary>
[TestFixture]
[Category("Demo")]
[Category("SeedPeers")]
[NonParallelizable]
[Platform(Exclude = "Win", Reason = "The peers run on /usr/bin/python3 with Debian's grpcio.")]
public sealed class SeedPeerTests
{
    private readonly List<ChildProcess> runs = [];
    private string folder = "";

    [OneTimeSetUp]
    public void RequirePython() => SeedPython.Require();

    [SetUp]
    public void MakeFolder()
    {
        folder = Path.Combine(Path.GetTempPath(), "seedpeers-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
    }

    [TearDown]
    public void StopAll()
    {
        foreach (var run in runs)
        {
            run.Dispose();
        }
        runs.Clear();
        Directory.Delete(folder, recursive: true);
    }

    [Test]
    public async Task Two_seed_002_clients_named_alice_and_bob_see_each_others_names_in_the_workbooks_room()
    {
        var port = await StartChapterServerAsync(ChapterPrograms.Chat);
        var alice = Keep(ChapterPrograms.Python("alice (seed 002 client)", "chat_client.py", "--port", port, "--id", "alice"));
        // The seed's client shows the room's join notice as a line: "[..] Client(1): has joined the chat".
        await alice.ExpectTextAsync("its join notice", "Client(1): has joined the chat");
        var bob = Keep(ChapterPrograms.Python("bob (seed 002 client)", "chat_client.py", "--port", port, "--id", "bob"));
        await alice.ExpectTextAsync("bob's join notice", "Client(2): has joined the chat");

        alice.Type("hi, I am alice");
        await bob.ExpectTextAsync("alice's line under her name", "] alice: hi, I am alice");
        bob.Type("hello alice");
        await alice.ExpectTextAsync("bob's line under his name", "] bob: hello alice");
        Assert.That(alice.Output, Does.Contain("] alice: hi, I am alice"), $"alice sees her own line under her name. {alice.Transcript}");

        alice.Type("exit");
        Assert.That(await alice.ExpectExitAsync("typing exit"), Is.EqualTo(0), alice.Transcript);
        await bob.ExpectTextAsync("alice's leave notice under her name", "] alice: has left the chat");
        bob.CloseInput();
        Assert.That(await bob.ExpectExitAsync("the end of its input"), Is.EqualTo(0), bob.Transcript);
    }

    [Test]
    public async Task Two_seed_002_clients_with_the_same_fixed_name_do_not_share_it()
    {
        var port = await StartChapterServerAsync(ChapterPrograms.Chat);
        var first = Keep(ChapterPrograms.Python("first PythonClient", "chat_client.py", "--port", port));
        await first.ExpectTextAsync("its join notice", "Client(1): has joined the chat");
        var second = Keep(ChapterPrograms.Python("second PythonClient", "chat_client.py", "--port", port));
        await first.ExpectTextAsync("the second's join notice", "Client(2): has joined the chat");

        first.Type("one");
        await second.ExpectTextAsync("the first's line", "] PythonClient: one");
        second.Type("two");
        // The name is taken: the second keeps its number instead of speaking as the first.
        await first.ExpectTextAsync("the second's line under its number", "] Client(2): two");
        Assert.That(first.Output, Does.Not.Contain("] PythonClient: two"), first.Transcript);
    }

    [Test]
    public async Task The_CSharp_chat_client_in_a_seed_002_room_shows_its_name_and_survives_millisecond_timestamps()
    {
        // The Go server's behaviour: names passed through, no notices, timestamps here in milliseconds.
        var server = Keep(ChapterPrograms.Python("seed 002 chat server (--ms)", "chat_server.py", "--port", "0", "--ms"));
        var port = await server.ExpectLineStartingAsync("LISTENING ");
        var bob = Keep(ChapterPrograms.Python("bob (seed 002 client)", "chat_client.py", "--port", port, "--id", "bob"));
        await bob.ExpectTextAsync("its banner", "Joined Chat");
        var carol = Keep(ChapterPrograms.Dotnet("carol (chapter 5 client)", ChapterPrograms.Chat, "client", "--port", port, "--name", "carol"));
        await carol.ExpectTextAsync("its welcome", "Joined the chat.");

        carol.Type("hi from carol");
        await bob.ExpectTextAsync("carol's line under her name", "] carol: hi from carol");
        await carol.ExpectTextAsync("its own line, with a time of day", "] carol: hi from carol");
        var own = carol.Output.Split('\n').First(l => l.Contains("] carol: hi from carol", StringComparison.Ordinal));
        Assert.That(own, Does.Match(@"^\[\d\d:\d\d:\d\d\] carol: hi from carol"), $"A millisecond timestamp is read as a time of day. {carol.Transcript}");
        bob.Type("hi carol");
        await carol.ExpectTextAsync("bob's line", "] bob: hi carol");

        // This server never ends a call by itself: the client ends it a moment after leaving.
        carol.Type("exit");
        await carol.ExpectTextAsync("its goodbye", "You left the chat.");
        Assert.That(await carol.ExpectExitAsync("typing exit"), Is.EqualTo(0), carol.Transcript);
        Assert.That(carol.Errors, Is.Empty, carol.Transcript);
    }

    [Test]
    public async Task The_chapter_1_client_exits_0_against_seed_003s_file_server()
    {
        var server = Keep(ChapterPrograms.Python("seed 003 file server", "file_server.py", "--port", "0", "--folder", folder));
        var port = await server.ExpectLineStartingAsync("LISTENING ");
        var client = Keep(ChapterPrograms.Dotnet("chapter 1 client", ChapterPrograms.Unary, "client", "--port", port, "--name", "Ada"));
        Assert.That(await client.ExpectExitAsync("its calls"), Is.EqualTo(0), client.Transcript);
        Assert.That(client.Output, Does.Contain("Hello, Ada!").And.Contain("hello.txt"), client.Transcript);
    }

    [Test]
    public async Task The_chapter_2_client_exits_0_against_seed_003s_streaming_servers()
    {
        var server = Keep(ChapterPrograms.Python("seed 003 streaming server", "streaming_server.py", "--port", "0"));
        var port = await server.ExpectLineStartingAsync("LISTENING ");
        var client = Keep(ChapterPrograms.Dotnet("chapter 2 client", ChapterPrograms.ServerStreaming,
            "client", "--port", port, "--interval", "50", "--updates", "3", "--count", "4", "--number-interval", "20"));
        Assert.That(await client.ExpectExitAsync("its calls"), Is.EqualTo(0), client.Transcript);
        Assert.That(client.Output, Does.Contain("[3] ").And.Contain("#4: "), client.Transcript);
    }

    [Test]
    public async Task The_chapter_3_client_exits_0_against_seed_000s_upload_server()
    {
        var server = Keep(ChapterPrograms.Python("seed 000 upload server", "upload_server.py", "--port", "0"));
        var port = await server.ExpectLineStartingAsync("LISTENING ");
        var file = Path.Combine(folder, "photo.jpg");
        await File.WriteAllBytesAsync(file, new byte[3000]);
        var client = Keep(ChapterPrograms.Dotnet("chapter 3 client", ChapterPrograms.Uploader, "client", "--port", port, "--file", file));
        Assert.That(await client.ExpectExitAsync("its upload"), Is.EqualTo(0), client.Transcript);
        Assert.That(client.Output, Does.Contain("chunks received: 5 (we sent 5)").And.Contain("bytes received:  5120 (we sent 5120)"), client.Transcript);
        Assert.That(client.Output, Does.Contain("no UploadFile").And.Contain("skipped"), $"The workbook-only file upload is reported and skipped. {client.Transcript}");
    }

    [Test]
    public async Task The_chapter_4_client_exits_0_against_seed_004s_sum_server()
    {
        var server = Keep(ChapterPrograms.Python("seed 004 sum server", "sum_server.py", "--port", "0"));
        var port = await server.ExpectLineStartingAsync("LISTENING ");
        var client = Keep(ChapterPrograms.Dotnet("chapter 4 client", ChapterPrograms.Sum, "client", "--port", port, "--interval-ms", "0"));
        Assert.That(await client.ExpectExitAsync("its calls"), Is.EqualTo(0), client.Transcript);
        Assert.That(client.Output, Does.Contain("Sum: 55"), client.Transcript);
        Assert.That(client.Output, Does.Contain("not OutOfRange: skipped"), $"The overflow check is reported and skipped. {client.Transcript}");
        Assert.That(client.Output, Does.Contain("no SensorService"), $"The readings are reported and skipped. {client.Transcript}");
    }

    [Test]
    public async Task Seed_000s_upload_client_uploads_to_the_chapter_3_server()
    {
        var port = await StartChapterServerAsync(ChapterPrograms.Uploader, "--folder", folder);
        var client = Keep(ChapterPrograms.Python("seed 000 upload client", "upload_client.py", "--port", port));
        Assert.That(await client.ExpectExitAsync("its upload"), Is.EqualTo(0), client.Transcript);
        Assert.That(client.Output, Does.Contain("Total Chunks Sent: 5 (Expected: 5)"), client.Transcript);
    }

    [Test]
    public async Task Seed_004s_sum_client_sums_on_the_chapter_4_server()
    {
        var port = await StartChapterServerAsync(ChapterPrograms.Sum);
        var client = Keep(ChapterPrograms.Python("seed 004 sum client", "sum_client.py", "--port", port));
        Assert.That(await client.ExpectExitAsync("its call"), Is.EqualTo(0), client.Transcript);
        Assert.That(client.Output, Does.Contain("Sum: 55"), client.Transcript);
    }

    private ChildProcess Keep(ChildProcess run)
    {
        runs.Add(run);
        return run;
    }

    /// <summary>Starts a chapter program's server on a free port and waits until it listens.</summary>
    private async Task<string> StartChapterServerAsync(string program, params string[] options)
    {
        var port = TestKit.Programs.FreePort().ToString(CultureInfo.InvariantCulture);
        var server = Keep(ChapterPrograms.Dotnet("chapter server", program, ["server", "--port", port, .. options]));
        await server.ExpectTextAsync("that it listens", "server listening on");
        return port;
    }
}

/// <summary>/usr/bin/python3 with grpcio, and protoc with the gRPC Python plugin, which the seed peers need.</summary>
internal static class SeedPython
{
    private static readonly Lazy<string?> Missing = new(Check);

    public static void Require()
    {
        if (Missing.Value is not { } reason)
        {
            return;
        }
        var message = $"The seed peers cannot run: {reason}. Install them: apt-get install -y python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message + " (CI=true: a missing peer is a failure.)");
        }
        Assert.Ignore(message);
    }

    private static string? Check()
    {
        if (!File.Exists("/usr/bin/python3") || !File.Exists("/usr/bin/protoc") || !File.Exists("/usr/bin/grpc_python_plugin"))
        {
            return "/usr/bin/python3, /usr/bin/protoc or /usr/bin/grpc_python_plugin is missing";
        }
        using var probe = ChapterPrograms.Python("stub generation", "seedlib.py");
        return probe.ExpectExitAsync("generating the stubs").GetAwaiter().GetResult() == 0 ? null : $"the stubs could not be generated: {probe.Errors}";
    }
}
