using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace StreamingTutorial.Grading;

/// <summary>Helpers every chapter's grader uses to run learner code and describe what went wrong.</summary>
public static class Grade
{
    /// <summary>Hosts a service under test in memory, with detailed errors on so an untouched TODO can be recognised.</summary>
    public static Task<GrpcTestHost> HostAsync<TService>(Action<IServiceCollection>? configureServices = null, HostKind kind = HostKind.TestServer)
        where TService : class =>
        GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<TService>(), configureServices, ConfigureGraded);

    /// <summary>Hosts a service under test created by a factory (for services with constructor arguments).</summary>
    public static Task<GrpcTestHost> HostAsync<TService>(Func<TService> create)
        where TService : class =>
        HostAsync<TService>(services => services.AddSingleton(_ => create()));

    /// <summary>Hosts a service under test created by a factory, with a watcher that sees when each request's handler has finished.</summary>
    public static Task<GrpcTestHost> HostAsync<TService>(Func<TService> create, RequestWatcher watcher)
        where TService : class =>
        GrpcTestHost.StartAsync(HostKind.TestServer, app =>
            {
                watcher.Attach(app);
                app.MapGrpcService<TService>();
            },
            services => services.AddSingleton(_ => create()),
            ConfigureGraded);

    /// <summary>
    /// How a graded server is set up: detailed errors on (a production server leaves them off, so it
    /// never shows its internals) so an untouched TODO can be recognised, and the learner's own
    /// exceptions sent with their type, message and line.
    /// </summary>
    public static void ConfigureGraded(GrpcServiceOptions options)
    {
        options.EnableDetailedErrors = true;
        options.Interceptors.Add<LearnerExceptionInterceptor>();
    }

    /// <summary>True when a call failed because the handler still throws the starter's NotImplementedException.</summary>
    public static bool IsNotImplemented(RpcException ex) =>
        ex.StatusCode == StatusCode.Unknown && ex.Status.Detail.Contains(nameof(NotImplementedException), StringComparison.Ordinal);

    /// <summary>Calls the learner's server. An untouched TODO becomes NotStartedException; other failures are the caller's to judge.</summary>
    /// An exception thrown by the learner's handler becomes a failure that shows it.
    public static async Task<T> CallServerAsync<T>(Exercise exercise, Func<Task<T>> call, string? callText = null)
    {
        callText ??= exercise.Name + "(...)";
        try
        {
            return await call().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (RpcException ex) when (IsNotImplemented(ex))
        {
            throw NotStartedException.For(exercise);
        }
        catch (RpcException ex) when (LearnerException.From(ex) is { } thrown)
        {
            throw GradingFailure.Threw(exercise, callText, "an answer", thrown);
        }
        catch (TimeoutException)
        {
            throw GradingFailure.For(exercise, "the call did not finish within 30 seconds.", callText, "an answer", "no answer after 30 s: is the handler waiting for something that never happens?",
                exercise.Hints[0].Key);
        }
    }

    /// <summary>Calls the learner's server expecting an error status; returns the exception, or fails if the call succeeded.</summary>
    public static async Task<RpcException> ExpectErrorAsync<T>(Exercise exercise, string callText, StatusCode expected, Func<Task<T>> call, string hint)
    {
        try
        {
            var result = await CallServerAsync(exercise, call, callText);
            throw GradingFailure.For(exercise, $"the call should have failed with {expected}, but it succeeded.", callText,
                $"status {expected}", $"status OK with {Describe(result)}", hint);
        }
        catch (RpcException ex) when (ex.StatusCode != expected)
        {
            throw GradingFailure.For(exercise, "the call failed with the wrong status.", callText,
                $"status {expected}", DescribeStatus(ex), hint);
        }
        catch (RpcException ex)
        {
            return ex;
        }
    }

    /// <summary>Runs the learner's client code. An untouched TODO becomes NotStartedException; an exception becomes a failure.</summary>
    public static async Task<T> RunClientAsync<T>(Exercise exercise, string callText, Func<Task<T>> learnerCode, string? timeoutHint = null)
    {
        try
        {
            return await learnerCode().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (NotImplementedException)
        {
            throw NotStartedException.For(exercise);
        }
        catch (TimeoutException)
        {
            throw GradingFailure.For(exercise, "the code did not finish within 30 seconds.", callText, "a result", "no result after 30 s",
                timeoutHint ?? exercise.Hints[0].Key);
        }
        catch (Exception ex) when (ex is not GradingFailure and not NotStartedException)
        {
            throw GradingFailure.Threw(exercise, callText, "a result", LearnerException.From(ex));
        }
    }

    /// <summary>A failed call's status for a failure's Actual line; the learner's own exception when that is what ended it.</summary>
    public static string DescribeStatus(RpcException ex) =>
        LearnerException.From(ex) is { } thrown ? $"status {ex.StatusCode}: your code threw {thrown.Text}" : $"status {ex.StatusCode} \"{ex.Status.Detail}\"";

    /// <summary>An exception for a failure's Actual line: type, message, and the line of the learner's code it came from.</summary>
    public static string DescribeException(Exception ex) =>
        ex is RpcException rpc ? $"RpcException with {DescribeStatus(rpc)}" : LearnerException.From(ex).Text;

    /// <summary>A short text of a value for failure messages.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        Google.Protobuf.IMessage m => $"{m.Descriptor.Name} {m}",
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Describe)) + "]",
        _ => value.ToString() ?? "",
    };

    /// <summary>"1 byte", "0 bytes", "256 bytes".</summary>
    public static string Bytes(long count) => count == 1 ? "1 byte" : $"{count} bytes";

    /// <summary>A fresh folder that is deleted when disposed.</summary>
    public static TempFolder CreateTempFolder() => new();
}

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "streamingtutorial-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
