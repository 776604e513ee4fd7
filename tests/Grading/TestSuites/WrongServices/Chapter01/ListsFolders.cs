// Wrong service: a ListFiles that also lists folders.
using Grpc.Core;
using StreamingTutorial.Protos.Files;

namespace StreamingTutorial.Chapter01;

public class FileServiceImpl
{
    public override Task<ListFilesReply> ListFiles(ListFilesRequest request, ServerCallContext context)
    {
        var reply = new ListFilesReply();
        foreach (var entry in new DirectoryInfo(storage.Root).EnumerateFileSystemInfos().OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            reply.Files.Add(new FileEntry { Name = entry.Name, Size = entry is FileInfo file ? file.Length : 0 });
        }
        return Task.FromResult(reply);
    }
}
