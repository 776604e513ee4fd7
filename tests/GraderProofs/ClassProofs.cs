using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StreamingTutorial.Grading.Chapter01;
using StreamingTutorial.Grading.Chapter02;
using StreamingTutorial.Grading.Chapter03;
using StreamingTutorial.Grading.Chapter04;
using StreamingTutorial.Grading.Chapter05;
using StreamingTutorial.Protos.Chat;
using StreamingTutorial.Protos.Files;
using StreamingTutorial.Protos.Numbers;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;
using StreamingTutorial.Protos.Uploader;
using Ch1 = StreamingTutorial.Chapter01;
using Ch2 = StreamingTutorial.Chapter02;
using Ch3 = StreamingTutorial.Chapter03;
using Ch4 = StreamingTutorial.Chapter04;
using Ch5 = StreamingTutorial.Chapter05;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.GraderProofs;

/// <summary>
/// Mutants by class of mistake, a chapter at a time: code that mixes local time and UTC (caught
/// because graders run in Adelaide time), values at the edges of their types and sizes and
/// files in unusual states, cancellation in the middle of a stream, clients that make up the
/// server's answer, and clients that swallow a failed deadline or a failing server. Each is a
/// mistake a learner makes; each must fail its grader.
/// </summary>
[TestFixture]
[Category("GraderProofs")]
public class ClassProofs
{
    [TestCaseSource(nameof(Mutants))]
    public Task Each_mutant_fails_its_grader(Mutant mutant) => Proof.MutantIsCaughtAsync(mutant);

    private static IEnumerable<TestCaseData> Mutants() => new Mutant[]
    {
        // ---- Chapter 1
        new("1.2", "[time zone] stamps the local clock as if it were UTC", () => Chapter01Grader.GetServerTimeAsync(root => new LocalTimeAsUtc(new Ch1.FileStorage(root)))),
        new("1.6", "[time zone] returns the server's time converted to local time", () => Chapter01Grader.GetServerTimeClientAsync(async client =>
            (await client.GetServerTimeAsync(new ServerTimeRequest(), deadline: DateTime.UtcNow.AddSeconds(5))).Time.ToDateTime().ToLocalTime())),
        new("1.6", "[time zone] returns the right instant labelled as local time", () => Chapter01Grader.GetServerTimeClientAsync(async client =>
            DateTime.SpecifyKind((await client.GetServerTimeAsync(new ServerTimeRequest(), deadline: DateTime.UtcNow.AddSeconds(5))).Time.ToDateTime(), DateTimeKind.Local)), Hint: "to-datetime"),
        new("1.3", "[boundary] overwrites an existing file without truncating it", () => Chapter01Grader.WriteFileAsync(root => new OverwritesWithoutTruncating(new Ch1.FileStorage(root))), Hint: "write-bytes"),
        new("1.4", "[boundary] lists folders as well as files", () => Chapter01Grader.ListFilesAsync(root => new ListsFolders(new Ch1.FileStorage(root))), Hint: "enumerate-files"),
        new("1.7", "[reference answer] sorts the names itself instead of keeping the server's order", () => Chapter01Grader.WriteAndListAsync(async (client, name, text) =>
            (await Ch1.FileClient.WriteAndListAsync(client, name, text)).Order(StringComparer.Ordinal).ToList())),
        new("1.5", "[swallowed error] returns an empty greeting when the server fails", () => Chapter01Grader.GreetAsync(async (client, name) =>
        {
            try
            {
                return await Ch1.FileClient.GreetAsync(client, name);
            }
            catch (RpcException)
            {
                return "";
            }
        }), Hint: "greet-errors"),
        new("1.6", "[swallowed error] returns DateTime.MinValue when the deadline passes", () => Chapter01Grader.GetServerTimeClientAsync(async client =>
        {
            try
            {
                return await Ch1.FileClient.GetServerTimeAsync(client);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
            {
                return DateTime.MinValue;
            }
        }), Hint: "time-errors"),

        // ---- Chapter 2
        new("2.1", "[time zone] stamps each update with the local clock as if it were UTC", () => Chapter02Grader.GetTimeUpdatesAsync(() => new UpdatesInLocalTime())),
        new("2.2", "[boundary] Next(min, max + 1) overflows when max is int.MaxValue", () => Chapter02Grader.GenerateNumbersAsync(() => new IntMaxOverflows())),
        new("2.2", "[cancellation] waits between numbers without the cancellation token", () => Chapter02Grader.GenerateNumbersAsync(() => new NumbersIgnoreCancellation()), Hint: "count-and-pace"),
        new("2.4", "[reference answer] makes up the numbers with its own Random after reading the server's", () => Chapter02Grader.ReadNumbersAsync(async (client, request, timeout) =>
        {
            var read = await Ch2.StreamingClient.ReadNumbersAsync(client, request, timeout);
            return read.Select(n => new RandomNumber { Value = (int)Random.Shared.NextInt64(request.Min, (long)request.Max + 1), Sequence = n.Sequence }).ToList();
        })),
        new("2.3", "[swallowed error] stops quietly when the server fails mid-stream", () => Chapter02Grader.ReadTimeUpdatesAsync(async (client, interval, max, onUpdate, token) =>
        {
            try
            {
                await Ch2.StreamingClient.ReadTimeUpdatesAsync(client, interval, max, onUpdate, token);
            }
            catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
            {
            }
        }), Hint: "stream-errors"),

        // ---- Chapter 3
        new("3.2", "[boundary] refuses an upload of exactly the quota (>= instead of >)", () => Chapter03Grader.UploadFileAsync((root, quota) => new RefusesExactlyTheQuota(new Ch3.UploadStorage(root, quota)))),
        new("3.4", "[boundary] sends an extra empty chunk when the file ends at a chunk boundary", () => Chapter03Grader.UploadFileClientAsync(ExtraEmptyChunkAsync)),
        new("3.4", "[cancellation] does not pass the cancellation token to the call", () => Chapter03Grader.UploadFileClientAsync((client, path, progress, _) =>
            Ch3.UploaderClient.UploadFileAsync(client, path, progress)), Hint: "upload-cancel"),
        new("3.3", "[reference answer] returns the summary it expects instead of the server's", () => Chapter03Grader.UploadRandomChunksAsync(async (client, count, size) =>
        {
            await Ch3.UploaderClient.UploadRandomChunksAsync(client, count, size);
            return new UploadSummary { TotalChunks = count, TotalBytes = (long)count * size };
        })),
        new("3.4", "[reference answer] computes the hash itself instead of returning the server's", () => Chapter03Grader.UploadFileClientAsync(async (client, path, progress, token) =>
        {
            var reply = await Ch3.UploaderClient.UploadFileAsync(client, path, progress, token);
            return new FileUploadSummary
            {
                FileName = Path.GetFileName(path),
                Size = new FileInfo(path).Length,
                Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(path))),
                TotalChunks = reply.TotalChunks,
            };
        })),
        new("3.3", "[swallowed error] returns an empty summary when the call fails", () => Chapter03Grader.UploadRandomChunksAsync(async (client, count, size) =>
        {
            try
            {
                return await Ch3.UploaderClient.UploadRandomChunksAsync(client, count, size);
            }
            catch (RpcException)
            {
                return new UploadSummary();
            }
        }), Hint: "upload-errors"),

        new("3.3", "[time zone] sets its deadline from the local clock", () => Chapter03Grader.UploadRandomChunksAsync(async (client, count, size) =>
        {
            using var call = client.UploadImage(deadline: DateTime.SpecifyKind(DateTime.Now.AddSeconds(10), DateTimeKind.Utc));
            for (var i = 0; i < count; i++)
            {
                await call.RequestStream.WriteAsync(new ImageChunk { Data = ByteString.CopyFrom(System.Security.Cryptography.RandomNumberGenerator.GetBytes(size)) });
            }
            await call.RequestStream.CompleteAsync();
            return await call.ResponseAsync;
        })),

        // ---- Chapter 4
        new("4.1", "[boundary] checks only the upper bound, so a sum below int.MinValue wraps", () => Chapter04Grader.SumNumbersAsync(() => new ChecksOnlyUpperBound())),
        new("4.2", "[boundary] updates min and max with else-if, so one reading (or falling ones) never sets max", () => Chapter04Grader.SummarizeReadingsAsync(() => new MinElseMax())),
        new("4.4", "[swallowed error] returns an empty summary when the deadline passes", () => Chapter04Grader.SummarizeAsync(async (client, readings, deadline) =>
        {
            try
            {
                return await Ch4.NumbersClient.SummarizeAsync(client, readings, deadline);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
            {
                return new ReadingSummary();
            }
        }), Hint: "summary-errors"),
        new("4.4", "[reference answer] works out the summary itself from the readings it sent", () => Chapter04Grader.SummarizeAsync(async (client, readings, deadline) =>
        {
            var sent = new List<double>();
            await Ch4.NumbersClient.SummarizeAsync(client, Tee(readings, sent), deadline);
            return new ReadingSummary { Count = sent.Count, Min = sent.Min(), Max = sent.Max(), Mean = sent.Average() };
        })),
        new("4.4", "[cancellation] keeps waiting for the next reading after the deadline has passed", () => Chapter04Grader.SummarizeAsync(async (client, readings, deadline) =>
        {
            using var call = client.SummarizeReadings(deadline: deadline);
            await foreach (var reading in readings)
            {
                await call.RequestStream.WriteAsync(reading);
            }
            await call.RequestStream.CompleteAsync();
            return await call.ResponseAsync;
        }), Hint: "deadline-ends-wait"),
        new("4.3", "[reference answer] returns 0 for no numbers without asking the server", () => Chapter04Grader.SumAsync((client, numbers) =>
            numbers.Any() ? Ch4.NumbersClient.SumAsync(client, numbers) : Task.FromResult(0))),

        // ---- Chapter 5
        new("5.4", "[time zone] shows the time in UTC, not local time", () => Chapter05Grader.FormatLineAsync(m =>
            $"[{DateTimeOffset.FromUnixTimeSeconds(m.Timestamp):HH:mm:ss}] {m.UserId}{(m.Kind == Kind.Message ? ":" : "")} {m.Text}")),
        new("5.4", "[boundary] crashes on a timestamp in milliseconds", () => Chapter05Grader.FormatLineAsync(m =>
            $"[{DateTimeOffset.FromUnixTimeSeconds(m.Timestamp).ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {m.UserId}{(m.Kind == Kind.Message ? ":" : "")} {m.Text}"), Hint: "odd-timestamps"),
        new("5.4", "[boundary] shows a kind it does not know as a member's line", () => Chapter05Grader.FormatLineAsync(m =>
            Ch5.ChatClient.FormatLine(m.Kind is Kind.Joined or Kind.Left or Kind.Message ? m : new ChatMessage(m) { Kind = Kind.Message })), Hint: "notice-format"),
        new("5.3", "[time zone] stamps lines with the local clock read as UTC seconds", () => Chapter05Grader.JoinChatAsync<StampsLocalTime, Ch5.ChatRoom>(
            capacity => new Ch5.ChatRoom(capacity), room => room.Count, Ch5.ChatRoom.MaxTextLength)),
        new("5.3", "[names] passes every line's user_id through, as seed 002's Go server does", () => Chapter05Grader.JoinChatAsync<PassesNamesThrough, Ch5.ChatRoom>(
            capacity => new Ch5.ChatRoom(capacity), room => room.Count, Ch5.ChatRoom.MaxTextLength)),
        new("5.3", "[names] never settles names: every member stays Client(N)", () => Chapter05Grader.JoinChatAsync<NeverNames, Ch5.ChatRoom>(
            capacity => new Ch5.ChatRoom(capacity), room => room.Count, Ch5.ChatRoom.MaxTextLength), Hint: "settle-name"),
        new("5.5", "[names] sends no user_id", () => Chapter05Grader.ChatAsync((client, lines, onMessage, token, _) =>
            Ch5.ChatClient.ChatAsync(client, lines, onMessage, token)), Hint: "send-name"),
        new("5.5", "[reference answer] shows its own line at once instead of the room's copy", () => Chapter05Grader.ChatAsync((client, lines, onMessage, token, name) =>
            Ch5.ChatClient.ChatAsync(client, EchoLocally(lines, onMessage, name), onMessage, token, name))),
        new("5.5", "[swallowed error] catches the server's error around the whole chat and returns", () => Chapter05Grader.ChatAsync(async (client, lines, onMessage, token, name) =>
        {
            try
            {
                await Ch5.ChatClient.ChatAsync(client, lines, onMessage, token, name);
            }
            catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
            {
            }
        })),
        new("5.1", "[boundary] drops a member as soon as its outbox is exactly full", () => Chapter05Grader.BroadcastAsync(capacity => new DropsWhenExactlyFull(new Ch5.ChatRoom(capacity)))),
    }.Select(m => m.ToTestCase());

    // ---- Chapter 1 mutants

    private sealed class LocalTimeAsUtc(Ch1.FileStorage storage) : Ch1.FileServiceImpl(storage)
    {
        public override Task<ServerTimeReply> GetServerTime(ServerTimeRequest request, ServerCallContext context) =>
            Task.FromResult(new ServerTimeReply { Time = Timestamp.FromDateTime(DateTime.SpecifyKind(DateTime.Now, DateTimeKind.Utc)) });
    }

    private sealed class OverwritesWithoutTruncating(Ch1.FileStorage storage) : Ch1.FileServiceImpl(storage)
    {
        private readonly Ch1.FileStorage storage = storage;

        public override async Task<WriteFileReply> WriteFile(WriteFileRequest request, ServerCallContext context)
        {
            if (FileNameRules.Check(request.FileName) is { } problem)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
            }
            // OpenOrCreate keeps the old file's bytes past the new content's end.
            await using (var file = new FileStream(Path.Combine(storage.Root, request.FileName), FileMode.OpenOrCreate, FileAccess.Write))
            {
                await file.WriteAsync(request.Content.Memory);
            }
            return new WriteFileReply { FileName = request.FileName, Size = request.Content.Length };
        }
    }

    private sealed class ListsFolders(Ch1.FileStorage storage) : Ch1.FileServiceImpl(storage)
    {
        private readonly Ch1.FileStorage storage = storage;

        public override Task<ListFilesReply> ListFiles(ListFilesRequest request, ServerCallContext context)
        {
            var reply = new ListFilesReply();
            reply.Files.AddRange(new DirectoryInfo(storage.Root).EnumerateFileSystemInfos().OrderBy(f => f.Name, StringComparer.Ordinal)
                .Select(f => new FileEntry { Name = f.Name, Size = f is FileInfo file ? file.Length : 0 }));
            return Task.FromResult(reply);
        }
    }

    // ---- Chapter 2 mutants

    private sealed class UpdatesInLocalTime : Ch2.StreamingServiceImpl
    {
        public override async Task GetTimeUpdates(TimeUpdatesRequest request, IServerStreamWriter<TimeUpdate> responseStream, ServerCallContext context)
        {
            if (request.IntervalMs < 0)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "interval_ms must not be negative."));
            }
            var interval = TimeSpan.FromMilliseconds(request.IntervalMs == 0 ? DefaultIntervalMs : request.IntervalMs);
            long sequence = 0;
            try
            {
                while (!context.CancellationToken.IsCancellationRequested)
                {
                    var now = DateTime.SpecifyKind(DateTime.Now, DateTimeKind.Utc);
                    await responseStream.WriteAsync(new TimeUpdate { Time = Timestamp.FromDateTime(now), Sequence = ++sequence });
                    await Task.Delay(interval, context.CancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private class ValidatingNumbers : Ch2.RandomServiceImpl
    {
        protected static void Validate(RandomRequest request)
        {
            if (request.Min > request.Max || request.Count < 0 || request.IntervalMs < 0)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"Bad request: min {request.Min}, max {request.Max}, count {request.Count}, interval_ms {request.IntervalMs}."));
            }
        }
    }

    private sealed class IntMaxOverflows : ValidatingNumbers
    {
        public override async Task GenerateNumbers(RandomRequest request, IServerStreamWriter<RandomNumber> responseStream, ServerCallContext context)
        {
            Validate(request);
            for (var sequence = 1; sequence <= request.Count; sequence++)
            {
                if (sequence > 1)
                {
                    await Task.Delay(request.IntervalMs, context.CancellationToken);
                }
                await responseStream.WriteAsync(new RandomNumber { Value = Random.Shared.Next(request.Min, request.Max + 1), Sequence = sequence });
            }
        }
    }

    private sealed class NumbersIgnoreCancellation : ValidatingNumbers
    {
        public override async Task GenerateNumbers(RandomRequest request, IServerStreamWriter<RandomNumber> responseStream, ServerCallContext context)
        {
            Validate(request);
            for (var sequence = 1; sequence <= request.Count; sequence++)
            {
                if (sequence > 1)
                {
                    await Task.Delay(request.IntervalMs);
                }
                await responseStream.WriteAsync(new RandomNumber { Value = (int)Random.Shared.NextInt64(request.Min, (long)request.Max + 1), Sequence = sequence });
            }
        }
    }

    // ---- Chapter 3 mutants

    private sealed class RefusesExactlyTheQuota(Ch3.UploadStorage storage) : Ch3.UploaderServiceImpl(storage)
    {
        private readonly Ch3.UploadStorage storage = storage;

        public override async Task<FileUploadSummary> UploadFile(IAsyncStreamReader<FileChunk> requestStream, ServerCallContext context)
        {
            // Counts what arrives first (the same bytes the solution sees), and refuses at the quota itself.
            var chunks = new List<FileChunk>();
            long size = 0;
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                size += requestStream.Current.Data.Length;
                if (size >= storage.MaxFileBytes)
                {
                    throw new RpcException(new Status(StatusCode.ResourceExhausted, $"The upload reached this server's limit of {storage.MaxFileBytes} bytes."));
                }
                chunks.Add(requestStream.Current);
            }
            return await base.UploadFile(new Replay(chunks), context);
        }
    }

    /// <summary>Chunks already read, offered again to the solution's handler.</summary>
    private sealed class Replay(List<FileChunk> chunks) : IAsyncStreamReader<FileChunk>
    {
        private int next = -1;

        public FileChunk Current => chunks[next];

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(++next < chunks.Count);
    }

    private static async Task<FileUploadSummary> ExtraEmptyChunkAsync(UploaderService.UploaderServiceClient client, string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        using var call = client.UploadFile(cancellationToken: cancellationToken);
        var buffer = new byte[Ch3.UploaderClient.FileChunkSize];
        long sent = 0;
        var first = true;
        int read;
        do
        {
            // No check for an empty read after a full chunk: a file of exactly 1 MiB gets a second, empty chunk.
            read = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
            var chunk = new FileChunk { Data = ByteString.CopyFrom(buffer, 0, read) };
            if (first)
            {
                chunk.FileName = Path.GetFileName(path);
                first = false;
            }
            await call.RequestStream.WriteAsync(chunk, cancellationToken);
            sent += read;
            progress?.Report(sent);
        }
        while (read == buffer.Length);
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    // ---- Chapter 4 mutants

    private static async IAsyncEnumerable<SensorReading> Tee(IAsyncEnumerable<SensorReading> readings, List<double> values)
    {
        await foreach (var reading in readings)
        {
            values.Add(reading.Value);
            yield return reading;
        }
    }

    private sealed class ChecksOnlyUpperBound : Ch4.NumberServiceImpl
    {
        public override async Task<NumberResponse> SumNumbers(IAsyncStreamReader<NumberRequest> requestStream, ServerCallContext context)
        {
            long total = 0;
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                total += request.Num;
            }
            if (total > int.MaxValue)
            {
                throw new RpcException(new Status(StatusCode.OutOfRange, $"The sum {total} is too large for an int32."));
            }
            return new NumberResponse { Sum = unchecked((int)total) };
        }
    }

    private sealed class MinElseMax : Ch4.SensorServiceImpl
    {
        public override async Task<ReadingSummary> SummarizeReadings(IAsyncStreamReader<SensorReading> requestStream, ServerCallContext context)
        {
            var count = 0;
            var total = 0.0;
            var min = double.PositiveInfinity;
            var max = double.NegativeInfinity;
            await foreach (var reading in requestStream.ReadAllAsync(context.CancellationToken))
            {
                count++;
                if (!double.IsFinite(reading.Value))
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"Reading {count} (sensor '{reading.SensorId}') is not a finite value."));
                }
                total += reading.Value;
                if (reading.Value < min)
                {
                    min = reading.Value;
                }
                else if (reading.Value > max)
                {
                    max = reading.Value;
                }
            }
            return count == 0 ? new ReadingSummary() : new ReadingSummary { Count = count, Min = min, Max = max, Mean = total / count };
        }
    }

    // ---- Chapter 5 mutants

    /// <summary>Each typed line, also handed to onMessage at once as if the room had sent it.</summary>
    private static async IAsyncEnumerable<string> EchoLocally(IAsyncEnumerable<string> lines, Action<ChatMessage> onMessage, string? name)
    {
        await foreach (var line in lines)
        {
            if (!string.Equals(line.Trim(), "exit", StringComparison.OrdinalIgnoreCase))
            {
                onMessage(new ChatMessage { UserId = name ?? "me", Text = line, Timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() });
            }
            yield return line;
        }
    }

    /// <summary>The solution's JoinChat, with one line changed by each mutant: how a broadcast line is made.</summary>
    private abstract class LineMaker(Ch5.ChatRoom room) : ChatService.ChatServiceBase
    {
        protected abstract ChatMessage Make(Ch5.ChatRoom room, Ch5.ChatMember member, ChatMessage message);

        public override async Task JoinChat(IAsyncStreamReader<ChatMessage> requestStream, IServerStreamWriter<ChatMessage> responseStream, ServerCallContext context)
        {
            var member = room.Join();
            var writing = Task.Run(async () =>
            {
                await foreach (var message in member.Outbox.ReadAllAsync())
                {
                    await responseStream.WriteAsync(message);
                }
            });
            using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, member.Dropped);
            try
            {
                await foreach (var message in requestStream.ReadAllAsync(stopReading.Token))
                {
                    if (message.Text.Length > Ch5.ChatRoom.MaxTextLength)
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, "Too long."));
                    }
                    room.Broadcast(Make(room, member, message));
                }
            }
            catch (OperationCanceledException) when (member.DropReason is not null)
            {
            }
            finally
            {
                room.Leave(member);
                await writing;
            }
            if (member.DropReason is { } reason)
            {
                throw new RpcException(reason);
            }
        }
    }

    private sealed class StampsLocalTime(Ch5.ChatRoom room) : LineMaker(room)
    {
        protected override ChatMessage Make(Ch5.ChatRoom room, Ch5.ChatMember member, ChatMessage message)
        {
            room.SettleName(member, message.UserId);
            return new ChatMessage { UserId = member.Name, Text = message.Text, Timestamp = new DateTimeOffset(DateTime.Now.Ticks, TimeSpan.Zero).ToUnixTimeSeconds() };
        }
    }

    private sealed class PassesNamesThrough(Ch5.ChatRoom room) : LineMaker(room)
    {
        protected override ChatMessage Make(Ch5.ChatRoom room, Ch5.ChatMember member, ChatMessage message) =>
            new() { UserId = message.UserId.Length > 0 ? message.UserId : member.Name, Text = message.Text, Timestamp = Ch5.ChatRoom.Now() };
    }

    private sealed class NeverNames(Ch5.ChatRoom room) : LineMaker(room)
    {
        protected override ChatMessage Make(Ch5.ChatRoom room, Ch5.ChatMember member, ChatMessage message) =>
            new() { UserId = member.Name, Text = message.Text, Timestamp = Ch5.ChatRoom.Now() };
    }

    /// <summary>The solution's room, with a Broadcast that drops a member whose outbox is full after the message went in.</summary>
    private sealed class DropsWhenExactlyFull(Ch5.ChatRoom room) : IChatRoomUnderTest
    {
        private readonly Graders.Chapter05.LearnersChatRoom inner = new(room);
        private readonly Dictionary<string, IChatMemberUnderTest> members = [];

        public int Count => inner.Count;

        public IChatMemberUnderTest Join()
        {
            var member = inner.Join();
            members[member.Name] = member;
            return member;
        }

        public void Broadcast(ChatMessage message)
        {
            inner.Broadcast(message);
            // "Full means behind": a member whose outbox is now at capacity is treated as too far behind.
            foreach (var member in members.Values.Where(m => m.DropReason is null && m.Outbox.CanCount && m.Outbox.Count >= room.MaxPendingMessages).ToList())
            {
                members.Remove(member.Name);
                inner.Leave(member);
            }
        }

        public void Leave(IChatMemberUnderTest member)
        {
            members.Remove(member.Name);
            inner.Leave(member);
        }
    }
}
