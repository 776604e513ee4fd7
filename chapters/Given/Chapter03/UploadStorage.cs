namespace StreamingTutorial.Chapter03;

/// <summary>The folder where the uploader keeps the files it receives, and how large one may be.</summary>
public sealed class UploadStorage
{
    /// <summary>The largest file one upload may store unless the server says otherwise: 256 MiB.</summary>
    public const long DefaultMaxFileBytes = 256L * 1024 * 1024;

    public UploadStorage(string root, long maxFileBytes = DefaultMaxFileBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxFileBytes);
        Root = Path.GetFullPath(root);
        MaxFileBytes = maxFileBytes;
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>The quota of one upload, in bytes: a client may stream for ever, the disk is not that big.</summary>
    public long MaxFileBytes { get; }

    /// <summary>Null while an upload of <paramref name="size"/> bytes fits the quota; otherwise what is wrong.</summary>
    public string? CheckSize(long size) =>
        size > MaxFileBytes ? $"The upload is larger than this server's limit of {MaxFileBytes} bytes per file." : null;
}
