using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StreamingTutorial.TestKit;
using StreamingTutorial.Protos.Chat;
using StreamingTutorial.Protos.Files;
using StreamingTutorial.Protos.Streaming;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.BookClaims.Tests;

/// <summary>What each test's handlers do: one delegate per method kind, on the workbook's contracts.</summary>
public sealed class Handlers
{
    public Func<HelloRequest, ServerCallContext, Task<HelloReply>>? Unary { get; init; }

    public Func<WriteFileRequest, ServerCallContext, Task<WriteFileReply>>? WriteFile { get; init; }

    public Func<TimeUpdatesRequest, IServerStreamWriter<TimeUpdate>, ServerCallContext, Task>? ServerStreaming { get; init; }

    public Func<IAsyncStreamReader<FileChunk>, ServerCallContext, Task<FileUploadSummary>>? ClientStreaming { get; init; }

    public Func<IAsyncStreamReader<ChatMessage>, IServerStreamWriter<ChatMessage>, ServerCallContext, Task>? Duplex { get; init; }

    /// <summary>The HTTP request headers of the last call, as they came off the wire (before gRPC filters them).</summary>
    public IHeaderDictionary? LastHttpHeaders { get; set; }
}

internal sealed class Files(Handlers handlers) : FileService.FileServiceBase
{
    public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context) => handlers.Unary!(request, context);

    public override Task<WriteFileReply> WriteFile(WriteFileRequest request, ServerCallContext context) => handlers.WriteFile!(request, context);
}

internal sealed class Times(Handlers handlers) : StreamingService.StreamingServiceBase
{
    public override Task GetTimeUpdates(TimeUpdatesRequest request, IServerStreamWriter<TimeUpdate> responseStream, ServerCallContext context) =>
        handlers.ServerStreaming!(request, responseStream, context);
}

internal sealed class Uploads(Handlers handlers) : UploaderService.UploaderServiceBase
{
    public override Task<FileUploadSummary> UploadFile(IAsyncStreamReader<FileChunk> requestStream, ServerCallContext context) =>
        handlers.ClientStreaming!(requestStream, context);
}

internal sealed class Chat(Handlers handlers) : ChatService.ChatServiceBase
{
    public override Task JoinChat(IAsyncStreamReader<ChatMessage> requestStream, IServerStreamWriter<ChatMessage> responseStream, ServerCallContext context) =>
        handlers.Duplex!(requestStream, responseStream, context);
}

/// <summary>A Kestrel server on 127.0.0.1 serving <see cref="Handlers"/>, and a channel to it.</summary>
public sealed class ClaimHost : IAsyncDisposable
{
    private readonly GrpcTestHost host;

    private ClaimHost(GrpcTestHost host)
    {
        this.host = host;
        Channel = host.CreateChannel();
    }

    public GrpcChannel Channel { get; }

    public Uri Address => host.Address;

    public FileService.FileServiceClient Files => new(Channel);

    public StreamingService.StreamingServiceClient Times => new(Channel);

    public UploaderService.UploaderServiceClient Uploads => new(Channel);

    public ChatService.ChatServiceClient Chat => new(Channel);

    public static async Task<ClaimHost> StartAsync(Handlers handlers, bool detailedErrors = false) =>
        new(await GrpcTestHost.StartAsync(HostKind.Kestrel,
            app =>
            {
                app.Use((context, next) =>
                {
                    handlers.LastHttpHeaders = context.Request.Headers;
                    return next(context);
                });
                app.MapGrpcService<Files>();
                app.MapGrpcService<Times>();
                app.MapGrpcService<Uploads>();
                app.MapGrpcService<Chat>();
            },
            services => services.AddSingleton(handlers),
            options => options.EnableDetailedErrors = detailedErrors));

    public ValueTask DisposeAsync() => host.DisposeAsync();
}

/// <summary>Bounded waits, so a claim that does not hold fails instead of hanging.</summary>
internal static class Bounded
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static Task<T> Within<T>(this Task<T> task, string what) => Wrap(task.WaitAsync(Patience), what);

    public static async Task Within(this Task task, string what)
    {
        try
        {
            await task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Expected {what} within {Patience.TotalSeconds:0} s.");
        }
    }

    /// <summary>The exception the action ends with, which must be an RpcException.</summary>
    public static async Task<RpcException> RpcFailure(Func<Task> action, string what)
    {
        try
        {
            await action().WaitAsync(Patience);
        }
        catch (RpcException ex)
        {
            return ex;
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Expected {what} to fail within {Patience.TotalSeconds:0} s, but it was still running.");
        }
        Assert.Fail($"Expected {what} to fail with an RpcException, but it succeeded.");
        throw new InvalidOperationException("unreachable");
    }

    private static async Task<T> Wrap<T>(Task<T> task, string what)
    {
        try
        {
            return await task;
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Expected {what} within {Patience.TotalSeconds:0} s.");
            throw;
        }
    }
}
