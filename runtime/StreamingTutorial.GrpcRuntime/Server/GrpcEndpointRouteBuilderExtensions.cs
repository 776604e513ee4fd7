using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.GrpcRuntime.Server;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps gRPC services to endpoints.</summary>
public static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>Maps every method of <typeparamref name="TService"/> (a class derived from a generated service base).</summary>
    public static GrpcServiceEndpointConventionBuilder MapGrpcService<TService>(this IEndpointRouteBuilder builder)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        var registry = builder.ServiceProvider.GetService<GrpcServiceRegistry>()
            ?? throw new InvalidOperationException("Unable to find the required services. Add them by calling 'services.AddGrpc()' when configuring the app's services.");
        var conventions = ServiceEndpointMapper.Map<TService>(builder, registry);
        return new GrpcServiceEndpointConventionBuilder(conventions);
    }
}

/// <summary>Configures every endpoint of one mapped service at once.</summary>
public sealed class GrpcServiceEndpointConventionBuilder : IEndpointConventionBuilder
{
    private readonly IReadOnlyList<IEndpointConventionBuilder> builders;

    internal GrpcServiceEndpointConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> builders)
    {
        this.builders = builders;
    }

    public void Add(Action<EndpointBuilder> convention)
    {
        foreach (var builder in builders)
        {
            builder.Add(convention);
        }
    }

    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        foreach (var builder in builders)
        {
            builder.Finally(finallyConvention);
        }
    }
}
