namespace StreamingTutorial.Workbook.Tests;

[TestFixture]
public class BuildErrorsTests
{
    private const string Root = "/home/ada/StreamingTutorial";

    [Test]
    public void MSBuild_errors_become_one_line_each_relative_to_the_workbook_without_duplicates()
    {
        var output = """
              Determining projects to restore...
            /home/ada/StreamingTutorial/chapters/01-unary/FileServiceImpl.cs(21,82): error CS1002: ; expected [/home/ada/StreamingTutorial/chapters/01-unary/Unary.csproj]
            /home/ada/StreamingTutorial/chapters/01-unary/FileServiceImpl.cs(30,9): warning CS0162: Unreachable code detected [/home/ada/StreamingTutorial/chapters/01-unary/Unary.csproj]
            Build FAILED.
            /home/ada/StreamingTutorial/chapters/01-unary/FileServiceImpl.cs(21,82): error CS1002: ; expected [/home/ada/StreamingTutorial/chapters/01-unary/Unary.csproj]
            /usr/share/dotnet/sdk/10.0.100/NuGet.targets(196,5): error NU1101: Unable to find package Nope. [/home/ada/StreamingTutorial/chapters/01-unary/Unary.csproj]
            """;
        Assert.That(BuildErrors.FromMsBuildOutput(output, Root), Is.EqualTo(new[]
        {
            "chapters/01-unary/FileServiceImpl.cs:21: error CS1002: ; expected",
            "/usr/share/dotnet/sdk/10.0.100/NuGet.targets:196: error NU1101: Unable to find package Nope.",
        }));
    }

    [Test]
    public void A_long_message_is_trimmed_to_its_first_line()
    {
        var error = BuildErrors.Format(Root, Root + "/chapters/02-server-streaming/StreamingClient.cs", 7, "CS0029", new string('x', 500) + "\nsecond line");
        Assert.That(error, Does.StartWith("chapters/02-server-streaming/StreamingClient.cs:7: error CS0029: xxx"));
        Assert.That(error, Does.EndWith("...").And.Not.Contain("second line"));
        Assert.That(error.Length, Is.LessThan(320));
    }
}
