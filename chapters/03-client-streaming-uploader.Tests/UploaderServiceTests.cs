using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Testing;
using StreamingTutorial.Protos.Uploader;
using StreamingTutorial.Testing;

namespace StreamingTutorial.Chapter03.Tests;

/// <summary>Tests of chapter 3: each upload is a request stream in memory, read by the service method called directly.</summary>
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

    // An example: the client's chunks are an InMemoryStreamReader (chapters/Testing), complete
    // from the start, read by the service as it would read a real call's request stream.
    [Test]
    public async Task UploadImage_counts_the_chunks()
    {
        var chunks = InMemoryStreamReader.Of(Image(4), Image(4));

        var summary = await Service().UploadImage(chunks, Context());

        Assert.That(summary.TotalChunks, Is.EqualTo(2));
    }

    // TODO 3.T: write tests that would catch a service that gets these wrong, then delete the test below:
    //  - UploadImage adds up the bytes of every chunk, whatever its size (even 0 bytes), and
    //    counts every chunk, the first one too.
    //  - UploadFile stores every chunk, in order (read the file back from the storage), and
    //    reports the file's name, size, number of chunks and SHA-256.
    //  - UploadFile refuses an upload larger than the storage's limit (Service(maxFileBytes: 10))
    //    with ResourceExhausted, and leaves no file behind.
    //  - UploadFile refuses a file name with a folder in it with InvalidArgument, writing nothing.
    // Grade them with: dotnet test --filter Category=Chapter03
    [Test]
    public void Your_tests()
    {
        throw new NotImplementedException("TODO 3.T: UploaderServiceTests");
    }
}
