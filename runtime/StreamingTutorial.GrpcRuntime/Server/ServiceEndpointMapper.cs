using System.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamingTutorial.GrpcRuntime.Wire;

namespace StreamingTutorial.GrpcRuntime.Server;

/// <summary>The services an app has mapped, for telling an unknown method from an unknown service.</summary>
internal sealed class GrpcServiceRegistry
{
    private readonly HashSet<string> serviceNames = new(StringComparer.Ordinal);

    public bool UnimplementedEndpointMapped { get; set; }

    public void Add(string serviceName)
    {
        lock (serviceNames)
        {
            serviceNames.Add(serviceName);
        }
    }

    public bool Contains(string serviceName)
    {
        lock (serviceNames)
        {
            return serviceNames.Contains(serviceName);
        }
    }
}

/// <summary>Matches the catch-all UNIMPLEMENTED route only for gRPC requests, so other endpoints keep their 404s.</summary>
internal sealed class UnimplementedRouteConstraint : IRouteConstraint
{
    public const string Name = "grpcunimplemented";

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        httpContext is not null && GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType);
}

/// <summary>Turns a generated service base into one endpoint per method.</summary>
internal static class ServiceEndpointMapper
{
    public static IReadOnlyList<IEndpointConventionBuilder> Map<TService>(IEndpointRouteBuilder builder, GrpcServiceRegistry registry)
        where TService : class
    {
        var services = builder.ServiceProvider;
        var options = new GrpcServiceOptions<TService>();
        services.GetRequiredService<IOptions<GrpcServiceOptions>>().Value.CopyTo(options);
        foreach (var configure in services.GetServices<IConfigureOptions<GrpcServiceOptions<TService>>>())
        {
            configure.Configure(options);
        }

        var loggerFactory = services.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        var binder = new MethodCollector<TService>(options, loggerFactory.CreateLogger("Grpc.AspNetCore.Server.ServerCallHandler"));
        FindBindMethod(typeof(TService)).Invoke(null, [binder, null]);
        if (binder.Handlers.Count == 0)
        {
            throw new InvalidOperationException($"No gRPC methods were found on {typeof(TService).Name}.");
        }

        var conventions = new List<IEndpointConventionBuilder>();
        foreach (var handler in binder.Handlers)
        {
            registry.Add(handler.Method.ServiceName);
            var endpoint = builder.MapPost(handler.Method.FullName, handler.HandleCallAsync)
                .WithDisplayName($"gRPC - {handler.Method.FullName}")
                .WithMetadata(handler.Method);
            conventions.Add(endpoint);
        }

        if (!registry.UnimplementedEndpointMapped)
        {
            registry.UnimplementedEndpointMapped = true;
            var unimplemented = new UnimplementedCallHandler(registry, options);
            builder.MapPost("{unimplementedService}/{unimplementedMethod:" + UnimplementedRouteConstraint.Name + "}", unimplemented.HandleCallAsync)
                .WithDisplayName("gRPC - Unimplemented service or method");
        }
        return conventions;
    }

    private static MethodInfo FindBindMethod(Type serviceType)
    {
        for (var type = serviceType; type is not null; type = type.BaseType)
        {
            var attribute = type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false);
            if (attribute is null)
            {
                continue;
            }
            var method = attribute.BindType
                .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                .FirstOrDefault(m => m.Name == attribute.BindMethodName
                    && m.GetParameters() is [var first, var second]
                    && first.ParameterType == typeof(ServiceBinderBase)
                    && second.ParameterType.IsAssignableFrom(serviceType));
            if (method is not null)
            {
                return method;
            }
        }
        throw new InvalidOperationException(
            $"{serviceType.Name} is not a gRPC service: it must derive from a service base that Grpc.Tools generated from a .proto file (for example Greeter.GreeterBase).");
    }

    // Collects each method the generated BindService reports, with a handler that calls the
    // matching method of TService on a fresh instance per call.
    private sealed class MethodCollector<TService>(GrpcServiceOptions options, ILogger logger) : ServiceBinderBase
        where TService : class
    {
        public List<IServerCallHandler> Handlers { get; } = new();

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            Handlers.Add(new UnaryServerCallHandler<TService, TRequest, TResponse>(method, Invoker<Func<TService, TRequest, ServerCallContext, Task<TResponse>>>(method, typeof(TRequest), typeof(ServerCallContext)), options, logger));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            Handlers.Add(new ClientStreamingServerCallHandler<TService, TRequest, TResponse>(method, Invoker<Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>>>(method, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)), options, logger));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            Handlers.Add(new ServerStreamingServerCallHandler<TService, TRequest, TResponse>(method, Invoker<Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>>(method, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)), options, logger));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            Handlers.Add(new DuplexStreamingServerCallHandler<TService, TRequest, TResponse>(method, Invoker<Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>>(method, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)), options, logger));

        private static TDelegate Invoker<TDelegate>(IMethod method, params Type[] parameterTypes)
            where TDelegate : Delegate
        {
            var methodInfo = typeof(TService).GetMethod(method.Name, BindingFlags.Public | BindingFlags.Instance, parameterTypes)
                ?? throw new InvalidOperationException($"Could not find method {method.Name} on {typeof(TService).Name}.");
            // An open-instance delegate: the service instance is the first argument, so one
            // delegate serves every call's fresh instance.
            return methodInfo.CreateDelegate<TDelegate>();
        }
    }
}
