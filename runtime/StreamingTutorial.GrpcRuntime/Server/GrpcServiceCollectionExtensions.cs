using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StreamingTutorial.GrpcRuntime.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>What <c>AddGrpc</c> returns, for further configuration.</summary>
public interface IGrpcServerBuilder
{
    IServiceCollection Services { get; }
}

/// <summary>Registers the gRPC server in an ASP.NET Core app.</summary>
public static class GrpcServicesExtensions
{
    public static IGrpcServerBuilder AddGrpc(this IServiceCollection services) => AddGrpc(services, _ => { });

    public static IGrpcServerBuilder AddGrpc(this IServiceCollection services, Action<GrpcServiceOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configureOptions);
        services.AddRouting(options => options.ConstraintMap[UnimplementedRouteConstraint.Name] = typeof(UnimplementedRouteConstraint));
        services.AddOptions();
        services.Configure(configureOptions);
        services.TryAddSingleton<GrpcServiceRegistry>();
        return new GrpcServerBuilder(services);
    }

    private sealed class GrpcServerBuilder(IServiceCollection services) : IGrpcServerBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}

/// <summary>Per-service configuration.</summary>
public static class GrpcServerBuilderExtensions
{
    /// <summary>Options for one service, applied on top of the app-wide ones.</summary>
    public static IGrpcServerBuilder AddServiceOptions<TService>(this IGrpcServerBuilder grpcBuilder, Action<GrpcServiceOptions<TService>> configure)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(grpcBuilder);
        ArgumentNullException.ThrowIfNull(configure);
        grpcBuilder.Services.Configure(configure);
        return grpcBuilder;
    }
}
