using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>An HTTP response to a hand-made gRPC request: status line, headers and trailers together, body.</summary>
internal sealed record GrpcHttpResponse(HttpStatusCode Status, Dictionary<string, string> Headers, byte[] Body)
{
    public string? GrpcStatus => Headers.GetValueOrDefault("grpc-status");

    public string? GrpcMessage => Headers.TryGetValue("grpc-message", out var value) ? Uri.UnescapeDataString(value) : null;

    public override string ToString() =>
        $"HTTP {(int)Status}, {string.Join(", ", Headers.Select(h => $"{h.Key}: {h.Value}"))}, {Body.Length} body bytes";
}

/// <summary>Hand-made gRPC requests over HttpClient, for bytes and headers a gRPC client would never send.</summary>
internal static class GrpcHttp
{
    public const string UnaryPath = "/runtimetest.TestService/Unary";
    public const string ClientStreamPath = "/runtimetest.TestService/ClientStream";

    /// <summary>One gRPC message frame: the compressed flag, the 4-byte big-endian length, the payload.</summary>
    public static byte[] Frame(byte[] payload, byte flag = 0, uint? declaredLength = null)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), declaredLength ?? (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    public static HttpContent Body(byte[] bytes, string? contentType = "application/grpc")
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        return content;
    }

    public static async Task<GrpcHttpResponse> SendAsync(Uri address, string path, HttpContent content,
        IEnumerable<(string Name, string Value)>? headers = null, Version? version = null)
    {
        using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = Waits.Patience };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, path))
        {
            Version = version ?? HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsByteArrayAsync();
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated).Concat(response.TrailingHeaders.NonValidated))
        {
            all[name] = values.ToString();
        }
        return new GrpcHttpResponse(response.StatusCode, all, body);
    }

    /// <summary>Asserts a gRPC error answer: HTTP 200 with this grpc-status and a grpc-message that starts as given.</summary>
    public static void AssertGrpcError(GrpcHttpResponse response, Grpc.Core.StatusCode code, string messageStart, string what)
    {
        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK), $"HTTP status of {what}: gRPC errors travel as 200 with a grpc-status ({response})");
            Assert.That(response.GrpcStatus, Is.EqualTo(((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture)), $"grpc-status of {what} ({code}); response: {response}");
            Assert.That(response.GrpcMessage, Does.StartWith(messageStart), $"grpc-message of {what}");
        });
    }
}

/// <summary>A request body that sends some bytes and then stays open, as a client that has not finished would.</summary>
internal sealed class OpenEndedContent : HttpContent
{
    private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] first;

    public OpenEndedContent(byte[] first)
    {
        this.first = first;
        Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
    }

    public void Release() => release.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(first);
        await stream.FlushAsync();
        await release.Task;
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        release.TrySetResult();
        base.Dispose(disposing);
    }
}
