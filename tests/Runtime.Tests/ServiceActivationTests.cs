using Grpc.Core;
using Grpc.Core.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.Runtime.Tests.Protos;

namespace StreamingTutorial.Runtime.Tests;

/// <summary>How the server creates service instances.</summary>
[TestFixture(HostKind.TestServer)]
[TestFixture(HostKind.Kestrel)]
public class ServiceActivationTests(HostKind kind)
{
    [Test]
    public async Task A_service_is_created_per_call_with_its_constructor_dependencies_from_DI()
    {
        var counter = new ActivationCounter();
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<CountedService>(),
            services => services.AddSingleton(counter));
        var client = new TestService.TestServiceClient(host.CreateChannel());

        var first = await client.UnaryAsync(new Payload()).ResponseAsync.Within("the first call");
        var second = await client.UnaryAsync(new Payload()).ResponseAsync.Within("the second call");

        Assert.Multiple(() =>
        {
            Assert.That(new[] { first.Id, second.Id }, Is.EqualTo(new[] { 1, 2 }), "instance numbers that answered the two calls");
            Assert.That(counter.Count, Is.EqualTo(2), "service instances created for two calls");
        });
    }
}

/// <summary>Calling a service method directly, without a server, as a unit test would.</summary>
public class TestServerCallContextTests
{
    [Test]
    public async Task TestServerCallContext_lets_a_unit_test_call_a_service_method_directly()
    {
        var probe = new ServerProbe();
        var service = new MetadataService(probe);
        Metadata? sentHeaders = null;
        var requestHeaders = new Metadata { { "x-request-text", "unit test" } };
        var deadline = DateTime.UtcNow.AddMinutes(1);
        var context = TestServerCallContext.Create(
            method: "/runtimetest.TestService/Unary",
            host: "localhost",
            deadline: deadline,
            requestHeaders: requestHeaders,
            cancellationToken: CancellationToken.None,
            peer: "ipv4:127.0.0.1:50000",
            // null! compiles warning-free whether or not the signature is nullable-annotated (the official one may not be).
            authContext: null!,
            contextPropagationToken: null!,
            writeHeadersFunc: headers =>
            {
                sentHeaders = headers;
                return Task.CompletedTask;
            },
            writeOptionsGetter: () => null!,
            writeOptionsSetter: _ => { });

        var response = await service.Unary(new Payload { Id = 9 }, context).Within("the service method");

        Assert.Multiple(() =>
        {
            Assert.That(response.Id, Is.EqualTo(9), "id of the echoed message");
            Assert.That(probe.RequestHeaders.GetValue("x-request-text"), Is.EqualTo("unit test"), "request header the method read from the context");
            Assert.That(probe.Deadline, Is.EqualTo(deadline), "deadline the method read from the context");
            Assert.That(sentHeaders?.GetValue("x-header-text"), Is.EqualTo(MetadataService.HeaderText), "response header the method wrote");
            Assert.That(context.ResponseTrailers.GetValue("x-trailer-text"), Is.EqualTo(MetadataService.TrailerText), "trailer the method set");
            Assert.That(context.ResponseTrailers.GetValueBytes("x-trailer-bin"), Is.EqualTo(MetadataService.TrailerBytes), "binary trailer the method set");
        });
    }
}
