using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1;

namespace StreamingTutorial.Demos.Tests;

/// <summary>
/// Each chapter's reference demo as a learner runs it: the server with <c>--wire</c>, the client
/// (or two chat members) against it. Then (1) every call trace book.md quotes is captured again
/// and must match, and (2) the server's reflection service lists its services to a real
/// reflection client (as grpcurl and Postman use it) and its health service answers SERVING.
/// With STREAMINGTUTORIAL_ACCEPT_WIRE=1 the captures are written into book.md instead.
/// </summary>
[TestFixture]
[Category("Demo")]
[Parallelizable(ParallelScope.Children)]
public sealed class DemoServerTests
{
    [Test]
    public Task Chapter_1_unary_calls_and_a_trailers_only_error() => RunAsync(
        Chapter.Of("01-unary", "Chapter01.Unary"),
        ["fileservice.FileService"],
        async (port, clients) =>
        {
            await clients.RunAsync("client", port);
            // A blank name is refused before any answer: the whole response is one HEADERS frame.
            await clients.RunAsync("blank", port, exitCode: 1, "--name", "");
        });

    [Test]
    public Task Chapter_2_a_stream_the_client_cancels_one_that_ends_and_one_past_its_deadline() => RunAsync(
        Chapter.Of("02-server-streaming", "Chapter02.ServerStreaming"),
        ["streaming.StreamingService", "random.RandomService"],
        async (port, clients) =>
        {
            // One time update, then the client stops reading (the call is cancelled) two seconds before the next
            // would come; then three numbers, all 7, well within the deadline.
            await clients.RunAsync("client", port, exitCode: 0, "--interval", "2000", "--updates", "1", "--min", "7", "--max", "7", "--count", "3", "--number-interval", "100");
            // One time update; then five numbers 800 ms apart with a 2 s deadline: it passes 400 ms after the third,
            // 400 ms before the fourth, so that a busy machine does not change the story.
            await clients.RunAsync("deadline", port, exitCode: 0, "--interval", "2000", "--updates", "1", "--min", "7", "--max", "7", "--count", "5", "--number-interval", "800", "--timeout", "2");
        });

    [Test]
    public Task Chapter_3_an_upload_in_chunks() => RunAsync(
        Chapter.Of("03-client-streaming-uploader", "Chapter03.Uploader"),
        ["uploader.UploaderService"],
        (port, clients) => clients.RunAsync("client", port));

    [Test]
    public Task Chapter_4_a_sum_an_overflow_and_a_sensor_stream() => RunAsync(
        Chapter.Of("04-client-streaming-sum", "Chapter04.SumNumbers"),
        ["tutorial.NumberService", "tutorial.SensorService"],
        (port, clients) => clients.RunAsync("client", port, exitCode: 0, "--interval-ms", "10"));

    [Test]
    public Task Chapter_5_two_members_chat() => RunAsync(
        Chapter.Of("05-bidirectional-chat", "Chapter05.ChatRoom"),
        ["chat.ChatService"],
        async (port, clients) =>
        {
            // As the book tells it: member 1 joins, member 2 joins, each says one line, member 2 leaves, then member 1.
            // Each member sends its name with --name; its first line settles it (until then it is Client(N)).
            var one = clients.Start("member 1", port, "--name", "alice");
            await one.WaitForLineAsync("its own join notice", l => l.EndsWith("Client(1) has joined the chat", StringComparison.Ordinal));
            var two = clients.Start("member 2", port, "--name", "bob");
            await two.WaitForLineAsync("its own join notice", l => l.EndsWith("Client(2) has joined the chat", StringComparison.Ordinal));
            await one.WaitForLineAsync("member 2's join notice", l => l.EndsWith("Client(2) has joined the chat", StringComparison.Ordinal));
            one.Type("Hello everyone!");
            await two.WaitForLineAsync("member 1's line", l => l.EndsWith("alice: Hello everyone!", StringComparison.Ordinal));
            await one.WaitForLineAsync("its own line, back from the room", l => l.EndsWith("alice: Hello everyone!", StringComparison.Ordinal));
            two.Type("Hi there!");
            await one.WaitForLineAsync("member 2's line", l => l.EndsWith("bob: Hi there!", StringComparison.Ordinal));
            await two.WaitForLineAsync("its own line, back from the room", l => l.EndsWith("bob: Hi there!", StringComparison.Ordinal));
            two.Type("exit");
            Assert.That(await two.WaitForExitAsync(), Is.EqualTo(0), two.Transcript);
            await one.WaitForLineAsync("member 2's leave notice", l => l.EndsWith("bob has left the chat", StringComparison.Ordinal));
            one.Type("exit");
            Assert.That(await one.WaitForExitAsync(), Is.EqualTo(0), one.Transcript);
        });

    private static async Task RunAsync(Chapter chapter, string[] services, Func<string, Clients, Task> scenario)
    {
        var (server, port) = await DemoProcess.StartServerAsync(chapter, "--wire");
        using var _ = server;
        var clients = new Clients(chapter);
        try
        {
            await scenario(port, clients);
            await ReflectionAndHealthAsync(port, services);
            await CompareWithBookAsync(chapter, server, clients);
        }
        finally
        {
            clients.Dispose();
        }
    }

    /// <summary>What grpcurl does first (list the services through reflection), and what a load balancer does (ask for health).</summary>
    private static async Task ReflectionAndHealthAsync(string port, string[] services)
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var reflection = new ServerReflection.ServerReflectionClient(channel);
        using var call = reflection.ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(20));
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        // What grpcurl's describe and its calls need next: the .proto of a service, as descriptors.
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = services[0] });
        await call.RequestStream.CompleteAsync();
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True, "the reflection service answered nothing to list_services");
        var listed = call.ResponseStream.Current.ListServicesResponse?.Service.Select(s => s.Name).ToList() ?? [];
        Assert.That(listed, Is.SupersetOf(services.Append("grpc.health.v1.Health").Append("grpc.reflection.v1.ServerReflection")),
            "the services the server's reflection lists");
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True, $"the reflection service answered nothing to file_containing_symbol {services[0]}");
        var files = call.ResponseStream.Current.FileDescriptorResponse?.FileDescriptorProto.Select(f => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(f)).ToList() ?? [];
        Assert.That(files.SelectMany(f => f.Service.Select(s => $"{f.Package}.{s.Name}")), Does.Contain(services[0]),
            $"the descriptors reflection sends for {services[0]}: {call.ResponseStream.Current}");

        var health = new Health.HealthClient(channel);
        var reply = await health.CheckAsync(new HealthCheckRequest { Service = "" }, deadline: DateTime.UtcNow.AddSeconds(20));
        Assert.That(reply.Status, Is.EqualTo(HealthCheckResponse.Types.ServingStatus.Serving), "the health service's answer for the whole server");
        var unknown = Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }));
        Assert.That(unknown!.StatusCode, Is.EqualTo(StatusCode.NotFound), "the health service's answer for a service it does not know");
    }

    /// <summary>Every trace the book quotes for this chapter, captured again: it must be the same call, event for event.</summary>
    private static async Task CompareWithBookAsync(Chapter chapter, DemoProcess server, Clients clients)
    {
        var keys = Book.Traces().Select(t => t.Key).Where(k => k.StartsWith(chapter.Folder + " ", StringComparison.Ordinal)).Distinct().ToList();
        Assert.That(keys, Is.Not.Empty, $"book.md quotes no trace of {chapter.Folder} (a '<!-- wire-trace {chapter.Folder} server #1 -->' block)");
        foreach (var key in keys)
        {
            var parts = key.Split(' ');
            var (side, label) = (parts[1], parts[2]);
            var program = side == "server" ? server : clients.Named(side);
            // "race": a deadline, where which side's timer fires first is a matter of a millisecond.
            Func<IReadOnlyList<string>, string> canonical = parts.Contains("race") ? WireTraces.CanonicalDeadline : WireTraces.Canonical;
            var quoted = Book.TracesOf(key).Select(canonical).ToList();
            if (Book.Accepting)
            {
                // Writing the book: wait for the call's end, then keep the book's copy if it is the same call.
                await program.WaitUntilAsync(lines => WireTraces.IsComplete(WireTraces.OfCall(lines, label)));
                var captured = WireTraces.OfCall(program.Lines, label);
                if (!quoted.Contains(canonical(captured)))
                {
                    Book.Accept(key, captured);
                }
                continue;
            }
            // The server may still be writing the call's last frames: wait (up to the patience) for a match.
            if (await program.WaitUntilAsync(lines => quoted.Contains(canonical(WireTraces.OfCall(lines, label)))))
            {
                continue;
            }
            var capture = WireTraces.OfCall(program.Lines, label);
            Assert.Fail($"The trace of {key} is not what book.md quotes. Captured now:\n{string.Join('\n', capture)}\n\n"
                + $"If the stack changed, rewrite the book's copy with {Book.AcceptVariable}=1 (or =add for one more way the call can end) and review the diff.");
        }
    }

    /// <summary>The client processes of one scenario, by name (the book's "client", "blank", "member 1", ...).</summary>
    private sealed class Clients(Chapter chapter) : IDisposable
    {
        private readonly Dictionary<string, DemoProcess> byName = [];

        public DemoProcess Start(string name, string port, params string[] arguments)
        {
            var process = DemoProcess.Start(name, chapter, ["client", "--wire", "--port", port, .. arguments]);
            byName[name.Replace(' ', '-')] = process;
            return process;
        }

        public async Task RunAsync(string name, string port, int exitCode = 0, params string[] arguments)
        {
            var process = DemoProcess.Start(name, chapter, ["client", "--wire", "--port", port, .. arguments]);
            byName[name] = process;
            Assert.That(await process.WaitForExitAsync(), Is.EqualTo(exitCode), $"the client's exit code. {process.Transcript}");
        }

        public DemoProcess Named(string name) => byName.TryGetValue(name, out var process)
            ? process
            : throw new AssertionException($"book.md quotes a trace of a client named '{name}', which this scenario does not run (it runs {string.Join(", ", byName.Keys)}).");

        public void Dispose()
        {
            foreach (var process in byName.Values)
            {
                process.Dispose();
            }
        }
    }
}
