using System.Globalization;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamingTutorial.GrpcRuntime.Wire;

namespace StreamingTutorial.GrpcRuntime.Server;

internal interface IServerCallHandler
{
    IMethod Method { get; }

    Task HandleCallAsync(HttpContext httpContext);
}

/// <summary>What every kind of call does around the service method: checks, service activation, ending with a status.</summary>
internal abstract class ServerCallHandlerBase<TService, TRequest, TResponse>(Method<TRequest, TResponse> method, GrpcServiceOptions options, ILogger logger)
    : IServerCallHandler
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private static readonly ObjectFactory ServiceFactory = ActivatorUtilities.CreateFactory(typeof(TService), Type.EmptyTypes);

    protected Method<TRequest, TResponse> TypedMethod { get; } = method;

    public IMethod Method => TypedMethod;

    public async Task HandleCallAsync(HttpContext httpContext)
    {
        if (!AcceptOrReject(httpContext, logger))
        {
            return;
        }

        using var context = new HttpContextServerCallContext(httpContext, TypedMethod, options, logger);
        Exception? error = null;
        TService? service = null;
        var created = false;
        try
        {
            context.Initialize();
            service = httpContext.RequestServices.GetService<TService>();
            if (service is null)
            {
                service = (TService)ServiceFactory(httpContext.RequestServices, null);
                created = true;
            }
            await HandleCallCoreAsync(service, context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            if (created)
            {
                await DisposeServiceAsync(service).ConfigureAwait(false);
            }
        }
        await context.EndCallAsync(error).ConfigureAwait(false);
    }

    protected abstract Task HandleCallCoreAsync(TService service, HttpContextServerCallContext context);

    /// <summary>Reads the one request message of a unary or server-streaming call.</summary>
    protected async Task<TRequest> ReadSingleRequestAsync(HttpContextServerCallContext context)
    {
        var reader = new MessageReader<TRequest>(context.HttpContext.Request.BodyReader, TypedMethod.RequestMarshaller.ContextualDeserializer, context.MaxReceiveMessageSize, "request");
        var (found, request) = await reader.ReadAsync(context.CancellationToken).ConfigureAwait(false);
        if (!found)
        {
            throw new RpcException(new Status(StatusCode.Internal, "The request stream ended without a message; this method expects exactly one."));
        }
        var (extra, _) = await reader.ReadAsync(context.CancellationToken).ConfigureAwait(false);
        if (extra)
        {
            throw new RpcException(new Status(StatusCode.Internal, "The request stream has more than one message; this method expects exactly one."));
        }
        return request!;
    }

    /// <summary>Writes the one response message of a unary or client-streaming call.</summary>
    protected static async Task WriteSingleResponseAsync(HttpContextServerCallContext context, Method<TRequest, TResponse> method, TResponse? response)
    {
        if (response is null)
        {
            throw new InvalidOperationException("The service method returned no response message (null).");
        }
        await ServerStreamWriter<TResponse>.WriteMessageAsync(context, method.ResponseMarshaller.ContextualSerializer, response, flush: true, context.CancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask DisposeServiceAsync(TService? service)
    {
        switch (service)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <summary>Answers a request that is not gRPC over HTTP/2 as the spec asks; false when it was answered.</summary>
    internal static bool AcceptOrReject(HttpContext httpContext, ILogger logger)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            logger.LogDebug("Rejected a {Protocol} request: gRPC needs HTTP/2.", request.Protocol);
            response.StatusCode = StatusCodes.Status426UpgradeRequired;
            response.Headers.Upgrade = "h2c";
            response.Headers[GrpcProtocol.StatusTrailer] = ((int)StatusCode.Internal).ToString(CultureInfo.InvariantCulture);
            response.Headers[GrpcProtocol.MessageTrailer] = GrpcProtocol.PercentEncode($"Request protocol '{request.Protocol}' is not supported: gRPC needs HTTP/2.");
            return false;
        }
        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            logger.LogDebug("Rejected a request with content-type '{ContentType}'.", request.ContentType);
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            response.Headers[GrpcProtocol.StatusTrailer] = ((int)StatusCode.Internal).ToString(CultureInfo.InvariantCulture);
            response.Headers[GrpcProtocol.MessageTrailer] = GrpcProtocol.PercentEncode($"Content-Type '{request.ContentType}' is not supported: gRPC needs 'application/grpc'.");
            return false;
        }
        return true;
    }
}

internal sealed class UnaryServerCallHandler<TService, TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoker,
    GrpcServiceOptions options,
    ILogger logger) : ServerCallHandlerBase<TService, TRequest, TResponse>(method, options, logger)
    where TService : class where TRequest : class where TResponse : class
{
    protected override async Task HandleCallCoreAsync(TService service, HttpContextServerCallContext context)
    {
        var request = await ReadSingleRequestAsync(context).ConfigureAwait(false);
        var response = await invoker(service, request, context).ConfigureAwait(false);
        await WriteSingleResponseAsync(context, TypedMethod, response).ConfigureAwait(false);
    }
}

internal sealed class ClientStreamingServerCallHandler<TService, TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> invoker,
    GrpcServiceOptions options,
    ILogger logger) : ServerCallHandlerBase<TService, TRequest, TResponse>(method, options, logger)
    where TService : class where TRequest : class where TResponse : class
{
    protected override async Task HandleCallCoreAsync(TService service, HttpContextServerCallContext context)
    {
        var requestStream = new ServerStreamReader<TRequest>(context, TypedMethod.RequestMarshaller.ContextualDeserializer);
        var response = await invoker(service, requestStream, context).ConfigureAwait(false);
        await WriteSingleResponseAsync(context, TypedMethod, response).ConfigureAwait(false);
    }
}

internal sealed class ServerStreamingServerCallHandler<TService, TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker,
    GrpcServiceOptions options,
    ILogger logger) : ServerCallHandlerBase<TService, TRequest, TResponse>(method, options, logger)
    where TService : class where TRequest : class where TResponse : class
{
    protected override async Task HandleCallCoreAsync(TService service, HttpContextServerCallContext context)
    {
        var request = await ReadSingleRequestAsync(context).ConfigureAwait(false);
        var responseStream = new ServerStreamWriter<TResponse>(context, TypedMethod.ResponseMarshaller.ContextualSerializer);
        await invoker(service, request, responseStream, context).ConfigureAwait(false);
    }
}

internal sealed class DuplexStreamingServerCallHandler<TService, TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoker,
    GrpcServiceOptions options,
    ILogger logger) : ServerCallHandlerBase<TService, TRequest, TResponse>(method, options, logger)
    where TService : class where TRequest : class where TResponse : class
{
    protected override async Task HandleCallCoreAsync(TService service, HttpContextServerCallContext context)
    {
        var requestStream = new ServerStreamReader<TRequest>(context, TypedMethod.RequestMarshaller.ContextualDeserializer);
        var responseStream = new ServerStreamWriter<TResponse>(context, TypedMethod.ResponseMarshaller.ContextualSerializer);
        await invoker(service, requestStream, responseStream, context).ConfigureAwait(false);
    }
}

/// <summary>Answers calls to services or methods that no one mapped.</summary>
internal sealed class UnimplementedCallHandler(GrpcServiceRegistry registry, GrpcServiceOptions options)
{
    public Task HandleCallAsync(HttpContext httpContext)
    {
        var service = httpContext.Request.RouteValues["unimplementedService"] as string ?? "";
        var knownService = registry.Contains(service);
        if (!knownService && options.IgnoreUnknownServices == true)
        {
            httpContext.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.StatusTrailer] = ((int)StatusCode.Unimplemented).ToString(CultureInfo.InvariantCulture);
        response.Headers[GrpcProtocol.MessageTrailer] = knownService ? "Method is unimplemented." : "Service is unimplemented.";
        return Task.CompletedTask;
    }
}
