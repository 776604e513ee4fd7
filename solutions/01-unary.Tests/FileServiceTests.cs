using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Chapter01.Tests;

/// <summary>Tests of chapter 1: the service's methods called directly, and the client against a service in memory.</summary>
public class FileServiceTests
{
    private string root = "";
    private FileServiceImpl service = null!;

    [SetUp]
    public void CreateService()
    {
        root = Path.Combine(Path.GetTempPath(), "chapter01-tests-" + Guid.NewGuid().ToString("N"));
        service = new FileServiceImpl(new FileStorage(Path.Combine(root, "storage")));
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(root, recursive: true);

    /// <summary>A ServerCallContext without a server: the call's deadline, headers and cancellation are ours to choose.</summary>
    private static ServerCallContext Context(CancellationToken cancellationToken = default) =>
        TestServerCallContext.Create(
            method: "/files.FileService/Test", host: "localhost", deadline: DateTime.UtcNow.AddMinutes(1),
            requestHeaders: new Metadata(), cancellationToken: cancellationToken, peer: "ipv4:127.0.0.1:50051",
            authContext: null, contextPropagationToken: null, writeHeadersFunc: _ => Task.CompletedTask,
            writeOptionsGetter: () => null, writeOptionsSetter: _ => { });

    [Test]
    public async Task SayHello_greets_by_name()
    {
        var reply = await service.SayHello(new HelloRequest { Name = "Ada" }, Context());

        Assert.That(reply.Message, Is.EqualTo("Hello, Ada!"));
    }

    [Test]
    public void SayHello_rejects_a_blank_name_with_InvalidArgument()
    {
        var error = Assert.ThrowsAsync<RpcException>(() => service.SayHello(new HelloRequest { Name = " " }, Context()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
    }

    [Test]
    public async Task WriteFile_stores_the_bytes_and_reports_their_size()
    {
        var reply = await service.WriteFile(new WriteFileRequest { FileName = "notes.txt", Content = ByteString.CopyFromUtf8("hello") }, Context());

        Assert.That(reply.Size, Is.EqualTo(5));
        Assert.That(File.ReadAllText(Path.Combine(root, "storage", "notes.txt")), Is.EqualTo("hello"));
    }

    [Test]
    public void WriteFile_refuses_a_name_with_a_folder_and_writes_nothing()
    {
        var request = new WriteFileRequest { FileName = "../escape.txt", Content = ByteString.CopyFromUtf8("x") };

        var error = Assert.ThrowsAsync<RpcException>(() => service.WriteFile(request, Context()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(File.Exists(Path.Combine(root, "escape.txt")), Is.False);
    }

    [Test]
    public void WriteFile_stops_when_the_call_is_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var request = new WriteFileRequest { FileName = "late.txt", Content = ByteString.CopyFromUtf8("x") };

        Assert.CatchAsync<OperationCanceledException>(() => service.WriteFile(request, Context(cancelled.Token)));
        Assert.That(File.Exists(Path.Combine(root, "storage", "late.txt")), Is.False);
    }

    [Test]
    public async Task ListFiles_lists_only_files_by_name_with_their_sizes()
    {
        Directory.CreateDirectory(Path.Combine(root, "storage", "a-folder"));
        await service.WriteFile(new WriteFileRequest { FileName = "b.txt", Content = ByteString.CopyFromUtf8("bb") }, Context());
        await service.WriteFile(new WriteFileRequest { FileName = "a.txt", Content = ByteString.CopyFromUtf8("a") }, Context());

        var reply = await service.ListFiles(new ListFilesRequest(), Context());

        Assert.That(reply.Files.Select(f => $"{f.Name} {f.Size}"), Is.EqualTo(new[] { "a.txt 1", "b.txt 2" }));
    }

    [Test]
    public async Task GreetAsync_returns_the_servers_greeting_through_a_real_channel()
    {
        // The service hosted in memory (TestServer) and called the way a program calls it: through a GrpcChannel.
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new FileStorage(Path.Combine(root, "storage")));
        await using var app = builder.Build();
        app.MapGrpcService<FileServiceImpl>();
        await app.StartAsync();
        using var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = app.GetTestServer().CreateHandler() });

        var greeting = await FileClient.GreetAsync(new FileService.FileServiceClient(channel), "Ada");

        Assert.That(greeting, Is.EqualTo("Hello, Ada!"));
    }
}
