using Grpc.Core;
using Grpc.Core.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamingTutorial.Protos.RandomNumbers;
using StreamingTutorial.Protos.Streaming;
using StreamingTutorial.Testing;

namespace StreamingTutorial.Chapter02.Tests;

/// <summary>Tests of chapter 2: each stream written into an in-memory writer, and the client against a service in memory.</summary>
public class StreamingServiceTests
{
    /// <summary>A ServerCallContext without a server: the call's deadline, headers and cancellation are ours to choose.</summary>
    private static ServerCallContext Context(CancellationToken cancellationToken = default) =>
        TestServerCallContext.Create(
            method: "/streaming.StreamingService/Test", host: "localhost", deadline: DateTime.UtcNow.AddMinutes(1),
            requestHeaders: new Metadata(), cancellationToken: cancellationToken, peer: "ipv4:127.0.0.1:50051",
            authContext: null, contextPropagationToken: null, writeHeadersFunc: _ => Task.CompletedTask,
            writeOptionsGetter: () => null, writeOptionsSetter: _ => { });

    [Test]
    public async Task GenerateNumbers_sends_count_numbers_numbered_from_1()
    {
        var responses = new InMemoryServerStreamWriter<RandomNumber>();

        await new RandomServiceImpl().GenerateNumbers(new RandomRequest { Min = 1, Max = 6, Count = 3 }, responses, Context());

        Assert.That(responses.Written.Select(n => n.Sequence), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public async Task GenerateNumbers_sends_min_and_max_too()
    {
        var responses = new InMemoryServerStreamWriter<RandomNumber>();

        // 200 numbers from 1 to 2: the chance that one of them never turns up is 2 in 2^200.
        await new RandomServiceImpl().GenerateNumbers(new RandomRequest { Min = 1, Max = 2, Count = 200 }, responses, Context());

        Assert.That(responses.Written.Select(n => n.Value).Distinct().Order(), Is.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public void GenerateNumbers_refuses_min_above_max_before_sending_anything()
    {
        var responses = new InMemoryServerStreamWriter<RandomNumber>();

        var error = Assert.ThrowsAsync<RpcException>(() =>
            new RandomServiceImpl().GenerateNumbers(new RandomRequest { Min = 5, Max = 1, Count = 3 }, responses, Context()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(responses.Written, Is.Empty);
    }

    [Test]
    public async Task GetTimeUpdates_numbers_each_call_from_1_and_ends_when_the_call_is_cancelled()
    {
        for (var call = 1; call <= 2; call++)
        {
            using var cancellation = new CancellationTokenSource();
            var responses = new InMemoryServerStreamWriter<TimeUpdate>();
            var running = new StreamingServiceImpl().GetTimeUpdates(new TimeUpdatesRequest { IntervalMs = 20 }, responses, Context(cancellation.Token));
            try
            {
                var first = await responses.ReadNextAsync();
                var second = await responses.ReadNextAsync();
                Assert.That((first.Sequence, second.Sequence), Is.EqualTo((1L, 2L)), $"call {call}");

                cancellation.Cancel();

                Assert.That(async () => await running.WaitAsync(TimeSpan.FromSeconds(2)), Throws.Nothing, "The method should return soon after its call is cancelled.");
            }
            finally
            {
                // Ends the stream: a service that is still writing gets an error and stops.
                responses.Complete();
            }
        }
    }

    [Test]
    public async Task GetTimeUpdates_waits_a_second_between_updates_when_the_interval_is_0()
    {
        using var cancellation = new CancellationTokenSource();
        var responses = new InMemoryServerStreamWriter<TimeUpdate>();
        var running = new StreamingServiceImpl().GetTimeUpdates(new TimeUpdatesRequest { IntervalMs = 0 }, responses, Context(cancellation.Token));
        try
        {
            await responses.ReadNextAsync();

            Assert.ThrowsAsync<TimeoutException>(() => responses.ReadNextAsync(TimeSpan.FromMilliseconds(200)), "A second update came within 200 ms.");
        }
        finally
        {
            cancellation.Cancel();
            responses.Complete();
            await running.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    [Test]
    public async Task ReadTimeUpdatesAsync_hands_over_maxUpdates_updates_through_a_real_channel()
    {
        // The service hosted in memory (TestServer) and called the way a program calls it: through a GrpcChannel.
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        await using var app = builder.Build();
        app.MapGrpcService<StreamingServiceImpl>();
        await app.StartAsync();
        using var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = app.GetTestServer().CreateHandler() });
        var updates = new List<TimeUpdate>();

        await StreamingClient.ReadTimeUpdatesAsync(new StreamingService.StreamingServiceClient(channel), intervalMs: 10, maxUpdates: 3, updates.Add)
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(updates.Select(u => u.Sequence), Is.EqualTo(new[] { 1L, 2L, 3L }));
    }
}
