using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace StreamingTutorial.Grading;

/// <summary>
/// An exception the learner's own code threw, as the learner needs to see it: its type, its
/// message, and the file and line of their code it came from. A server's exception crosses to the
/// grader's client in a trailer that <see cref="LearnerExceptionInterceptor"/> adds.
/// </summary>
public sealed partial record LearnerException(string Type, string Message, string? Where, string? Method, string? FileName, string? RpcMethod)
{
    /// <summary>The trailer a graded server's unexpected exception travels in (binary: the message may be any text).</summary>
    public const string TrailerKey = "workbook-exception-bin";

    private static readonly string GradingFolder = FolderOf();

    [JsonIgnore]
    /// <summary>The exercise whose method the exception came from (by the method's name and file), if any.</summary>
    public Exercise? Exercise =>
        ChapterCatalog.Current.Chapters.SelectMany(c => c.Exercises)
            .FirstOrDefault(e => e.Name == Method && string.Equals(e.File, FileName, StringComparison.OrdinalIgnoreCase))
        ?? ChapterCatalog.Current.Chapters.SelectMany(c => c.Exercises)
            .FirstOrDefault(e => e.Side == "server" && RpcMethod is not null && e.Name == RpcMethod);

    [JsonIgnore]
    /// <summary>One line for a failure's Actual: what was thrown and where.</summary>
    public string Text => Where is null ? $"{Type}: {Message}" : $"{Type}: {Message} (thrown at {Where})";

    public static LearnerException From(Exception exception, string? rpcMethod = null)
    {
        var (where, method, file) = Locate(exception);
        return new LearnerException(exception.GetType().Name, exception.Message, where, method, file, rpcMethod);
    }

    /// <summary>The learner exception a graded server sent along with its status, or null for any other failed call.</summary>
    public static LearnerException? From(RpcException call)
    {
        var bytes = call.Trailers.GetValueBytes(TrailerKey);
        return bytes is null ? null : JsonSerializer.Deserialize<LearnerException>(bytes);
    }

    /// <summary>What a graded server sends instead of the exception: the status ASP.NET Core's detailed errors give, and the exception in a trailer.</summary>
    public static RpcException ToRpc(Exception exception, string rpcMethod)
    {
        var trailers = new Metadata { { TrailerKey, JsonSerializer.SerializeToUtf8Bytes(From(exception, rpcMethod)) } };
        return new RpcException(new Status(StatusCode.Unknown, $"Exception was thrown by handler. {exception.GetType().Name}: {exception.Message}", exception), trailers);
    }

    /// <summary>The first frame, from the throw outwards, in a source file of the workbook that is not the grading library's own.</summary>
    private static (string? Where, string? Method, string? File) Locate(Exception exception)
    {
        foreach (var frame in new StackTrace(exception, fNeedFileInfo: true).GetFrames())
        {
            var file = frame.GetFileName();
            if (file is null || !File.Exists(file) || file.StartsWith(GradingFolder, StringComparison.Ordinal))
            {
                continue;
            }
            var method = MethodName(frame.GetMethod());
            return ($"{Relative(file)}:{frame.GetFileLineNumber()}{(method is null ? "" : $", in {method}")}", method, Path.GetFileName(file));
        }
        return (null, null, null);
    }

    /// <summary>An async method's frame is its state machine's MoveNext: the method is in the type's name, &lt;GetServerTime&gt;d__3.</summary>
    private static string? MethodName(MethodBase? method)
    {
        if (method is null)
        {
            return null;
        }
        var generated = GeneratedName().Match(method.DeclaringType?.Name ?? "");
        return generated.Success && method.Name == "MoveNext" ? generated.Groups[1].Value
            : GeneratedName().Match(method.Name) is { Success: true } lambda ? lambda.Groups[1].Value
            : method.Name;
    }

    private static string Relative(string file)
    {
        return Path.GetDirectoryName(file) is { } folder && WorkbookPaths.FindRootFrom(folder) is { } root
            ? Path.GetRelativePath(root, file).Replace('\\', '/')
            : Path.GetFileName(file);
    }

    private static string FolderOf([CallerFilePath] string path = "") => Path.GetDirectoryName(path) + Path.DirectorySeparatorChar;

    [GeneratedRegex(@"^<(\w+)>")]
    private static partial Regex GeneratedName();
}

/// <summary>
/// Put on every server the graders host: an exception the service throws (other than RpcException,
/// or a cancellation once the call is over) leaves with its type, message and line in a trailer,
/// so the failure can show the learner their own mistake instead of "Exception was thrown by handler".
/// </summary>
public sealed class LearnerExceptionInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (IsLearners(ex, context))
        {
            throw LearnerException.ToRpc(ex, RpcMethod(context));
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception ex) when (IsLearners(ex, context))
        {
            throw LearnerException.ToRpc(ex, RpcMethod(context));
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (IsLearners(ex, context))
        {
            throw LearnerException.ToRpc(ex, RpcMethod(context));
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception ex) when (IsLearners(ex, context))
        {
            throw LearnerException.ToRpc(ex, RpcMethod(context));
        }
    }

    // A cancelled call's exceptions are the call ending, not a mistake; and the starter's
    // NotImplementedException keeps its usual form, which the graders read as "not started".
    private static bool IsLearners(Exception ex, ServerCallContext context) =>
        ex is not RpcException and not OperationCanceledException and not NotImplementedException && !context.CancellationToken.IsCancellationRequested;

    private static string RpcMethod(ServerCallContext context) => context.Method[(context.Method.LastIndexOf('/') + 1)..];
}
