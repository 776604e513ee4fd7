namespace StreamingTutorial.Demos.Tests;

/// <summary>
/// Each chapter's <c>demo</c> mode, the scripted client the workbook's <c>demo</c> command runs
/// against the chapter's server: it ends with exit code 0 and shows what the chapter is about;
/// against no server it ends with 1 and says so.
/// </summary>
[TestFixture]
[Category("Demo")]
[Parallelizable(ParallelScope.Children)]
public sealed class DemoModeTests
{
    [Test]
    public Task Chapter_1_calls_each_method() => RunAsync(Chapter.Of("01-unary", "Chapter01.Unary"), [],
        "Hello, learner!", "Files on the server: hello.txt");

    [Test]
    public Task Chapter_2_shows_six_time_updates_then_the_numbers() => RunAsync(Chapter.Of("02-server-streaming", "Chapter02.ServerStreaming"), [],
        "[6] ", "#10: ");

    [Test]
    public async Task Chapter_3_uploads_a_file_with_a_progress_bar_and_checks_it()
    {
        var folder = Directory.CreateTempSubdirectory("demo-file-");
        try
        {
            // Three chunks of 1 MiB and a short one.
            var file = Path.Combine(folder.FullName, "photo.bin");
            await File.WriteAllBytesAsync(file, Enumerable.Range(0, (3 * 1024 * 1024) + 5).Select(i => (byte)(i * 7)).ToArray());
            await RunAsync(Chapter.Of("03-client-streaming-uploader", "Chapter03.Uploader"), ["--file", file],
                "100%  3,145,733 of 3,145,733 bytes", "Stored as 'photo.bin': 3,145,733 bytes in 4 chunks", "The server has the file, byte for byte.");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public Task Chapter_3_makes_its_own_small_file_with_wire() => RunAsync(Chapter.Of("03-client-streaming-uploader", "Chapter03.Uploader"), ["--wire"],
        "65,536 bytes in 1 chunk", "The server has the file, byte for byte.");

    [Test]
    public Task Chapter_4_sums_and_streams_readings() => RunAsync(Chapter.Of("04-client-streaming-sum", "Chapter04.SumNumbers"), ["--interval-ms", "10"],
        "Sum: 55", "Summary: 20 readings");

    [Test]
    public Task Chapter_5_two_members_chat_and_leave() => RunAsync(Chapter.Of("05-bidirectional-chat", "Chapter05.ChatRoom"), [],
        "alice | [", "bob   | [", "alice: Hello, is anyone here?", "bob: Hi! Every message reaches every member.",
        "bob   | (left the chat)");

    [Test]
    public async Task Without_a_server_the_demo_says_so_and_ends_with_1()
    {
        var chapter = Chapter.Of("05-bidirectional-chat", "Chapter05.ChatRoom");
        using var demo = DemoProcess.Start("demo", chapter, "demo", "--port", "1");
        Assert.That(await demo.WaitForExitAsync(), Is.EqualTo(1), demo.Transcript);
        Assert.That(demo.Lines, Has.Some.StartsWith("No server at http://127.0.0.1:1"), demo.Transcript);
    }

    private static async Task RunAsync(Chapter chapter, string[] arguments, params string[] expected)
    {
        var (server, port) = await DemoProcess.StartServerAsync(chapter);
        using var _ = server;
        using var demo = DemoProcess.Start("demo", chapter, ["demo", "--port", port, .. arguments]);
        Assert.That(await demo.WaitForExitAsync(), Is.EqualTo(0), demo.Transcript);
        foreach (var text in expected)
        {
            Assert.That(demo.Lines, Has.Some.Contains(text), demo.Transcript);
        }
    }
}
