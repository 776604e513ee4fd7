using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using StreamingTutorial.Chapter03;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>Uploads to chapter 3's UploadFile with content made on the fly, hashed as it is sent.</summary>
internal static class Uploads
{
    public const int ChunkSize = UploaderClient.FileChunkSize;

    /// <summary>Sends <paramref name="size"/> seeded random bytes in 1 MiB chunks; returns the server's summary and the SHA-256 of what was sent.</summary>
    public static async Task<(FileUploadSummary Summary, string SentSha256)> UploadAsync(UploaderService.UploaderServiceClient client, string name, long size, int seed, CancellationToken cancellationToken = default)
    {
        using var call = client.UploadFile(cancellationToken: cancellationToken);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var random = new Random(seed);
        var buffer = new byte[ChunkSize];
        long sent = 0;
        do
        {
            var length = (int)Math.Min(ChunkSize, size - sent);
            random.NextBytes(buffer.AsSpan(0, length));
            sha256.AppendData(buffer.AsSpan(0, length));
            await call.RequestStream.WriteAsync(new FileChunk { FileName = sent == 0 ? name : "", Data = ByteString.CopyFrom(buffer, 0, length) });
            sent += length;
        }
        while (sent < size);
        await call.RequestStream.CompleteAsync();
        return (await call.ResponseAsync, Convert.ToHexStringLower(sha256.GetHashAndReset()));
    }

    /// <summary>An upload of one small chunk, for name checks.</summary>
    public static async Task<FileUploadSummary> UploadSmallAsync(UploaderService.UploaderServiceClient client, string name)
    {
        using var call = client.UploadFile();
        await call.RequestStream.WriteAsync(new FileChunk { FileName = name, Data = ByteString.CopyFromUtf8("must not be written") });
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    public static async Task<string> FileSha256Async(string path)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
    }

    /// <summary>Every file and folder under <paramref name="root"/>, relative, sorted: what a test compares before and after.</summary>
    public static List<string> Snapshot(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static async Task<RpcException?> TryAsync(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (RpcException ex)
        {
            return ex;
        }
    }
}
