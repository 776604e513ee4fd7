using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Runtime.Tests;

/// <summary>Seed 000's call: five chunks of 1,024 bytes up, one summary back.</summary>
[TestFixture(HostKind.TestServer)]
[TestFixture(HostKind.Kestrel)]
public class SeedUploadTests(HostKind kind)
{
    private sealed class CountingUploader : UploaderService.UploaderServiceBase
    {
        public override async Task<UploadSummary> UploadImage(IAsyncStreamReader<ImageChunk> requestStream, ServerCallContext context)
        {
            var summary = new UploadSummary();
            await foreach (var chunk in requestStream.ReadAllAsync())
            {
                summary.TotalChunks++;
                summary.TotalBytes += chunk.Data.Length;
            }
            return summary;
        }
    }

    [Test]
    public async Task Five_chunks_of_1024_bytes_give_a_summary_of_5_and_5120()
    {
        await using var host = await GrpcTestHost.StartAsync(kind, app => app.MapGrpcService<CountingUploader>());
        var client = new UploaderService.UploaderServiceClient(host.CreateChannel());

        using var call = client.UploadImage(deadline: DateTime.UtcNow.AddSeconds(10));
        for (var i = 0; i < 5; i++)
        {
            var data = new byte[1024];
            Random.Shared.NextBytes(data);
            await call.RequestStream.WriteAsync(new ImageChunk { Data = Google.Protobuf.ByteString.CopyFrom(data) });
        }
        await call.RequestStream.CompleteAsync();
        var summary = await call;

        Assert.Multiple(() =>
        {
            Assert.That(summary.TotalChunks, Is.EqualTo(5));
            Assert.That(summary.TotalBytes, Is.EqualTo(5120));
            Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        });
    }
}
