namespace StreamingTutorial.Chapter01;

/// <summary>The folder where the file service keeps its files.</summary>
public sealed class FileStorage
{
    public FileStorage(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }
}
