using System.Text;

namespace StreamingTutorial.Chapter03;

/// <summary>The folder where the uploader keeps the files it receives.</summary>
public sealed class UploadStorage
{
    public UploadStorage(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }
}

/// <summary>What makes a file name safe to store: a plain name that stays inside the folder (the rule of chapter 1).</summary>
public static class FileNameRules
{
    public const int MaxBytes = 255;

    /// <summary>Null when the name is acceptable; otherwise what is wrong with it.</summary>
    public static string? Check(string fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName))
        {
            return "File name is empty: the first chunk must carry the file's name.";
        }
        if (Encoding.UTF8.GetByteCount(fileName) > MaxBytes)
        {
            return $"File name is longer than {MaxBytes} bytes.";
        }
        if (fileName is "." or ".." || fileName.IndexOfAny(['/', '\\', ':', '\0']) >= 0 || Path.IsPathRooted(fileName))
        {
            return $"File name '{fileName}' must be a plain name, without folders.";
        }
        return null;
    }
}
