// Wrong service: an UploadImage that counts every chunk as 1024 bytes, whatever its size.
using Grpc.Core;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Chapter03;

public class UploaderServiceImpl
{
    public override async Task<UploadSummary> UploadImage(IAsyncStreamReader<ImageChunk> requestStream, ServerCallContext context)
    {
        var summary = new UploadSummary();
        await foreach (var chunk in requestStream.ReadAllAsync())
        {
            summary.TotalChunks++;
            summary.TotalBytes += 1024;
        }
        return summary;
    }
}
