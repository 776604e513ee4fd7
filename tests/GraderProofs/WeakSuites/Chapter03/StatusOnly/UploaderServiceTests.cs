using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Testing;
using StreamingTutorial.Protos.Uploader;
using StreamingTutorial.Testing;

namespace StreamingTutorial.Chapter03.Tests;

/// <summary>A weak suite: it checks the status of a refused upload, not what it left behind.
/// Tests of chapter 3: each upload is a request stream in memory, read by the service method called directly.</summary>
public class UploaderServiceTests
{
    private string root = "";

    [SetUp]
    public void CreateFolder() => root = Path.Combine(Path.GetTempPath(), "chapter03-tests-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteFolder()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private UploaderServiceImpl Service(long maxFileBytes = UploadStorage.DefaultMaxFileBytes) =>
        new(new UploadStorage(Path.Combine(root, "storage"), maxFileBytes));

    /// <summary>A ServerCallContext without a server: the call's deadline, headers and cancellation are ours to choose.</summary>
    private static ServerCallContext Context(CancellationToken cancellationToken = default) =>
        TestServerCallContext.Create(
            method: "/uploader.UploaderService/Test", host: "localhost", deadline: DateTime.UtcNow.AddMinutes(1),
            requestHeaders: new Metadata(), cancellationToken: cancellationToken, peer: "ipv4:127.0.0.1:50051",
            authContext: null, contextPropagationToken: null, writeHeadersFunc: _ => Task.CompletedTask,
            writeOptionsGetter: () => null, writeOptionsSetter: _ => { });

    private static ImageChunk Image(int size) => new() { Data = ByteString.CopyFrom(new byte[size]) };

    private static FileChunk Chunk(string text, string fileName = "") => new() { FileName = fileName, Data = ByteString.CopyFromUtf8(text) };


    [Test]
    public async Task UploadImage_counts_the_chunks()
    {
        var chunks = InMemoryStreamReader.Of(Image(4), Image(4));

        var summary = await Service().UploadImage(chunks, Context());

        Assert.That(summary.TotalChunks, Is.EqualTo(2));
    }

    [Test]
    public async Task UploadImage_adds_up_the_bytes_of_chunks_of_any_size()
    {
        var summary = await Service().UploadImage(InMemoryStreamReader.Of(Image(3), Image(0), Image(5)), Context());

        Assert.That((summary.TotalChunks, summary.TotalBytes), Is.EqualTo((3, 8L)));
    }

    [Test]
    public async Task UploadFile_stores_every_chunk_in_order_and_reports_size_and_hash()
    {
        var summary = await Service().UploadFile(InMemoryStreamReader.Of(Chunk("hello ", "greeting.txt"), Chunk("world")), Context());

        var stored = File.ReadAllBytes(Path.Combine(root, "storage", "greeting.txt"));
        Assert.That(System.Text.Encoding.UTF8.GetString(stored), Is.EqualTo("hello world"));
        Assert.That((summary.FileName, summary.Size, summary.TotalChunks), Is.EqualTo(("greeting.txt", 11L, 2)));
        Assert.That(summary.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(stored))));
    }

    [Test]
    public void UploadFile_refuses_an_upload_over_the_limit_and_leaves_no_file()
    {
        var chunks = InMemoryStreamReader.Of(Chunk("123456", "big.bin"), Chunk("789012"));

        var error = Assert.ThrowsAsync<RpcException>(() => Service(maxFileBytes: 10).UploadFile(chunks, Context()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
    }

    [Test]
    public void UploadFile_refuses_a_name_with_a_folder_and_writes_nothing()
    {
        var service = Service();

        var error = Assert.ThrowsAsync<RpcException>(() => service.UploadFile(InMemoryStreamReader.Of(Chunk("x", "../escape.png")), Context()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(Directory.GetFiles(root, "*", SearchOption.AllDirectories), Is.Empty);
    }
}
