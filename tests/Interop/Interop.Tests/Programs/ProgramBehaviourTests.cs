using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Interop.Tests.Programs;

/// <summary>
/// The chapter programs (built from solutions/) run as a curious user runs them: options that
/// make no sense, a file that is not there, Ctrl+C in the middle of a call, an error in the
/// middle of a progress bar. Each test drives the program as a process and reads what it prints.
/// </summary>
[TestFixture]
[Category("Demo")]
[NonParallelizable]
[Platform(Exclude = "Win", Reason = "Ctrl+C is sent as SIGINT with kill, and stderr is merged by /bin/sh.")]
public sealed class ProgramBehaviourTests
{
    private readonly List<ChildProcess> runs = [];
    private string folder = "";

    [SetUp]
    public void MakeFolder()
    {
        folder = Path.Combine(Path.GetTempPath(), "programs-" + Guid.NewGuid().ToString("N"));
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

    [TestCase("abc")]
    [TestCase("99999999999")]
    [TestCase("-5")]
    [TestCase("")]
    public async Task The_chapter_4_client_refuses_a_bad_interval_before_any_call(string interval)
    {
        // No server: the options must be refused before the first call is made.
        var arguments = interval.Length == 0
            ? new[] { "client", "--port", Unused(), "--interval-ms" }
            : ["client", "--port", Unused(), "--interval-ms", interval];
        var client = Keep(ChapterPrograms.Dotnet($"chapter 4 client --interval-ms {interval}", ChapterPrograms.Sum, arguments));
        Assert.That(await client.ExpectExitAsync("a bad option"), Is.EqualTo(2), client.Transcript);
        ExpectClearMessage(client, "--interval-ms");
        Assert.That(client.Output, Does.Not.Contain("Sum:").And.Not.Contain("sending"), $"Nothing is sent with a bad option. {client.Transcript}");
    }

    [TestCase("--count", "abc")]
    [TestCase("--interval", "-1")]
    [TestCase("--min", "5", "--max", "1")]
    [TestCase("--timeout", "0")]
    public async Task The_chapter_2_client_refuses_bad_options_before_any_call(params string[] options)
    {
        var client = Keep(ChapterPrograms.Dotnet($"chapter 2 client {string.Join(" ", options)}", ChapterPrograms.ServerStreaming, ["client", "--port", Unused(), .. options]));
        Assert.That(await client.ExpectExitAsync("a bad option"), Is.EqualTo(2), client.Transcript);
        ExpectClearMessage(client, options[^2]);
        Assert.That(client.Output, Does.Not.Contain("Time updates"), $"Nothing is called with a bad option. {client.Transcript}");
    }

    [Test]
    public async Task The_chapter_3_client_refuses_a_missing_file_before_uploading_anything()
    {
        var missing = Path.Combine(folder, "does-not-exist.jpg");
        var client = Keep(ChapterPrograms.Dotnet("chapter 3 client --file <missing>", ChapterPrograms.Uploader, "client", "--port", Unused(), "--file", missing));
        Assert.That(await client.ExpectExitAsync("a missing file"), Is.EqualTo(2), client.Transcript);
        ExpectClearMessage(client, missing);
        Assert.That(client.Output, Does.Not.Contain("Streaming"), $"The random-chunk upload is not done either. {client.Transcript}");
    }

    [Test]
    public async Task Ctrl_C_stops_a_chapter_3_upload_in_progress()
    {
        var server = new SlowUploads();
        await using var host = await GrpcTestHost.StartAsync(HostKind.Kestrel, app => app.MapGrpcService<SlowUploads>(),
            services => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, server));
        var file = BigFile("big.bin", 256L * 1024 * 1024);
        var client = Keep(ChapterPrograms.Dotnet("chapter 3 client --file big.bin", ChapterPrograms.Uploader,
            "client", "--port", host.Address.Port.ToString(CultureInfo.InvariantCulture), "--file", file));
        await client.ExpectTextAsync("the progress bar", "% ");
        await server.Receiving.Task.WaitAsync(ChapterPrograms.Patience);

        client.Interrupt();
        // A 256 MiB upload at 10 chunks a second would take 25 s more: Ctrl+C must stop it now.
        Assert.That(await client.ExpectExitAsync("Ctrl+C"), Is.EqualTo(130), $"Ctrl+C stops the upload, exit code 130. {client.Transcript}");
        Assert.That(client.Errors, Does.Contain("Stopped (Ctrl+C)"), client.Transcript);
        Assert.That(await server.Cancelled.Task.WaitAsync(ChapterPrograms.Patience), Is.True, "The server saw the upload cancelled.");
        Assert.That(server.ChunksRead, Is.LessThan(256), $"The whole file was sent anyway. {client.Transcript}");
    }

    [Test]
    public async Task An_upload_error_is_printed_on_its_own_line_not_over_the_progress_bar()
    {
        var server = new SlowUploads { RefuseAfterChunks = 3 };
        await using var host = await GrpcTestHost.StartAsync(HostKind.Kestrel, app => app.MapGrpcService<SlowUploads>(),
            services => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, server));
        var file = BigFile("big.bin", 16L * 1024 * 1024);
        // stderr merged into stdout, in the order written: what a terminal shows.
        var client = Keep(ChapterPrograms.DotnetMerged("chapter 3 client --file big.bin", ChapterPrograms.Uploader,
            "client", "--port", host.Address.Port.ToString(CultureInfo.InvariantCulture), "--file", file));
        Assert.That(await client.ExpectExitAsync("the server's refusal"), Is.EqualTo(1), client.Transcript);
        var screen = client.Output;
        var error = screen.IndexOf("The call failed: ResourceExhausted", StringComparison.Ordinal);
        Assert.That(error, Is.GreaterThan(0), $"The server's error is shown. {client.Transcript}");
        Assert.That(screen[error - 1], Is.EqualTo('\n'),
            $"The error starts a line of its own; it was written onto the progress bar's line. {client.Transcript}");
    }

    [Test]
    public async Task Ctrl_C_leaves_the_chat_with_exit_code_0()
    {
        var port = Unused();
        var server = Keep(ChapterPrograms.Dotnet("chat server", ChapterPrograms.Chat, "server", "--port", port));
        await server.ExpectTextAsync("that it listens", "server listening on");
        var client = Keep(ChapterPrograms.Dotnet("chat client", ChapterPrograms.Chat, "client", "--port", port, "--name", "dora"));
        await client.ExpectTextAsync("its join notice", "has joined the chat");

        client.Interrupt();
        await client.ExpectTextAsync("its goodbye", "You left the chat.");
        Assert.That(await client.ExpectExitAsync("Ctrl+C"), Is.EqualTo(0), $"Leaving a chat with Ctrl+C is a normal exit. {client.Transcript}");
        Assert.That(client.Errors, Is.Empty, client.Transcript);
    }

    /// <summary>
    /// In a terminal 40 columns wide, a typed line of 63 characters, and a message arriving while
    /// it is typed: the line is drawn on one row (scrolled sideways), never wrapped onto a second
    /// row that the redraw cannot reach, and it is drawn again, intact, under the message.
    /// </summary>
    [Test]
    public async Task The_chat_console_keeps_a_typed_line_longer_than_the_window_on_one_row()
    {
        SeedPython.Require();
        var port = Unused();
        var server = Keep(ChapterPrograms.Dotnet("chat server", ChapterPrograms.Chat, "server", "--port", port));
        await server.ExpectTextAsync("that it listens", "server listening on");
        var script = Path.Combine(ChapterPrograms.SeedPeers, "..", "terminal", "type_long_line.py");
        var terminal = Keep(ChapterPrograms.Python("chat client in a 40-column terminal", script, "40", port, "--", TestKit.Programs.DotnetHost, ChapterPrograms.Chat, "client", "--port", port, "--name", "tess"));
        Assert.That(await terminal.ExpectExitAsync("typing the long line"), Is.EqualTo(0), terminal.Transcript);
        var longest = int.Parse(terminal.Output.Split('\n').First(l => l.StartsWith("LONGEST ", StringComparison.Ordinal))["LONGEST ".Length..], CultureInfo.InvariantCulture);
        Assert.That(longest, Is.LessThan(40), $"The typed line wrapped: a redraw of {longest} characters in a 40-column terminal. {terminal.Transcript}");
        Assert.That(terminal.Output, Does.Contain("REDRAWN yes"), terminal.Transcript);
    }

    [TestCase("")]
    [TestCase("a-name-far-too-long-for-any-chat-room")]
    public async Task The_chat_client_refuses_a_name_it_cannot_use(string name)
    {
        var client = Keep(ChapterPrograms.Dotnet($"chat client --name '{name}'", ChapterPrograms.Chat, "client", "--port", Unused(), "--name", name));
        Assert.That(await client.ExpectExitAsync("a bad name"), Is.EqualTo(2), client.Transcript);
        ExpectClearMessage(client, "--name");
    }

    private static void ExpectClearMessage(ChildProcess run, string mentions)
    {
        Assert.That(run.Errors, Does.Contain(mentions), $"The message names what is wrong. {run.Transcript}");
        Assert.That(run.Output + run.Errors, Does.Not.Contain("   at ").And.Not.Contain("Unhandled exception"), $"No stack trace. {run.Transcript}");
    }

    private ChildProcess Keep(ChildProcess run)
    {
        runs.Add(run);
        return run;
    }

    private static string Unused() => TestKit.Programs.FreePort().ToString(CultureInfo.InvariantCulture);

    /// <summary>A sparse file: large on paper, instant to make, zeros when read.</summary>
    private string BigFile(string name, long size)
    {
        var path = Path.Combine(folder, name);
        using var file = File.Create(path);
        file.SetLength(size);
        return path;
    }

    /// <summary>An upload server that reads one chunk every 100 ms, and may refuse after a few: a slow link, a full disk.</summary>
    private sealed class SlowUploads : UploaderService.UploaderServiceBase
    {
        public int? RefuseAfterChunks { get; init; }

        public int ChunksRead;

        public TaskCompletionSource Receiving { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<bool> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // The demo's first scenario, answered at once.
        public override async Task<UploadSummary> UploadImage(IAsyncStreamReader<ImageChunk> requestStream, ServerCallContext context)
        {
            var summary = new UploadSummary();
            await foreach (var chunk in requestStream.ReadAllAsync(context.CancellationToken))
            {
                summary.TotalChunks++;
                summary.TotalBytes += chunk.Data.Length;
            }
            return summary;
        }

        public override async Task<FileUploadSummary> UploadFile(IAsyncStreamReader<FileChunk> requestStream, ServerCallContext context)
        {
            try
            {
                while (await requestStream.MoveNext(context.CancellationToken))
                {
                    var chunks = Interlocked.Increment(ref ChunksRead);
                    Receiving.TrySetResult();
                    if (chunks >= RefuseAfterChunks)
                    {
                        throw new RpcException(new Status(StatusCode.ResourceExhausted, "The upload is larger than this server's limit."));
                    }
                    await Task.Delay(100, context.CancellationToken);
                }
                return new FileUploadSummary { FileName = "big.bin", TotalChunks = ChunksRead };
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException || context.CancellationToken.IsCancellationRequested)
            {
                Cancelled.TrySetResult(true);
                throw;
            }
        }
    }
}
