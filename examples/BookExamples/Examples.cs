using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamingTutorial.BookExamples.Protos;

namespace StreamingTutorial.BookExamples;

/// <summary>Hosts the example services and runs the example clients against them: the book's code, run.</summary>
public static class Examples
{
    /// <summary>Runs every example; true when each gave what the book says it gives.</summary>
    public static async Task<bool> RunAllAsync(TextWriter output)
    {
        var notes = Path.Combine(Path.GetTempPath(), "book-examples-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(notes);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new NotesFolder(notes));
        await using var app = builder.Build();
        app.MapGrpcService<LibraryService>();
        app.MapGrpcService<LaunchService>();
        app.MapGrpcService<LogCollectorService>();
        app.MapGrpcService<EchoService>();
        await app.StartAsync();
        try
        {
            using var channel = GrpcChannel.ForAddress(app.Urls.First());
            var ok = true;
            void Show(string what, object result, bool expected)
            {
                output.WriteLine($"{(expected ? "ok  " : "FAIL")} {what}: {result}");
                ok &= expected;
            }

            var library = new Library.LibraryClient(channel);
            var found = await LibraryClientExamples.TitleOfAsync(library, "978-0131103627");
            Show("chapter 1, FindBook", found, found.StartsWith("The C Programming Language", StringComparison.Ordinal));
            var missing = await LibraryClientExamples.TitleOfAsync(library, "12");
            Show("chapter 1, FindBook of a bad ISBN", missing, missing.Contains("InvalidArgument", StringComparison.Ordinal));
            var saved = await library.SaveNoteAsync(new SaveNoteRequest { Isbn = "978-0131103627", Text = "Read chapter 5 again." });
            Show("chapter 1, SaveNote", $"{saved.Characters} characters", saved.Characters == 21);

            var launch = new Launch.LaunchClient(channel);
            var ticks = await CountdownClientExamples.FirstTicksAsync(launch, 10, 3);
            Show("chapter 2, the first 3 ticks of a countdown from 10", string.Join(", ", ticks), ticks.SequenceEqual([10, 9, 8]));
            // A countdown from 50, a tick every 100 ms, cannot finish within 1 s: the deadline ends it.
            var (within, timedOut) = await CountdownClientExamples.TicksWithinAsync(launch, TimeSpan.FromSeconds(1));
            Show("chapter 2, ticks within a 1 s deadline", $"{within.Count} ticks, timed out: {timedOut}", timedOut && within.Count < 51);

            var collector = new LogCollector.LogCollectorClient(channel);
            var summary = await LogClientExamples.SendLogAsync(collector, [("info", "started"), ("error", "disk full"), ("info", "stopped")]);
            Show("chapter 3, a log of 3 lines", summary, summary is { Lines: 3, Errors: 1, Characters: 23 });
            var followed = await LogClientExamples.FollowLogAsync(collector, Tail(), CancellationToken.None);
            Show("chapter 4, a log followed as it grows", followed, followed.Lines == 4);

            var echo = new Echo.EchoClient(channel);
            var heard = await EchoClientExamples.ShoutAllAsync(echo, ["hello", "is anyone there"]);
            Show("chapter 5, shouting", string.Join(" / ", heard), heard.SequenceEqual(["HELLO!", "IS ANYONE THERE!"]));

            var mailbox = new Mailbox();
            var posted = Enumerable.Range(1, 5).Select(i => mailbox.TryPost($"letter {i}")).ToList();
            mailbox.Close();
            var delivered = new List<string>();
            await mailbox.DeliverAllAsync(letter => { delivered.Add(letter); return Task.CompletedTask; });
            Show("chapter 5, a mailbox of 3 posted 5 letters", $"posted {string.Join(", ", posted)}; delivered {delivered.Count}",
                posted.SequenceEqual([true, true, true, false, false]) && delivered.Count == 3);
            return ok;
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(notes, recursive: true);
        }
    }

    private static async IAsyncEnumerable<LogLine> Tail()
    {
        foreach (var text in new[] { "a", "b", "c", "d" })
        {
            await Task.Yield();
            yield return new LogLine { Level = "info", Text = text };
        }
    }
}
