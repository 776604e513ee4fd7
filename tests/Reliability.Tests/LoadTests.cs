using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
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
/// A classroom's worth of load on the reference solutions, over real Kestrel on 127.0.0.1:
/// concurrent uploads checked byte for byte, a crowded chat room (1,000 members in the full
/// profile), and a crowd of unary callers. The tests assert that nothing is lost, reordered or refused; the times they
/// print are figures for RELIABILITY.md, never pass/fail thresholds. See LoadProfile for sizes.
/// </summary>
[TestFixture]
[Category("Reliability")]
[Category("Load")]
[NonParallelizable]
public class LoadTests
{
    private static LoadProfile Profile => LoadProfile.Current;

    [Test]
    public async Task Concurrent_uploads_arrive_whole_with_their_SHA_256_checked_end_to_end()
    {
        var profile = Profile;
        using var folder = Grade.CreateTempFolder();
        await using var host = await KestrelHost.StartAsync(new HostSetup
        {
            Map = app => app.MapGrpcService<UploaderServiceImpl>(),
            Services = services => services.AddSingleton(new UploadStorage(folder.Path)),
        });
        // Ten client programs, ten uploads each: separate connections, as separate learners would have.
        var clients = Enumerable.Range(0, 10).Select(_ => new UploaderService.UploaderServiceClient(host.CreateChannel())).ToList();
        var clock = Stopwatch.StartNew();

        var results = await Task.WhenAll(Enumerable.Range(0, profile.Uploads).Select(i => Task.Run(async () =>
        {
            var name = $"upload-{i:D3}.bin";
            var (summary, sent) = await Uploads.UploadAsync(clients[i % clients.Count], name, profile.UploadBytes, seed: 1000 + i);
            return (Name: name, Summary: summary, Sent: sent);
        }))).Within($"{profile.Uploads} uploads of {Figures.MiB(profile.UploadBytes)}", profile.Limit);
        var elapsed = clock.Elapsed;

        var total = profile.Uploads * profile.UploadBytes;
        Figures.Report("uploads", $"profile {profile.Name}: {profile.Uploads} concurrent uploads of {Figures.MiB(profile.UploadBytes)} = {Figures.MiB(total)} in {elapsed.TotalSeconds:0.0} s "
            + $"({total / 1024.0 / 1024.0 / elapsed.TotalSeconds:0} MiB/s through client, loopback, server and disk, SHA-256 on both sides); "
            + $"process peak working set {Figures.MiB(Process.GetCurrentProcess().PeakWorkingSet64)}");
        foreach (var (name, summary, sent) in results)
        {
            Assert.That(summary.FileName, Is.EqualTo(name), "file name in the summary");
            Assert.That(summary.Size, Is.EqualTo(profile.UploadBytes), $"size of {name} in the summary");
            Assert.That(summary.Sha256, Is.EqualTo(sent), $"the server's SHA-256 of {name} against the client's");
            Assert.That(await Uploads.FileSha256Async(Path.Combine(folder.Path, name)), Is.EqualTo(sent), $"the SHA-256 of {name} on disk");
        }
        Assert.That(Directory.EnumerateFileSystemEntries(folder.Path).Count(), Is.EqualTo(profile.Uploads), "files in the folder: every upload, no temporary file");
        await host.AssertAllHandlersEndAsync("every upload finished");
    }

    [Test]
    public async Task Ten_thousand_unary_calls_from_fifty_concurrent_callers_all_succeed()
    {
        var profile = Profile;
        using var folder = Grade.CreateTempFolder();
        await using var host = await KestrelHost.StartAsync(new HostSetup
        {
            Map = app => app.MapGrpcService<StreamingTutorial.Chapter01.FileServiceImpl>(),
            Services = services => services.AddSingleton(new StreamingTutorial.Chapter01.FileStorage(folder.Path)),
        });
        var perCaller = profile.UnaryCalls / profile.UnaryCallers;
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, profile.UnaryCallers).Select(caller => Task.Run(async () =>
        {
            var client = new FileService.FileServiceClient(host.CreateChannel());
            for (var i = 0; i < perCaller; i++)
            {
                var name = $"caller {caller} call {i}";
                var started = Stopwatch.GetTimestamp();
                var reply = await client.SayHelloAsync(new HelloRequest { Name = name });
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (reply.Message != $"Hello, {name}!")
                {
                    throw new AssertionException($"call {i} of caller {caller} got \"{reply.Message}\"");
                }
            }
        }))).Within($"{profile.UnaryCalls} unary calls", profile.Limit);
        var elapsed = clock.Elapsed;

        var sorted = latencies.Order().ToList();
        Figures.Report("unary", $"{sorted.Count} SayHello calls from {profile.UnaryCallers} callers (one channel each) in {elapsed.TotalSeconds:0.0} s = {sorted.Count / elapsed.TotalSeconds:0} calls/s; "
            + $"latency p50 {Percentile(sorted, 0.50):0.0} ms, p99 {Percentile(sorted, 0.99):0.0} ms, max {sorted[^1]:0.0} ms");
        Assert.That(sorted, Has.Count.EqualTo(perCaller * profile.UnaryCallers), "calls that succeeded with the right greeting");
        await host.AssertAllHandlersEndAsync("every call finished");
    }

    [Test]
    public async Task Every_member_of_a_crowded_chat_room_receives_every_message_in_the_same_order()
    {
        var profile = Profile;
        var room = new ChatRoom();
        await using var host = await SecurityTests.ChatHostAsync(room);
        const int MembersPerChannel = 10;
        const int Senders = 10;
        const int LinesPerBurst = 5; // 50 lines a second in all
        var channels = new List<GrpcChannel>();
        var members = new List<LoadMember>();
        var clock = Stopwatch.StartNew();
        try
        {
            // Members join in waves, as a class does; each wave waits until everyone has heard of it.
            for (var i = 0; i < profile.ChatMembers; i++)
            {
                if (i % MembersPerChannel == 0)
                {
                    channels.Add(host.CreateChannel());
                }
                members.Add(new LoadMember(new ChatService.ChatServiceClient(channels[^1]), i));
                if (members.Count % 50 == 0 || members.Count == profile.ChatMembers)
                {
                    await WaitUntilAsync(() => members.All(m => m.Number > 0 && m.JoinedSeen >= members.Count - m.Number + 1), $"{members.Count} members joined and heard of each other", profile.Limit,
                        () => "Notices seen: " + string.Join(", ", members.Select(m => $"{m.Index}:{m.JoinedSeen}{(m.Problem is null ? "" : " " + m.Problem)}")));
                }
            }
            var joined = clock.Elapsed;
            Assert.That(room.Count, Is.EqualTo(profile.ChatMembers), "members in the room");

            // Traffic: every second, each sender says a burst of lines at the same moment as the
            // others, so broadcasts from different members' calls overlap in the room.
            clock.Restart();
            var ticks = (int)profile.ChatTraffic.TotalSeconds;
            var perSender = ticks * LinesPerBurst;
            var trafficStart = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
            {
                var sender = members[s * (profile.ChatMembers / Senders)];
                for (var tick = 0; tick < ticks; tick++)
                {
                    var wait = TimeSpan.FromSeconds(tick) - Stopwatch.GetElapsedTime(trafficStart);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait);
                    }
                    for (var i = 0; i < LinesPerBurst; i++)
                    {
                        await sender.SayAsync($"{sender.Index}#{tick * LinesPerBurst + i}#{Stopwatch.GetTimestamp()}");
                    }
                }
            })));
            var sent = perSender * Senders;
            await WaitUntilAsync(() => members.All(m => m.LinesSeen >= sent), $"all {sent} lines delivered to every member", profile.Limit);
            var traffic = clock.Elapsed;

            // Everyone leaves in waves; each call must end cleanly.
            clock.Restart();
            for (var start = 0; start < members.Count; start += 50)
            {
                var wave = members.Skip(start).Take(50).ToList();
                await Task.WhenAll(wave.Select(m => m.LeaveAsync())).Within("a wave of members leaving", profile.Limit);
            }
            var left = clock.Elapsed;

            var latencies = members.SelectMany(m => m.Latencies).Order().ToList();
            var deliveries = members.Sum(m => (long)m.MessagesSeen);
            Figures.Report("chat", $"profile {profile.Name}: {profile.ChatMembers} members on {channels.Count} connections joined in {joined.TotalSeconds:0.0} s; "
                + $"{sent} lines from {Senders} senders (in bursts of {Senders * LinesPerBurst} a second) over {traffic.TotalSeconds:0.0} s reached all {profile.ChatMembers} members in order; "
                + $"line latency p50 {Percentile(latencies, 0.5):0.0} ms, p99 {Percentile(latencies, 0.99):0.0} ms, max {latencies[^1]:0.0} ms; "
                + $"{deliveries} messages delivered in all (notices included); everyone left in {left.TotalSeconds:0.0} s; "
                + $"process peak working set {Figures.MiB(Process.GetCurrentProcess().PeakWorkingSet64)}");
            var orders = members.Select(m => m.OrderFingerprint).Distinct().Count();
            Assert.Multiple(() =>
            {
                Assert.That(members.Select(m => m.Problem).Where(p => p is not null), Is.Empty, "members that saw a line out of order, twice, or a failed call");
                Assert.That(members.Select(m => m.LinesSeen), Is.All.EqualTo(sent), "lines each member received");
                Assert.That(orders, Is.EqualTo(1), "distinct orders in which members saw the lines (the room broadcasts in one order)");
                Assert.That(room.Count, Is.Zero, "members still in the room after everyone left");
            });
            await host.AssertAllHandlersEndAsync("every member left");
        }
        finally
        {
            members.ForEach(m => m.Dispose());
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan limit, Func<string>? state = null)
    {
        if (!await Waits.UntilAsync(condition, limit))
        {
            Assert.Fail($"Expected {what} within {limit.TotalSeconds:0} s. {state?.Invoke()}");
        }
    }

    private static double Percentile(List<double> sorted, double fraction) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(fraction * sorted.Count))];

    /// <summary>
    /// A chat member that checks what it receives as it goes, so a thousand of them need no
    /// transcript: each sender's lines must come in sequence, and a fingerprint of the order of
    /// all lines must end the same for every member.
    /// </summary>
    private sealed class LoadMember : IDisposable
    {
        private readonly AsyncDuplexStreamingCall<ChatMessage, ChatMessage> call;
        private readonly Dictionary<int, int> nextSequence = new();
        private readonly Task reading;
        private int joinedSeen;
        private int number;
        private int linesSeen;
        private int messagesSeen;
        private long fingerprint = 17;

        public LoadMember(ChatService.ChatServiceClient client, int index)
        {
            Index = index;
            call = client.JoinChat();
            reading = Task.Run(ReadAsync);
        }

        public int Index { get; }

        /// <summary>The member's number in the room's join order (from its own join notice), 0 until then.</summary>
        public int Number => Volatile.Read(ref number);

        public int JoinedSeen => Volatile.Read(ref joinedSeen);

        public int LinesSeen => Volatile.Read(ref linesSeen);

        public int MessagesSeen => Volatile.Read(ref messagesSeen);

        public long OrderFingerprint => Interlocked.Read(ref fingerprint);

        public string? Problem { get; private set; }

        public List<double> Latencies { get; } = new();

        public Task SayAsync(string text) => call.RequestStream.WriteAsync(new ChatMessage { Text = text });

        public async Task LeaveAsync()
        {
            await call.RequestStream.CompleteAsync();
            await reading;
            if (call.GetStatus().StatusCode != StatusCode.OK)
            {
                Problem ??= $"member {Index} left with {call.GetStatus()}";
            }
        }

        public void Dispose() => call.Dispose();

        private async Task ReadAsync()
        {
            try
            {
                await foreach (var message in call.ResponseStream.ReadAllAsync())
                {
                    Interlocked.Increment(ref messagesSeen);
                    if (message.Kind == Kind.Joined)
                    {
                        // The first notice a member receives is its own: "Client(n)".
                        if (Interlocked.Increment(ref joinedSeen) == 1)
                        {
                            Volatile.Write(ref number, int.Parse(message.UserId["Client(".Length..^1], System.Globalization.CultureInfo.InvariantCulture));
                        }
                    }
                    else if (message.Kind == Kind.Message)
                    {
                        Check(message.Text);
                    }
                }
            }
            catch (RpcException ex)
            {
                Problem ??= $"member {Index}'s call failed: {ex.Status}";
            }
        }

        private void Check(string text)
        {
            var parts = text.Split('#');
            var sender = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            var sequence = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            var expected = nextSequence.GetValueOrDefault(sender);
            if (sequence != expected)
            {
                Problem ??= $"member {Index} got line {sequence} of sender {sender} when it expected line {expected}";
            }
            nextSequence[sender] = sequence + 1;
            Interlocked.Exchange(ref fingerprint, unchecked(OrderFingerprint * 31 + sender * 100_003 + sequence));
            if (Index % 10 == 0)
            {
                Latencies.Add(Stopwatch.GetElapsedTime(long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)).TotalMilliseconds);
            }
            Interlocked.Increment(ref linesSeen);
        }
    }
}
