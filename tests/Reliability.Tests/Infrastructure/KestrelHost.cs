namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>
/// The test kit's host as these tests use it: real Kestrel, each request counted so a test can
/// see that every call's handler has ended, and calls left hanging on purpose aborted at dispose.
/// </summary>
internal static class KestrelHost
{
    public static Task<GrpcTestHost> StartAsync(HostSetup setup) =>
        GrpcTestHost.StartAsync(setup with { Kind = HostKind.Kestrel, CountRequests = true, AbortOnDispose = true });

    /// <summary>Waits until every request's handler has ended; fails the test if one is still running.</summary>
    public static async Task AssertAllHandlersEndAsync(this GrpcTestHost host, string what)
    {
        if (!await Waits.UntilAsync(() => host.ActiveRequests == 0))
        {
            Assert.Fail($"{host.ActiveRequests} request(s) still being handled {Waits.Patience.TotalSeconds:0} s after {what}.");
        }
    }
}
