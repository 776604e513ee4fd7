using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Chapter03;
using StreamingTutorial.Chapter05;
using StreamingTutorial.Protos.Chat;
using StreamingTutorial.Protos.Files;
using StreamingTutorial.Protos.Uploader;
using StreamingTutorial.Reliability.Tests.Infrastructure;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.Reliability.Tests;

/// <summary>
/// The reference solutions against hostile input: file names that escape or confuse the
/// storage folder, uploads that never stop, chat lines that never end, and errors whose text
/// would tell a client about the server's insides.
/// </summary>
[TestFixture]
[Category("Reliability")]
[Category("Security")]
public class SecurityTests
{
    private const string GenericError = "Exception was thrown by handler.";

    /// <summary>Names every storing method must refuse with INVALID_ARGUMENT, writing nothing.</summary>
    public static IEnumerable<TestCaseData> BadNames()
    {
        var cases = new (string Name, string Why)[]
        {
            ("../../etc/passwd", "traversal"),
            ("..", "traversal"),
            (".", "the folder itself"),
            ("a/../../b.txt", "traversal through a folder"),
            ("..\\..\\boot.ini", "Windows traversal"),
            ("/etc/passwd", "absolute Unix path"),
            ("C:\\Windows\\win.ini", "absolute Windows path"),
            ("C:evil.txt", "drive-relative Windows path"),
            ("\\\\server\\share\\x.txt", "UNC path"),
            ("sub/dir.txt", "a folder"),
            ("CON", "Windows device"),
            ("nul.txt", "Windows device with an extension"),
            ("Com1.log", "Windows device in mixed case"),
            ("LPT9", "Windows printer"),
            ("aux .txt", "Windows device with a space before the dot"),
            ("report.", "a trailing dot Windows drops"),
            ("report ", "a trailing space Windows drops"),
            (new string('x', 256), "256 bytes"),
            (new string('é', 128), "256 bytes of UTF-8 in 128 characters"),
            ("cafe\u0301.txt", "not in normalization form C"),
            ("A\u030A.txt", "not in normalization form C"),
            ("bell\a.txt", "a control character"),
            ("nul\0.txt", "a NUL character"),
            ("new\nline.txt", "a line break"),
            ("invoice\u202Egnp.exe", "a right-to-left override that disguises the extension"),
            ("what?.txt", "a character Windows forbids"),
            ("a|b.txt", "a character Windows forbids"),
            ("star*.txt", "a character Windows forbids"),
            ("\"quoted\".txt", "a character Windows forbids"),
            ("", "empty"),
            ("   ", "blank"),
        };
        return cases.Select(c => new TestCaseData(c.Name).SetArgDisplayNames($"{c.Why}: \"{Printable(c.Name)}\""));
    }

    /// <summary>Names that must still be accepted: plain, international, and near the limits.</summary>
    public static IEnumerable<TestCaseData> GoodNames() => new[]
    {
        "notes.txt", "holiday photo.png", ".hidden", "CONSOLE.txt", "nul-byte.txt", "COM10", "café.txt", "日本語.txt", "😀.png",
        "a..b.txt", new string('n', 251) + ".txt", new string('é', 127) + "x",
    }.Select(name => new TestCaseData(name).SetArgDisplayNames($"\"{Printable(name)}\""));

    [TestCaseSource(nameof(BadNames))]
    public void FileNameRules_refuses(string name) =>
        // One copy, in chapters/Given, that chapters 1 and 3 both use.
        Assert.That(StreamingTutorial.FileNameRules.Check(name), Is.Not.Null);

    [TestCaseSource(nameof(GoodNames))]
    public void FileNameRules_accepts(string name) =>
        Assert.That(StreamingTutorial.FileNameRules.Check(name), Is.Null);

    [Test]
    public async Task Chapter_3_UploadFile_refuses_every_bad_name_with_INVALID_ARGUMENT_and_writes_nothing_anywhere()
    {
        using var parent = Grade.CreateTempFolder();
        var root = Path.Combine(parent.Path, "uploads", "inner");
        await using var host = await UploaderHostAsync(root);
        var client = new UploaderService.UploaderServiceClient(host.CreateChannel());
        var before = Uploads.Snapshot(parent.Path);

        foreach (var name in BadNames().Select(c => (string)c.Arguments[0]!))
        {
            var ex = await Waits.Fails(() => Uploads.UploadSmallAsync(client, name), $"an upload named \"{Printable(name)}\"");
            Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.InvalidArgument), $"status of an upload named \"{Printable(name)}\" ({ex.Status.Detail})");
        }

        Assert.That(Uploads.Snapshot(parent.Path), Is.EqualTo(before), "files under the test's folder after all the refused uploads");
        await host.AssertAllHandlersEndAsync("the refused uploads");
    }

    [Test]
    public async Task Chapter_1_WriteFile_refuses_every_bad_name_with_INVALID_ARGUMENT_and_writes_nothing_anywhere()
    {
        using var parent = Grade.CreateTempFolder();
        var root = Path.Combine(parent.Path, "files", "inner");
        await using var host = await FileServiceHostAsync(root);
        var client = new FileService.FileServiceClient(host.CreateChannel());
        var before = Uploads.Snapshot(parent.Path);

        foreach (var name in BadNames().Select(c => (string)c.Arguments[0]!))
        {
            var ex = await Waits.Fails(() => client.WriteFileAsync(new WriteFileRequest { FileName = name, Content = ByteString.CopyFromUtf8("no") }).ResponseAsync,
                $"WriteFile(\"{Printable(name)}\")");
            Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.InvalidArgument), $"status of WriteFile(\"{Printable(name)}\") ({ex.Status.Detail})");
        }

        Assert.That(Uploads.Snapshot(parent.Path), Is.EqualTo(before), "files under the test's folder after all the refused writes");
    }

    [Test]
    public async Task Two_spellings_of_the_same_accented_name_cannot_both_be_stored()
    {
        using var folder = Grade.CreateTempFolder();
        await using var host = await UploaderHostAsync(folder.Path);
        var client = new UploaderService.UploaderServiceClient(host.CreateChannel());
        var composed = "caf\u00E9.txt";
        var decomposed = "cafe\u0301.txt";

        await Uploads.UploadAsync(client, composed, 10, seed: 1).Within("the upload of café.txt, composed");
        var ex = await Waits.Fails(() => Uploads.UploadAsync(client, decomposed, 10, seed: 2), "the upload of café.txt, decomposed");

        Waits.AssertStatus(ex, StatusCode.InvalidArgument, $"File name '{decomposed}' is not in Unicode normalization form C", "the decomposed spelling");
        Assert.That(Directory.EnumerateFiles(folder.Path).Select(Path.GetFileName), Is.EqualTo(new[] { composed }), "files stored");
    }

    [Test]
    public async Task An_upload_one_byte_over_the_quota_is_RESOURCE_EXHAUSTED_and_leaves_nothing_while_one_at_the_quota_is_stored()
    {
        const long Quota = 3 * Uploads.ChunkSize;
        using var folder = Grade.CreateTempFolder();
        await using var host = await UploaderHostAsync(folder.Path, Quota);
        var client = new UploaderService.UploaderServiceClient(host.CreateChannel());

        var (atQuota, sent) = await Uploads.UploadAsync(client, "exactly.bin", Quota, seed: 3).Within("an upload exactly at the quota");
        var ex = await Waits.Fails(() => Uploads.UploadAsync(client, "over.bin", Quota + 1, seed: 4), "an upload one byte over the quota");

        Waits.AssertStatus(ex, StatusCode.ResourceExhausted, $"The upload is larger than this server's limit of {Quota} bytes per file.", "an upload one byte over");
        await host.AssertAllHandlersEndAsync("the refused upload");
        Assert.Multiple(() =>
        {
            Assert.That(atQuota.Sha256, Is.EqualTo(sent), "the upload at the quota is stored whole");
            Assert.That(Directory.EnumerateFileSystemEntries(folder.Path).Select(Path.GetFileName), Is.EqualTo(new[] { "exactly.bin" }), "the folder after the refused upload");
        });
    }

    [Test]
    public async Task An_upload_that_never_ends_is_cut_off_at_the_quota_while_the_client_is_still_sending()
    {
        const long Quota = 8 * Uploads.ChunkSize;
        using var folder = Grade.CreateTempFolder();
        await using var host = await UploaderHostAsync(folder.Path, Quota);
        var client = new UploaderService.UploaderServiceClient(host.CreateChannel());
        using var call = client.UploadFile();
        var chunk = ByteString.CopyFrom(new byte[Uploads.ChunkSize]);
        long accepted = 0;

        // Writes until the server ends the call; a client that never completes its stream.
        var writing = Task.Run(async () =>
        {
            for (var i = 0; i < 1024; i++)
            {
                await call.RequestStream.WriteAsync(new FileChunk { FileName = i == 0 ? "endless.bin" : "", Data = chunk });
                accepted += chunk.Length;
            }
        });
        var ex = await Waits.Fails(() => call.ResponseAsync, "an upload that never ends");
        // How grpc-dotnet fails the writes that follow is its own business; that they stop is the server's doing.
        var writeError = await Uploads.TryAsync(() => writing.Within("the writes to stop"));

        Waits.AssertStatus(ex, StatusCode.ResourceExhausted, "The upload is larger than this server's limit", "an endless upload");
        Figures.Report("endless-upload", $"the client got {Figures.MiB(accepted)} onto the wire before the server stopped it at its {Figures.MiB(Quota)} quota");
        Assert.Multiple(() =>
        {
            Assert.That(writeError, Is.Not.Null, "writes after the server's answer fail");
            Assert.That(accepted, Is.LessThan(Quota + 32L * Uploads.ChunkSize), "bytes the client could send: the quota plus what flow control lets through");
        });
        await host.AssertAllHandlersEndAsync("the endless upload was cut off");
        Assert.That(Directory.EnumerateFileSystemEntries(folder.Path), Is.Empty, "nothing stored and no temporary file left");
    }

    [Test]
    public async Task A_chat_line_over_4096_characters_ends_its_senders_call_with_INVALID_ARGUMENT_and_reaches_nobody()
    {
        await using var host = await ChatHostAsync(new ChatRoom());
        var client = new ChatService.ChatServiceClient(host.CreateChannel());
        using var alice = await ChatMemberClient.JoinAsync(client);
        using var mallory = await ChatMemberClient.JoinAsync(client);
        var malloryName = await mallory.NameAsync();
        var longest = new string('a', ChatRoom.MaxTextLength);

        await mallory.SayAsync(longest);
        await alice.WaitForAsync(m => m.Kind == Kind.Message && m.Text == longest, "the 4096-character line");
        await mallory.SayAsync(longest + "a");
        var ex = await Waits.Fails(() => mallory.Reading, "the call of a member who sent 4097 characters");

        Waits.AssertStatus(ex, StatusCode.InvalidArgument, $"A message may have at most {ChatRoom.MaxTextLength} characters; this one has {ChatRoom.MaxTextLength + 1}.", "the over-long line");
        await alice.WaitForAsync(m => m.Kind == Kind.Left && m.UserId == malloryName, "the notice that the sender left");
        await alice.SayAsync("still here");
        await alice.WaitForAsync(m => m.Text == "still here", "her own next line");
        Assert.That(alice.Received.Where(m => m.Text.Length > ChatRoom.MaxTextLength), Is.Empty, "lines over the limit that reached another member");
    }

    [Test]
    public async Task A_demo_server_tells_its_client_nothing_of_a_handlers_exception()
    {
        using var parent = Grade.CreateTempFolder();
        var root = Path.Combine(parent.Path, "secret-server-folder");
        // A folder where the file should go: writing or renaming onto it throws, with the full path in the message.
        Directory.CreateDirectory(Path.Combine(root, "taken"));
        var (files, filesAddress) = await DemoProgram.StartServerAsync("Chapter01.Unary", "--folder", root);
        await using var filesServer = files;
        var (uploads, uploadsAddress) = await DemoProgram.StartServerAsync("Chapter03.Uploader", "--folder", root);
        await using var uploadsServer = uploads;
        using var filesChannel = Grpc.Net.Client.GrpcChannel.ForAddress(filesAddress);
        using var uploadsChannel = Grpc.Net.Client.GrpcChannel.ForAddress(uploadsAddress);

        var writeError = await Waits.Fails(() => new FileService.FileServiceClient(filesChannel)
            .WriteFileAsync(new WriteFileRequest { FileName = "taken", Content = ByteString.CopyFromUtf8("x") }).ResponseAsync, "WriteFile onto a folder");
        var uploadError = await Waits.Fails(() => Uploads.UploadAsync(new UploaderService.UploaderServiceClient(uploadsChannel), "taken", 10, seed: 5),
            "UploadFile onto a folder");

        foreach (var (ex, what) in new[] { (writeError, "chapter 1's demo server (WriteFile)"), (uploadError, "chapter 3's demo server (UploadFile)") })
        {
            var trailers = string.Join(" ", ex.Trailers.Select(t => t.Key + "=" + (t.IsBinary ? Convert.ToBase64String(t.ValueBytes) : t.Value)));
            Assert.Multiple(() =>
            {
                Assert.That(ex.StatusCode, Is.EqualTo(StatusCode.Unknown), $"status of {what} when its handler throws");
                Assert.That(ex.Status.Detail, Is.EqualTo(GenericError), $"status detail of {what}: no exception name, message, path or stack trace");
                Assert.That(trailers, Does.Not.Contain("secret-server-folder").And.Not.Contain("Exception").And.Not.Contain(" at "), $"trailers of {what}");
            });
        }
        Assert.That(Directory.EnumerateFiles(root), Is.Empty, "no temporary file left by the failed upload");
        var hello = await new FileService.FileServiceClient(filesChannel).SayHelloAsync(new HelloRequest { Name = "still there" }).ResponseAsync.Within("a call after the failure");
        Assert.That(hello.Message, Is.EqualTo("Hello, still there!"), "the demo server goes on serving");
    }

    private static Task<KestrelHost> UploaderHostAsync(string root, long quota = UploadStorage.DefaultMaxFileBytes) =>
        KestrelHost.StartAsync(new HostSetup
        {
            Map = app => app.MapGrpcService<UploaderServiceImpl>(),
            Services = services => services.AddSingleton(new UploadStorage(root, quota)),
        });

    private static Task<KestrelHost> FileServiceHostAsync(string root) =>
        KestrelHost.StartAsync(new HostSetup
        {
            Map = app => app.MapGrpcService<StreamingTutorial.Chapter01.FileServiceImpl>(),
            Services = services => services.AddSingleton(new StreamingTutorial.Chapter01.FileStorage(root)),
        });

    internal static Task<KestrelHost> ChatHostAsync(ChatRoom room) =>
        KestrelHost.StartAsync(new HostSetup
        {
            Map = app => app.MapGrpcService<ChatServiceImpl>(),
            Services = services => services.AddSingleton(room),
        });

    private static string Printable(string name)
    {
        var text = string.Concat(name.Select(c => c is < ' ' or > '~' and < '\u00A0' || char.IsSurrogate(c) || c is '\u202E' or '\u0301' or '\u030A' ? $"\\u{(int)c:X4}" : c.ToString()));
        return text.Length <= 40 ? text : $"{text[..12]}...({name.Length} chars)";
    }
}
