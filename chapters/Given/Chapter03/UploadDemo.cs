using System.Security.Cryptography;
using StreamingTutorial.DemoHost;
using StreamingTutorial.Protos.Uploader;

namespace StreamingTutorial.Chapter03;

/// <summary>
/// The chapter's scripted demo (the program's <c>demo</c> mode): uploads a file with the
/// chapter's UploadFileAsync and a progress bar, then checks the server's size and SHA-256
/// against the file's. The file is <c>--file</c>, or one of random bytes made for the demo:
/// 128 MiB, big enough to watch the bar move, or 64 KiB with <c>--wire</c>, whose trace shows
/// every chunk.
/// </summary>
public static class UploadDemo
{
    public const long DefaultSize = 128L * 1024 * 1024;

    public const long WireSize = 64L * 1024;

    /// <param name="upload">The chapter's client: uploads the file at a path, reporting the bytes sent.</param>
    public static async Task RunAsync(Func<string, IProgress<long>, CancellationToken, Task<FileUploadSummary>> upload, DemoOptions options, CancellationToken cancellationToken)
    {
        var given = options.Has("file") ? options.Get("file", "") : null;
        if (given is not null && !File.Exists(given))
        {
            throw new DemoOptionException($"No file at '{given}': give --file the path of a file to upload.");
        }
        // Made in a folder of its own, so two demos at once do not share a file.
        var folder = given is null ? Directory.CreateTempSubdirectory("streamingtutorial-demo-") : null;
        var path = given ?? Path.Combine(folder!.FullName, "demo-upload.bin");
        try
        {
            if (given is null)
            {
                await WriteRandomFileAsync(path, options.Has("wire") ? WireSize : DefaultSize, cancellationToken);
            }
            var summary = await UploadWithBarAsync(upload, path, cancellationToken);
            var sha256 = await Sha256Async(path, cancellationToken);
            Console.WriteLine($"SHA-256 (file):   {sha256}");
            if (summary.Size != new FileInfo(path).Length || !string.Equals(summary.Sha256, sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new DemoFailedException("The server stored something else than the file: its size or SHA-256 differs.");
            }
            Console.WriteLine("The server has the file, byte for byte.");
        }
        finally
        {
            folder?.Delete(recursive: true);
        }
    }

    /// <summary>Uploads the file with a progress bar, then prints where and how the server stored it (the <c>client --file</c> mode does this too).</summary>
    public static async Task<FileUploadSummary> UploadWithBarAsync(Func<string, IProgress<long>, CancellationToken, Task<FileUploadSummary>> upload, string path, CancellationToken cancellationToken)
    {
        var size = new FileInfo(path).Length;
        Console.WriteLine($"Uploading {Path.GetFileName(path)}, {size:N0} {Bytes(size)} (Ctrl+C stops the upload)...");
        var bar = new ProgressBar(size);
        FileUploadSummary summary;
        try
        {
            summary = await upload(path, bar, cancellationToken);
        }
        finally
        {
            // An error or Ctrl+C is printed after this, on a line of its own, not over the bar.
            bar.EndLine();
        }
        Console.WriteLine($"Stored as '{summary.FileName}': {summary.Size:N0} {Bytes(summary.Size)} in {summary.TotalChunks:N0} chunk{(summary.TotalChunks == 1 ? "" : "s")}");
        Console.WriteLine($"SHA-256 (server): {summary.Sha256}");
        return summary;
    }

    private static string Bytes(long count) => count == 1 ? "byte" : "bytes";

    private static async Task WriteRandomFileAsync(string path, long size, CancellationToken cancellationToken)
    {
        var block = new byte[1024 * 1024];
        Random.Shared.NextBytes(block);
        await using var stream = File.Create(path);
        for (long written = 0; written < size; written += block.Length)
        {
            await stream.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, size - written)), cancellationToken);
        }
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }
}
