using Grpc.Core;
using Grpc.Core.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamingTutorial.Protos.Numbers;
using StreamingTutorial.Testing;

namespace StreamingTutorial.Chapter04.Tests;

/// <summary>Tests of chapter 4: the client's stream in memory for the services, and the client against a service in memory.</summary>
public class NumberServiceTests
{
    /// <summary>A ServerCallContext without a server: the call's deadline, headers and cancellation are ours to choose.</summary>
    private static ServerCallContext Context(CancellationToken cancellationToken = default) =>
        TestServerCallContext.Create(
            method: "/numbers.NumberService/Test", host: "localhost", deadline: DateTime.UtcNow.AddMinutes(1),
            requestHeaders: new Metadata(), cancellationToken: cancellationToken, peer: "ipv4:127.0.0.1:50051",
            authContext: null, contextPropagationToken: null, writeHeadersFunc: _ => Task.CompletedTask,
            writeOptionsGetter: () => null, writeOptionsSetter: _ => { });

    private static InMemoryStreamReader<NumberRequest> Numbers(params int[] numbers) =>
        InMemoryStreamReader.Of(numbers.Select(n => new NumberRequest { Num = n }));

    private static InMemoryStreamReader<SensorReading> Readings(params double[] values) =>
        InMemoryStreamReader.Of(values.Select(v => new SensorReading { SensorId = "s1", Value = v }));

    [Test]
    public async Task SumNumbers_adds_up_every_number()
    {
        var response = await new NumberServiceImpl().SumNumbers(Numbers(1, 2, 3, -4), Context());

        Assert.That(response.Sum, Is.EqualTo(2));
    }

    [Test]
    public void SumNumbers_refuses_a_sum_too_large_for_an_int_with_OutOfRange()
    {
        var error = Assert.ThrowsAsync<RpcException>(() => new NumberServiceImpl().SumNumbers(Numbers(int.MaxValue, 1), Context()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.OutOfRange));
    }

    [Test]
    public async Task SummarizeReadings_reports_count_min_max_and_mean()
    {
        var summary = await new SensorServiceImpl().SummarizeReadings(Readings(5, 3, 8, 4), Context());

        Assert.That((summary.Count, summary.Min, summary.Max, summary.Mean), Is.EqualTo((4, 3.0, 8.0, 5.0)));
    }

    [Test]
    public async Task SummarizeReadings_answers_no_readings_with_zeros()
    {
        var summary = await new SensorServiceImpl().SummarizeReadings(Readings(), Context());

        Assert.That((summary.Count, summary.Min, summary.Max, summary.Mean), Is.EqualTo((0, 0.0, 0.0, 0.0)));
    }

    [Test]
    public void SummarizeReadings_refuses_a_NaN_reading_with_InvalidArgument()
    {
        var error = Assert.ThrowsAsync<RpcException>(() => new SensorServiceImpl().SummarizeReadings(Readings(1, double.NaN), Context()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
    }

    [Test]
    public async Task SumAsync_sends_every_number_through_a_real_channel()
    {
        // The service hosted in memory (TestServer) and called the way a program calls it: through a GrpcChannel.
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        await using var app = builder.Build();
        app.MapGrpcService<NumberServiceImpl>();
        await app.StartAsync();
        using var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = app.GetTestServer().CreateHandler() });

        var sum = await NumbersClient.SumAsync(new NumberService.NumberServiceClient(channel), [1, 0, 2]);

        Assert.That(sum, Is.EqualTo(3));
    }
}
