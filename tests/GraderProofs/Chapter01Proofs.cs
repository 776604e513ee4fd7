using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StreamingTutorial.Chapter01;
using StreamingTutorial.Grading;
using StreamingTutorial.Grading.Chapter01;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.GraderProofs;

[TestFixture]
[Category("GraderProofs")]
public class Chapter01Proofs
{
    private static FileServiceImpl Solution(string root) => new(new FileStorage(root));

    /// <summary>The solution, wired as the grader project wires the learner's code.</summary>
    private static IEnumerable<TestCaseData> SolutionChecks() => Proof.SolutionCases(Chapter01Grader.Checks(new Chapter01Code<FileServiceImpl>(
        CreateService: Solution,
        GreetAsync: FileClient.GreetAsync,
        GetServerTimeAsync: FileClient.GetServerTimeAsync,
        WriteAndListAsync: FileClient.WriteAndListAsync)));

    [TestCaseSource(nameof(SolutionChecks))]
    public Task The_solution_passes_every_check(Check check) => check.Run();

    [TestCaseSource(nameof(Mutants))]
    public Task Each_mutant_fails_its_grader(Mutant mutant) => Proof.MutantIsCaughtAsync(mutant);

    private static IEnumerable<TestCaseData> Mutants() => new Mutant[]
    {
        new(Exercises.SayHello, "greeting without the comma", () => Chapter01Grader.SayHelloAsync(root => new GreetsWithoutComma(new FileStorage(root))), Hint: "greeting-text"),
        new(Exercises.SayHello, "greets a blank name instead of rejecting it", () => Chapter01Grader.SayHelloAsync(root => new GreetsBlankNames(new FileStorage(root)))),
        new(Exercises.SayHello, "always greets Ada", () => Chapter01Grader.SayHelloAsync(root => new AlwaysGreetsAda(new FileStorage(root)))),
        new(Exercises.GetServerTime, "sends no time", () => Chapter01Grader.GetServerTimeAsync(root => new SendsNoTime(new FileStorage(root)))),
        new(Exercises.GetServerTime, "uses DateTime.Now, which Timestamp refuses (the handler throws)", () => Chapter01Grader.GetServerTimeAsync(root => new UsesLocalNow(new FileStorage(root))), Hint: "utc-kind"),
        new(Exercises.GetServerTime, "sends a time an hour off", () => Chapter01Grader.GetServerTimeAsync(root => new TimeAnHourOff(new FileStorage(root)))),
        new(Exercises.WriteFile, "writes without checking the name", () => Chapter01Grader.WriteFileAsync(root => new WritesUncheckedNames(new FileStorage(root)))),
        new(Exercises.WriteFile, "reports a size off by one", () => Chapter01Grader.WriteFileAsync(root => new SizeOffByOne(new FileStorage(root)))),
        new(Exercises.WriteFile, "checks the name only after writing", () => Chapter01Grader.WriteFileAsync(root => new ChecksAfterWriting(new FileStorage(root)))),
        new(Exercises.ListFiles, "lists in reverse order", () => Chapter01Grader.ListFilesAsync(root => new ListsInReverse(new FileStorage(root)))),
        new(Exercises.ListFiles, "lists every size as 0", () => Chapter01Grader.ListFilesAsync(root => new ListsZeroSizes(new FileStorage(root)))),
        new(Exercises.GreetAsync, "returns a made-up greeting", () => Chapter01Grader.GreetAsync((_, name) => Task.FromResult($"Hello, {name}!"))),
        new(Exercises.GreetAsync, "sends the name in capitals", () => Chapter01Grader.GreetAsync(async (client, name) => (await client.SayHelloAsync(new HelloRequest { Name = name.ToUpperInvariant() })).Message)),
        new(Exercises.GetServerTimeAsync, "sets no deadline", () => Chapter01Grader.GetServerTimeClientAsync(async client => (await client.GetServerTimeAsync(new ServerTimeRequest())).Time.ToDateTime())),
        new(Exercises.GetServerTimeAsync, "returns the local clock instead of the server's", () => Chapter01Grader.GetServerTimeClientAsync(async client =>
        {
            await client.GetServerTimeAsync(new ServerTimeRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
            return DateTime.UtcNow;
        })),
        new(Exercises.GetServerTimeAsync, "uses a 60 second deadline", () => Chapter01Grader.GetServerTimeClientAsync(async client =>
            (await client.GetServerTimeAsync(new ServerTimeRequest(), deadline: DateTime.UtcNow.AddSeconds(60))).Time.ToDateTime())),
        new(Exercises.WriteAndListAsync, "lists before writing", () => Chapter01Grader.WriteAndListAsync(async (client, name, text) =>
        {
            var listing = await client.ListFilesAsync(new ListFilesRequest());
            await client.WriteFileAsync(new WriteFileRequest { FileName = name, Content = ByteString.CopyFromUtf8(text) });
            return listing.Files.Select(f => f.Name).ToList();
        })),
        new(Exercises.WriteAndListAsync, "starts WriteFile without awaiting it, then lists", () => Chapter01Grader.WriteAndListAsync(async (client, name, text) =>
        {
            var write = client.WriteFileAsync(new WriteFileRequest { FileName = name, Content = ByteString.CopyFromUtf8(text) });
            var listing = await client.ListFilesAsync(new ListFilesRequest());
            await write;
            return listing.Files.Select(f => f.Name).ToList();
        }), Hint: "write-then-list"),
        new(Exercises.WriteAndListAsync, "returns only the written name", () => Chapter01Grader.WriteAndListAsync(async (client, name, text) =>
        {
            await client.WriteFileAsync(new WriteFileRequest { FileName = name, Content = ByteString.CopyFromUtf8(text) });
            await client.ListFilesAsync(new ListFilesRequest());
            return new[] { name };
        })),
        new(Exercises.WriteAndListAsync, "sends the text as Latin-1", () => Chapter01Grader.WriteAndListAsync(async (client, name, text) =>
        {
            await client.WriteFileAsync(new WriteFileRequest { FileName = name, Content = ByteString.CopyFrom(System.Text.Encoding.Latin1.GetBytes(text)) });
            return (await client.ListFilesAsync(new ListFilesRequest())).Files.Select(f => f.Name).ToList();
        })),
    }.Select(m => m.ToTestCase());

    // Each mutant is the solution with one method made wrong in a way learners get it wrong.

    private sealed class GreetsWithoutComma(FileStorage storage) : FileServiceImpl(storage)
    {
        public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context) =>
            string.IsNullOrWhiteSpace(request.Name)
                ? throw new RpcException(new Status(StatusCode.InvalidArgument, "Name is required."))
                : Task.FromResult(new HelloReply { Message = $"Hello {request.Name}!" });
    }

    private sealed class GreetsBlankNames(FileStorage storage) : FileServiceImpl(storage)
    {
        public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context) =>
            Task.FromResult(new HelloReply { Message = $"Hello, {request.Name}!" });
    }

    private sealed class AlwaysGreetsAda(FileStorage storage) : FileServiceImpl(storage)
    {
        public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context) =>
            string.IsNullOrWhiteSpace(request.Name)
                ? throw new RpcException(new Status(StatusCode.InvalidArgument, "Name is required."))
                : Task.FromResult(new HelloReply { Message = "Hello, Ada!" });
    }

    private sealed class SendsNoTime(FileStorage storage) : FileServiceImpl(storage)
    {
        public override Task<ServerTimeReply> GetServerTime(ServerTimeRequest request, ServerCallContext context) =>
            Task.FromResult(new ServerTimeReply());
    }

    private sealed class UsesLocalNow(FileStorage storage) : FileServiceImpl(storage)
    {
        public override Task<ServerTimeReply> GetServerTime(ServerTimeRequest request, ServerCallContext context) =>
            Task.FromResult(new ServerTimeReply { Time = Timestamp.FromDateTime(DateTime.Now) });
    }

    private sealed class TimeAnHourOff(FileStorage storage) : FileServiceImpl(storage)
    {
        public override Task<ServerTimeReply> GetServerTime(ServerTimeRequest request, ServerCallContext context) =>
            Task.FromResult(new ServerTimeReply { Time = Timestamp.FromDateTime(DateTime.UtcNow.AddHours(1)) });
    }

    private sealed class WritesUncheckedNames(FileStorage storage) : FileServiceImpl(storage)
    {
        private readonly FileStorage storage = storage;

        public override async Task<WriteFileReply> WriteFile(WriteFileRequest request, ServerCallContext context)
        {
            var path = Path.Combine(storage.Root, request.FileName);
            await File.WriteAllBytesAsync(path, request.Content.ToByteArray());
            return new WriteFileReply { FileName = request.FileName, Size = request.Content.Length };
        }
    }

    private sealed class SizeOffByOne(FileStorage storage) : FileServiceImpl(storage)
    {
        public override async Task<WriteFileReply> WriteFile(WriteFileRequest request, ServerCallContext context)
        {
            var reply = await base.WriteFile(request, context);
            reply.Size += 1;
            return reply;
        }
    }

    private sealed class ChecksAfterWriting(FileStorage storage) : FileServiceImpl(storage)
    {
        private readonly FileStorage storage = storage;

        public override async Task<WriteFileReply> WriteFile(WriteFileRequest request, ServerCallContext context)
        {
            // Writes first (when the path is at all writable), then validates: the classic ordering bug.
            try
            {
                await File.WriteAllBytesAsync(Path.Combine(storage.Root, request.FileName), request.Content.ToByteArray());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
            }
            return await base.WriteFile(request, context);
        }
    }

    private sealed class ListsInReverse(FileStorage storage) : FileServiceImpl(storage)
    {
        public override async Task<ListFilesReply> ListFiles(ListFilesRequest request, ServerCallContext context)
        {
            var reply = await base.ListFiles(request, context);
            var reversed = new ListFilesReply();
            reversed.Files.AddRange(reply.Files.Reverse());
            return reversed;
        }
    }

    private sealed class ListsZeroSizes(FileStorage storage) : FileServiceImpl(storage)
    {
        public override async Task<ListFilesReply> ListFiles(ListFilesRequest request, ServerCallContext context)
        {
            var reply = await base.ListFiles(request, context);
            foreach (var file in reply.Files)
            {
                file.Size = 0;
            }
            return reply;
        }
    }
}
