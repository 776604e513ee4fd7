using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace StreamingTutorial.Workbook.Tests;

/// <summary>
/// The GitHub Classroom workflow (.github/workflows/classroom.yml) can only be run on GitHub;
/// these tests check what can be checked here: it parses, it has one check per chapter, and
/// every command it runs exists and selects the chapter's graders.
/// </summary>
[TestFixture]
public partial class ClassroomWorkflowTests
{
    private const string CommandGrader = "education/autograding-command-grader@v1";
    private static readonly string WorkflowPath = Path.Combine(TestRepository.Root, ".github", "workflows", "classroom.yml");

    private static YamlMappingNode Workflow()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(WorkflowPath);
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static List<YamlMappingNode> Steps()
    {
        var jobs = (YamlMappingNode)Workflow()["jobs"];
        Assert.That(jobs.Children, Has.Count.EqualTo(1), "One job: the checks share one checkout and one .NET set-up.");
        var job = (YamlMappingNode)jobs.Children.Single().Value;
        return ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>().ToList();
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    private static YamlMappingNode? Mapping(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (YamlMappingNode)value : null;

    private static List<YamlMappingNode> GraderSteps() => Steps().Where(s => Scalar(s, "uses") == CommandGrader).ToList();

    [Test]
    public void It_parses_and_runs_on_push()
    {
        var workflow = Workflow();
        Assert.That(Scalar(workflow, "name"), Is.Not.Empty);
        var on = workflow["on"];
        Assert.That(on, Is.InstanceOf<YamlSequenceNode>());
        Assert.That(((YamlSequenceNode)on).Children.Select(c => ((YamlScalarNode)c).Value), Does.Contain("push"));
        Assert.That(Steps(), Is.Not.Empty);
    }

    [Test]
    public void Every_chapter_with_a_grader_has_one_check_worth_its_exercises()
    {
        var grader = new Grader(TestRepository.Root);
        var steps = GraderSteps();
        foreach (var chapter in TestRepository.Workbook.Catalog.Chapters.Where(grader.HasGrader))
        {
            var matching = steps.Where(s => Scalar(Mapping(s, "with")!, "command")!.Contains($" {WorkbookPaths.Relative.GraderFolder(chapter)} ", StringComparison.Ordinal)).ToList();
            Assert.That(matching, Has.Count.EqualTo(1),
                $"Chapter {chapter.Number} needs exactly one check in .github/workflows/classroom.yml running dotnet test {WorkbookPaths.Relative.GraderFolder(chapter)}; copy another chapter's step (and add it to the reporter).");
            Assert.That(Scalar(Mapping(matching[0], "with")!, "max-score"), Is.EqualTo(chapter.Exercises.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                $"Chapter {chapter.Number}'s check should be worth one point per exercise.");
        }
    }

    [Test]
    public void Every_command_it_runs_exists()
    {
        var steps = Steps();
        Assert.Multiple(() =>
        {
            foreach (var step in steps)
            {
                if (Scalar(step, "uses") is { } action)
                {
                    Assert.That(action, Does.Match(@"^[\w.-]+/[\w.-]+@v\d+$"), $"Step '{Scalar(step, "name")}' should use a released major version of an action.");
                }
                if (Scalar(step, "run") is { } run)
                {
                    foreach (var command in run.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        CheckDotnetCommand(command);
                    }
                }
                if (Scalar(step, "uses") == CommandGrader)
                {
                    var with = Mapping(step, "with")!;
                    Assert.That(Scalar(with, "test-name"), Is.Not.Empty);
                    Assert.That(int.Parse(Scalar(with, "timeout")!, System.Globalization.CultureInfo.InvariantCulture), Is.InRange(1, 60));
                    CheckDotnetCommand(Scalar(with, "command")!);
                    if (Scalar(with, "setup-command") is { Length: > 0 } setup)
                    {
                        CheckDotnetCommand(setup);
                    }
                }
            }
        });
    }

    /// <summary>A dotnet test of a chapter's grader project, filtered on the category its tests have, strict about exercises not started.</summary>
    private static void CheckDotnetCommand(string command)
    {
        var match = DotnetTest().Match(command);
        Assert.That(match.Success, $"'{command}' should be 'dotnet test <grader project> --filter Category=<its category> -e WORKBOOK_NOT_STARTED=fail'.");
        if (!match.Success)
        {
            return;
        }
        var project = match.Groups["project"].Value;
        var chapter = TestRepository.Workbook.Catalog.Chapters.FirstOrDefault(c => WorkbookPaths.Relative.GraderFolder(c) == project);
        Assert.That(chapter, Is.Not.Null, $"'{command}' runs {project}, which is no chapter's grader project.");
        Assert.That(Directory.Exists(Path.Combine(TestRepository.Root, project)), $"'{command}' runs {project}, which does not exist.");
        // Every grader test is in its chapter's category (GraderCases; tests/GraderProofs/ExerciseIdentityTests checks it).
        Assert.That(match.Groups["category"].Value, Is.EqualTo(WorkbookPaths.Relative.Category(chapter!)),
            $"'{command}' should filter on its chapter's category, or it runs nothing.");
        Assert.That(match.Groups["variable"].Value, Is.EqualTo(StreamingTutorial.Graders.Verdict.NotStartedVariable), "The environment variable should be the one Verdict reads.");
    }

    [Test]
    public void The_reporter_collects_every_check()
    {
        var steps = Steps();
        var ids = GraderSteps().Select(s => Scalar(s, "id")!).ToList();
        Assert.That(ids, Is.Unique.And.Not.Empty);
        var reporter = steps.Single(s => Scalar(s, "uses")?.StartsWith("education/autograding-grading-reporter@", StringComparison.Ordinal) == true);
        Assert.That(steps[^1], Is.SameAs(reporter), "The reporter runs last, after every check.");
        var runners = Scalar(Mapping(reporter, "with")!, "runners")!.Split(',', StringSplitOptions.TrimEntries);
        Assert.That(runners, Is.EquivalentTo(ids));
        var env = Mapping(reporter, "env")!;
        foreach (var id in ids)
        {
            Assert.That(Scalar(env, id.ToUpperInvariant() + "_RESULTS"), Does.Contain($"steps.{id}.outputs.result"),
                $"The reporter needs {id.ToUpperInvariant()}_RESULTS: ${{{{ steps.{id}.outputs.result }}}}.");
        }
    }

    [GeneratedRegex(@"^dotnet test (?<project>\S+) --filter Category=(?<category>\S+) -e (?<variable>\w+)=fail$")]
    private static partial Regex DotnetTest();
}
