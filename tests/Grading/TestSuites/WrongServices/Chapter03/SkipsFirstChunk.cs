// Wrong service: an UploadImage that leaves the first chunk out of its counts.
using Grpc.Core;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Chapter03;

public class UploaderServiceImpl
{
    public override async Task<UploadSummary> UploadImage(IAsyncStreamReader<ImageChunk> requestStream, ServerCallContext context)
    {
        var summary = new UploadSummary();
        if (!await requestStream.MoveNext(context.CancellationToken))
        {
            return summary;
        }
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            summary.TotalChunks++;
            summary.TotalBytes += requestStream.Current.Data.Length;
        }
        return summary;
    }
}
