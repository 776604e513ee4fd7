using System.Diagnostics;
using StreamingTutorial.Grading;

namespace StreamingTutorial.Workbook.Tests;

/// <summary>reset: the starter is found in git history even after the learner committed work, and nothing of theirs is lost.</summary>
[TestFixture]
public class StartersTests
{
    private static readonly Chapter Chapter = new()
    {
        Number = 1,
        Folder = "01-test",
        Title = "A test chapter",
        Project = "Test.csproj",
        Exercises =
        [
            new Exercise { Id = "1.1", Name = "First", Side = "server", File = "Work.cs", Hints = [new Hint { Key = "h", Text = "h" }] },
            new Exercise { Id = "1.2", Name = "Second", Side = "client", File = "Client.cs", Hints = [new Hint { Key = "h", Text = "h" }] },
        ],
    };

    private const string StarterWork = """
        class Work
        {
            // TODO 1.1: do the first thing.
            void First() => throw new NotImplementedException("TODO 1.1: First");
        }
        """;

    private const string StarterClient = """
        class Client
        {
            // TODO 1.2: do the second thing.
            void Second() => throw new NotImplementedException("TODO 1.2: Second");
        }
        """;

    private TemporaryFolder repository = null!;
    private string ChapterFolder => Path.Combine(repository.Path, "chapters", Chapter.Folder);

    [SetUp]
    public void CreateRepository()
    {
        repository = new TemporaryFolder();
        Git("init", "--quiet");
        Write("Work.cs", StarterWork);
        Write("Client.cs", StarterClient);
        Write("README.md", "# Test chapter");
        Commit("The workbook's starter");
    }

    [TearDown]
    public void DeleteRepository() => repository.Dispose();

    private void Write(string relative, string text)
    {
        var path = Path.Combine(ChapterFolder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private string Read(string relative) => File.ReadAllText(Path.Combine(ChapterFolder, relative));

    private void Commit(string message)
    {
        Git("add", "-A");
        Git("-c", "user.name=Learner", "-c", "user.email=learner@example.com", "commit", "--quiet", "-m", message);
    }

    private void Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = repository.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var git = Process.Start(start)!;
        var error = git.StandardError.ReadToEnd();
        git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        Assert.That(git.ExitCode, Is.Zero, $"git {string.Join(' ', arguments)}: {error}");
    }

    [Test]
    public async Task The_starter_is_found_even_after_the_learner_committed_work()
    {
        Write("Work.cs", StarterWork.Replace("throw new NotImplementedException(\"TODO 1.1: First\")", "Console.WriteLine(\"done\")"));
        Write("Helper.cs", "class Helper { }");
        Commit("My work on 1.1");

        var starter = await Starters.FindAsync(repository.Path, Chapter);
        Assert.That(starter, Is.Not.Null);
        Assert.That(starter!.Files.Keys, Is.EquivalentTo(new[] { "Work.cs", "Client.cs", "README.md" }));
        Assert.That(System.Text.Encoding.UTF8.GetString(starter.Files["Work.cs"]), Is.EqualTo(StarterWork));
    }

    [Test]
    public async Task A_later_fix_to_the_starter_is_the_starter()
    {
        var fixedStarter = StarterWork.Replace("do the first thing", "do the first thing, carefully");
        Write("Work.cs", fixedStarter);
        Commit("The workbook fixes its starter");
        Write("Client.cs", "class Client { }");
        Commit("My work on 1.2");

        var starter = await Starters.FindAsync(repository.Path, Chapter);
        Assert.That(System.Text.Encoding.UTF8.GetString(starter!.Files["Work.cs"]), Is.EqualTo(fixedStarter));
        Assert.That(System.Text.Encoding.UTF8.GetString(starter.Files["Client.cs"]), Is.EqualTo(StarterClient));
    }

    [Test]
    public async Task Restoring_keeps_every_file_of_the_learner_in_a_backup()
    {
        var mine = StarterWork.Replace("throw new NotImplementedException(\"TODO 1.1: First\")", "Console.WriteLine(\"mine\")");
        Write("Work.cs", mine);
        Write("Extra/Helper.cs", "class Helper { }");
        Write("bin/Debug/build-output.dll", "binary");
        var untouched = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Path.Combine(ChapterFolder, "README.md"), untouched);
        var starter = await Starters.FindAsync(repository.Path, Chapter);

        var backup = Starters.Restore(repository.Path, Chapter, starter!, new DateTime(2030, 1, 2, 3, 4, 5));

        Assert.That(Read("Work.cs"), Is.EqualTo(StarterWork));
        Assert.That(File.GetLastWriteTimeUtc(Path.Combine(ChapterFolder, "README.md")), Is.EqualTo(untouched), "A file already as the starter has it is not rewritten (watch would rebuild for nothing).");
        Assert.That(File.Exists(Path.Combine(ChapterFolder, "Extra", "Helper.cs")), Is.False, "A file the starter does not have would still be compiled: it goes (into the backup).");
        Assert.That(File.Exists(Path.Combine(ChapterFolder, "bin", "Debug", "build-output.dll")), Is.True, "Build output is left alone.");
        Assert.That(backup, Is.EqualTo(Path.Combine(repository.Path, ".workbook", "backups", "01-test-20300102-030405")));
        Assert.That(File.ReadAllText(Path.Combine(backup, "Work.cs")), Is.EqualTo(mine));
        Assert.That(File.ReadAllText(Path.Combine(backup, "Extra", "Helper.cs")), Is.EqualTo("class Helper { }"));
        Assert.That(File.Exists(Path.Combine(backup, "bin", "Debug", "build-output.dll")), Is.False);

        var second = Starters.Restore(repository.Path, Chapter, starter!, new DateTime(2030, 1, 2, 3, 4, 5));
        Assert.That(second, Is.Not.EqualTo(backup), "A second reset in the same second does not overwrite the first backup.");
    }

    [Test]
    public async Task Without_any_starter_in_the_history_nothing_is_found()
    {
        Write("Work.cs", "class Work { }");
        Write("Client.cs", "class Client { }");
        Commit("Solved everything");
        Git("checkout", "--quiet", "--orphan", "fresh");
        Git("rm", "-r", "--quiet", "--cached", ".");
        Commit("History without the starter");
        // Only the orphan branch's single commit is in this branch's history.
        Assert.That(await Starters.FindAsync(repository.Path, Chapter), Is.Null);
    }

    [Test]
    public void A_folder_that_is_not_a_git_clone_is_explained()
    {
        using var plain = new TemporaryFolder();
        Assert.That(async () => await Starters.FindAsync(plain.Path, Chapter),
            Throws.TypeOf<UsageException>().With.Message.Contains("not a git clone").And.Message.Contains("Your files are unchanged"));
    }
}
