using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace StreamingTutorial.Grading;

/// <summary>Helpers every chapter's grader uses to run learner code and describe what went wrong.</summary>
public static class Grade
{
    /// <summary>Hosts a service under test in memory, with detailed errors on so an untouched TODO can be recognised.</summary>
    public static Task<GrpcTestHost> HostAsync<TService>(Action<IServiceCollection>? configureServices = null)
        where TService : class =>
        GrpcTestHost.StartAsync(HostKind.TestServer, app => app.MapGrpcService<TService>(), configureServices,
            options => options.EnableDetailedErrors = true);

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
            options => options.EnableDetailedErrors = true);

    /// <summary>True when a call failed because the handler still throws the starter's NotImplementedException.</summary>
    public static bool IsNotImplemented(RpcException ex) =>
        ex.StatusCode == StatusCode.Unknown && ex.Status.Detail.Contains(nameof(NotImplementedException), StringComparison.Ordinal);

    /// <summary>Calls the learner's server. An untouched TODO becomes NotStartedException; other failures are the caller's to judge.</summary>
    public static async Task<T> CallServerAsync<T>(string exerciseId, Func<Task<T>> call)
    {
        try
        {
            return await call().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (RpcException ex) when (IsNotImplemented(ex))
        {
            throw NotStartedException.For(exerciseId);
        }
        catch (TimeoutException)
        {
            throw new GradingFailure($"Exercise {exerciseId}: the call did not finish within 30 seconds. Is the handler waiting for something that never happens?");
        }
    }

    /// <summary>Calls the learner's server expecting an error status; returns the exception, or fails if the call succeeded.</summary>
    public static async Task<RpcException> ExpectErrorAsync<T>(string exerciseId, string callText, StatusCode expected, Func<Task<T>> call, int hint = 0)
    {
        try
        {
            var result = await CallServerAsync(exerciseId, call);
            throw GradingFailure.For(exerciseId, $"the call should have failed with {expected}, but it succeeded.", callText,
                $"status {expected}", $"status OK with {Describe(result)}", hint);
        }
        catch (RpcException ex) when (ex.StatusCode != expected)
        {
            throw GradingFailure.For(exerciseId, "the call failed with the wrong status.", callText,
                $"status {expected}", $"status {ex.StatusCode} \"{ex.Status.Detail}\"", hint);
        }
        catch (RpcException ex)
        {
            return ex;
        }
    }

    /// <summary>Runs the learner's client code. An untouched TODO becomes NotStartedException; an exception becomes a failure.</summary>
    public static async Task<T> RunClientAsync<T>(string exerciseId, string callText, Func<Task<T>> learnerCode)
    {
        try
        {
            return await learnerCode().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (NotImplementedException)
        {
            throw NotStartedException.For(exerciseId);
        }
        catch (TimeoutException)
        {
            throw GradingFailure.For(exerciseId, "the code did not finish within 30 seconds.", callText, "a result", "no result after 30 s");
        }
        catch (Exception ex) when (ex is not GradingFailure and not NotStartedException)
        {
            throw GradingFailure.For(exerciseId, "the code threw an exception.", callText, "a result", $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>A short text of a value for failure messages.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        Google.Protobuf.IMessage m => $"{m.Descriptor.Name} {m}",
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Describe)) + "]",
        _ => value.ToString() ?? "",
    };

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
