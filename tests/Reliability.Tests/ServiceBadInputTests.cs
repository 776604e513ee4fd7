using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Chapter01;
using StreamingTutorial.Chapter02;
using StreamingTutorial.Chapter03;
using StreamingTutorial.Chapter04;
using StreamingTutorial.Chapter05;
using StreamingTutorial.Protos.Chat;
using StreamingTutorial.Protos.Files;
using StreamingTutorial.Protos.Numbers;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;
using StreamingTutorial.Protos.Uploader;
using StreamingTutorial.Reliability.Tests.Infrastructure;
using Kind = StreamingTutorial.Protos.Chat.ChatMessage.Types.Kind;

namespace StreamingTutorial.Reliability.Tests;

/// <summary>
/// Bad input to each chapter's reference service (solutions/), over real Kestrel: every bad
/// request gets its exact status and message, and the same channel's next good call is served.
/// Hostile file names, the upload quota and over-long chat lines are in <see cref="SecurityTests"/>.
/// </summary>
[TestFixture]
[Category("Reliability")]
[Category("BadInput")]
public class ServiceBadInputTests
{
    [TestCase("")]
    [TestCase("   ")]
    [TestCase("\t\n")]
    public async Task Chapter_1_SayHello_with_a_blank_name_is_INVALID_ARGUMENT_and_the_server_goes_on(string name)
    {
        using var folder = Grade.CreateTempFolder();
        await using var host = await KestrelHost.StartAsync(new HostSetup
        {
            Map = app => app.MapGrpcService<FileServiceImpl>(),
            Services = services => services.AddSingleton(new FileStorage(folder.Path)),
        });
        var client = new FileService.FileServiceClient(host.CreateChannel());

        var ex = await Waits.Fails(() => client.SayHelloAsync(new HelloRequest { Name = name }).ResponseAsync, $"SayHello(\"{name}\")");

        Waits.AssertExactStatus(ex, StatusCode.InvalidArgument, "Name is required.", "a blank name");
        var reply = await client.SayHelloAsync(new HelloRequest { Name = "Ada" }).ResponseAsync.Within("the next SayHello");
        Assert.That(reply.Message, Is.EqualTo("Hello, Ada!"), "the next call on the same channel");
    }

    [TestCase(5, 1, 3, 0, "min (5) must not be greater than max (1).")]
    [TestCase(1, 5, -1, 0, "count must be 0 or more, not -1.")]
    [TestCase(1, 5, 3, -10, "interval_ms must be 0 or more, not -10.")]
    public async Task Chapter_2_GenerateNumbers_with_a_request_that_makes_no_sense_is_INVALID_ARGUMENT_before_any_number(
        int min, int max, int count, int intervalMs, string detail)
    {
        await using var host = await Chapter2HostAsync();
        var client = new RandomService.RandomServiceClient(host.CreateChannel());
        var received = new List<RandomNumber>();

        var ex = await Waits.Fails(async () =>
        {
            using var call = client.GenerateNumbers(new RandomRequest { Min = min, Max = max, Count = count, IntervalMs = intervalMs });
            await foreach (var number in call.ResponseStream.ReadAllAsync())
            {
                received.Add(number);
            }
        }, "a GenerateNumbers call with a bad request");

        Waits.AssertExactStatus(ex, StatusCode.InvalidArgument, detail, "the bad request");
        Assert.That(received, Is.Empty, "numbers streamed before the refusal");
        using var good = client.GenerateNumbers(new RandomRequest { Min = 1, Max = 6, Count = 3 });
        var numbers = await good.ResponseStream.ReadAllAsync().ToListAsync().AsTask().Within("the next GenerateNumbers");
        Assert.That(numbers.Select(n => n.Value).ToList(), Has.Count.EqualTo(3).And.All.InRange(1, 6), "the next call on the same channel");
    }

    [Test]
    public async Task Chapter_2_GetTimeUpdates_with_a_negative_interval_is_INVALID_ARGUMENT()
    {
        await using var host = await Chapter2HostAsync();
        var client = new StreamingService.StreamingServiceClient(host.CreateChannel());

        var ex = await Waits.Fails(async () =>
        {
            using var call = client.GetTimeUpdates(new TimeUpdatesRequest { IntervalMs = -1 });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        }, "GetTimeUpdates with interval_ms -1");

        Waits.AssertStatus(ex, StatusCode.InvalidArgument, "interval_ms must be 0 (meaning ", "a negative interval");
        Assert.That(ex.Status.Detail, Does.EndWith("or more, not -1."), "the message names the value sent");
        using var good = client.GetTimeUpdates(new TimeUpdatesRequest { IntervalMs = 10 });
        Assert.That(await good.ResponseStream.MoveNext(CancellationToken.None).Within("the next GetTimeUpdates"), Is.True, "the next call on the same channel gets an update");
    }

    [Test]
    public async Task Chapter_3_an_upload_with_no_chunk_at_all_is_INVALID_ARGUMENT_and_leaves_nothing()
    {
        using var folder = Grade.CreateTempFolder();
        await using var host = await KestrelHost.StartAsync(new HostSetup
        {
            Map = app => app.MapGrpcService<UploaderServiceImpl>(),
            Services = services => services.AddSingleton(new UploadStorage(folder.Path)),
        });
        var client = new UploaderService.UploaderServiceClient(host.CreateChannel());

        var ex = await Waits.Fails(async () =>
        {
            using var call = client.UploadFile();
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        }, "an upload that sends no chunk");

        Waits.AssertExactStatus(ex, StatusCode.InvalidArgument, "The upload is empty: the first chunk must carry the file name.", "an empty upload");
        await host.AssertAllHandlersEndAsync("the empty upload");
        Assert.That(Directory.EnumerateFileSystemEntries(folder.Path), Is.Empty, "nothing stored, no temporary file");
        var (summary, sent) = await Uploads.UploadAsync(client, "after.bin", 3000, seed: 7).Within("the next upload");
        Assert.That(summary.Sha256, Is.EqualTo(sent), "the next upload on the same channel is stored whole");
    }

    [Test]
    public async Task Chapter_3_a_named_upload_of_zero_bytes_is_stored_as_an_empty_file()
    {
        using var folder = Grade.CreateTempFolder();
        await using var host = await KestrelHost.StartAsync(new HostSetup
        {
            Map = app => app.MapGrpcService<UploaderServiceImpl>(),
            Services = services => services.AddSingleton(new UploadStorage(folder.Path)),
        });
        var client = new UploaderService.UploaderServiceClient(host.CreateChannel());

        using var call = client.UploadFile();
        await call.RequestStream.WriteAsync(new FileChunk { FileName = "empty.txt", Data = ByteString.Empty });
        await call.RequestStream.CompleteAsync();
        var summary = await call.ResponseAsync.Within("a zero-byte upload");

        Assert.Multiple(() =>
        {
            Assert.That((summary.FileName, summary.Size), Is.EqualTo(("empty.txt", 0L)), "the summary");
            Assert.That(summary.Sha256, Is.EqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), "the SHA-256 of no bytes");
            Assert.That(new FileInfo(Path.Combine(folder.Path, "empty.txt")).Length, Is.Zero, "the stored file");
        });
    }

    [TestCase(new[] { int.MaxValue, 1 }, 2147483648L)]
    [TestCase(new[] { int.MinValue, -1 }, -2147483649L)]
    [TestCase(new[] { int.MaxValue, int.MaxValue, int.MaxValue }, 6442450941L)]
    public async Task Chapter_4_a_sum_that_does_not_fit_an_int32_is_OUT_OF_RANGE_and_names_it(int[] numbers, long total)
    {
        await using var host = await Chapter4HostAsync();
        var client = new NumberService.NumberServiceClient(host.CreateChannel());

        var ex = await Waits.Fails(() => NumbersClient.SumAsync(client, numbers), $"the sum of {string.Join(", ", numbers)}");

        Waits.AssertExactStatus(ex, StatusCode.OutOfRange, $"The sum {total} does not fit in an int32 (from -2147483648 to 2147483647).", "an overflowing sum");
        Assert.That(await NumbersClient.SumAsync(client, [int.MaxValue, 1, -1]).Within("the next sum"), Is.EqualTo(int.MaxValue),
            "the next sum on the same channel (it passes int.MaxValue midway and comes back)");
    }

    [TestCase(double.NaN, "NaN")]
    [TestCase(double.PositiveInfinity, "Infinity")]
    public async Task Chapter_4_a_sensor_reading_that_is_not_finite_is_INVALID_ARGUMENT_and_names_the_reading(double value, string shown)
    {
        await using var host = await Chapter4HostAsync();
        var client = new SensorService.SensorServiceClient(host.CreateChannel());

        var ex = await Waits.Fails(() => NumbersClient.SummarizeAsync(client, Readings(21.5, value), DateTime.UtcNow.AddSeconds(30)), "a summary with a bad reading");

        Waits.AssertExactStatus(ex, StatusCode.InvalidArgument, $"Reading 2 (sensor 's') is {shown}: only finite values can be summarised.", "a non-finite reading");
        var summary = await NumbersClient.SummarizeAsync(client, Readings(20, 22), DateTime.UtcNow.AddSeconds(30)).Within("the next summary");
        Assert.That((summary.Count, summary.Mean), Is.EqualTo((2, 21.0)), "the next summary on the same channel");
    }

    [Test]
    public async Task Chapter_5_a_member_who_claims_another_name_is_named_by_the_server_and_cannot_spoof_anyone()
    {
        var room = new ChatRoom();
        await using var host = await SecurityTests.ChatHostAsync(room);
        var client = new ChatService.ChatServiceClient(host.CreateChannel());
        using var alice = await ChatMemberClient.JoinAsync(client);
        using var mallory = await ChatMemberClient.JoinAsync(client);
        var aliceName = await alice.NameAsync();
        var malloryName = await mallory.NameAsync();

        await mallory.SayAsMessageAsync(new ChatMessage { UserId = aliceName, Text = "I am Alice", Timestamp = 1, Kind = Kind.Left });
        var seen = await alice.WaitForAsync(m => m.Text == "I am Alice", "the spoofed line");

        Assert.Multiple(() =>
        {
            Assert.That(seen.UserId, Is.EqualTo(malloryName), "the author the room gives the line: the sender's own name, not the one it claimed");
            Assert.That(seen.Kind, Is.EqualTo(Kind.Message), "the kind the room gives it: a line, not a leave notice");
            Assert.That(seen.Timestamp, Is.GreaterThan(1_000_000_000), "the server's clock, not the client's");
        });
        await alice.SayAsync("still here");
        await mallory.WaitForAsync(m => m.Text == "still here" && m.UserId == aliceName, "Alice's next line");
        Assert.That(room.Count, Is.EqualTo(2), "members in the room: nobody was removed by the fake leave notice");
    }

    private static Task<GrpcTestHost> Chapter2HostAsync() =>
        KestrelHost.StartAsync(new HostSetup
        {
            Map = app =>
            {
                app.MapGrpcService<RandomServiceImpl>();
                app.MapGrpcService<StreamingServiceImpl>();
            },
        });

    private static Task<GrpcTestHost> Chapter4HostAsync() =>
        KestrelHost.StartAsync(new HostSetup
        {
            Map = app =>
            {
                app.MapGrpcService<NumberServiceImpl>();
                app.MapGrpcService<SensorServiceImpl>();
            },
        });

    private static async IAsyncEnumerable<SensorReading> Readings(params double[] values)
    {
        foreach (var value in values)
        {
            await Task.Yield();
            yield return new SensorReading { SensorId = "s", Value = value };
        }
    }
}
