using Grpc.Net.Client;

namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>Which gRPC implementation the tests were built against (-p:GrpcStack=Official swaps it).</summary>
internal static class Stack
{
    public static bool IsBundledRuntime => typeof(GrpcChannel).Assembly.GetName().Name == "StreamingTutorial.GrpcRuntime";

    /// <summary>Skips a test whose expectation is the bundled runtime's own choice, where the official packages answer differently.</summary>
    public static void RequireBundledRuntime(string officialBehaviour)
    {
        if (!IsBundledRuntime)
        {
            Assert.Ignore($"The official packages behave differently here: {officialBehaviour}");
        }
    }
}
