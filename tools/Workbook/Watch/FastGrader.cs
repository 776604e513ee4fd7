using Microsoft.CodeAnalysis;

namespace StreamingTutorial.Workbook.Watch;

/// <summary>
/// Grades one chapter in seconds, for watch: the chapter and its grader project are compiled
/// in-process (<see cref="ProjectCompiler"/>) and the grader's NUnit tests run in a warm worker
/// process (<see cref="GradingWorker"/>). The tests are the grader project's own, compiled from
/// the same files with the same arguments as dotnet test would: there is no second grading logic.
/// The grader project is built once with dotnet build, for its dependencies.
/// </summary>
public sealed class FastGrader(string root, FastGraderOptions? options = null) : IAsyncDisposable
{
    private const int RunsPerWorker = 25;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, Setup> setups = new();

    // One gate per chapter: a background build of one chapter never holds up grading another.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, SemaphoreSlim> setupGates = new();
    private WorkerClient? worker;
    private int workerRuns;

    private readonly FastGraderOptions options = options ?? new FastGraderOptions();

    public string Root { get; } = root;

    private readonly WorkbookPaths paths = new(root);

    /// <summary>Starts the worker ahead of the first run, so its start-up overlaps the first build.</summary>
    public void WarmUp() => worker ??= WorkerClient.Start(options.WorkerEnvironment);

    public async Task<ChapterResult> GradeAsync(Chapter chapter, CancellationToken cancellationToken, Func<string, string?>? readSource = null)
    {
        var graderProject = paths.GraderProject(chapter);
        if (!File.Exists(graderProject))
        {
            return ChapterResult.BuildFailed(chapter, [$"{WorkbookPaths.Relative.GraderFolder(chapter)} does not exist yet: this chapter has no grader."]);
        }
        var chapterProject = paths.ChapterProject(chapter);
        if (!File.Exists(chapterProject))
        {
            return ChapterResult.BuildFailed(chapter, [$"{WorkbookPaths.Relative.ChapterFolder(chapter)}/{chapter.Project} is missing."]);
        }

        var (setup, errors) = await SetupOfAsync(chapter, chapterProject, graderProject, cancellationToken);
        if (setup is null)
        {
            return ChapterResult.BuildFailed(chapter, errors);
        }

        var compiledChapter = setup.Chapter.Compile(readSource: readSource);
        if (!compiledChapter.Succeeded)
        {
            return ChapterResult.BuildFailed(chapter, compiledChapter.Errors.Take(BuildErrors.MaxShown).ToList());
        }
        var compiledGrader = setup.Grader.Compile(
            new Dictionary<string, MetadataReference> { [setup.Chapter.AssemblyName] = MetadataReference.CreateFromImage(compiledChapter.Image!) });
        if (!compiledGrader.Succeeded)
        {
            // The chapter compiles but no longer fits its grader: a public signature the grader calls was changed.
            return ChapterResult.BuildFailed(chapter, compiledGrader.Errors.Take(BuildErrors.MaxShown)
                .Append($"The grader calls your code by the starter's names and signatures: keep those as they were in {WorkbookPaths.Relative.ChapterFolder(chapter)}.").ToList());
        }

        var runFolder = NewRunFolder(chapter);
        var chapterPath = Path.Combine(runFolder, setup.Chapter.AssemblyName + ".dll");
        var graderPath = Path.Combine(runFolder, setup.Grader.AssemblyName + ".dll");
        await File.WriteAllBytesAsync(chapterPath, compiledChapter.Image!, cancellationToken);
        await File.WriteAllBytesAsync(graderPath, compiledGrader.Image!, cancellationToken);

        var response = await RunInWorkerAsync(new WorkerRequest(setup.GraderBin, [chapterPath, graderPath], graderPath), cancellationToken);
        if (response.Error is not null)
        {
            return ChapterResult.NotGraded(chapter, response.Error.Split('\n')[0].Trim());
        }
        return new ChapterResult(chapter, Outcomes.ForChapter(chapter, response.Tests.ToList()), []);
    }

    /// <summary>
    /// Builds the chapter's grader and reads both compilers' arguments now, ahead of the chapter's
    /// first grading (watch does it for every chapter in the background). Does nothing when ready.
    /// </summary>
    public async Task PrepareAsync(Chapter chapter, CancellationToken cancellationToken)
    {
        var graderProject = paths.GraderProject(chapter);
        var chapterProject = paths.ChapterProject(chapter);
        if (File.Exists(graderProject) && File.Exists(chapterProject))
        {
            await SetupOfAsync(chapter, chapterProject, graderProject, cancellationToken);
        }
    }

    /// <summary>The chapter's setup, made (one build) or refreshed as needed; one at a time, as the background preparation may be at it too.</summary>
    private async Task<(Setup? Setup, List<string> Errors)> SetupOfAsync(Chapter chapter, string chapterProject, string graderProject, CancellationToken cancellationToken)
    {
        var gate = setupGates.GetOrAdd(chapter.Number, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (setups.TryGetValue(chapter.Number, out var setup) && setup.ProjectChanged())
            {
                // A changed project file may add packages or references: build again.
                setups.TryRemove(chapter.Number, out _);
            }
            if (!setups.TryGetValue(chapter.Number, out setup))
            {
                var (created, errors) = await Setup.CreateAsync(Root, chapterProject, graderProject, options.Dependencies, cancellationToken);
                if (created is null)
                {
                    return (null, errors);
                }
                setups[chapter.Number] = setup = created;
            }
            else if (setup.FilesChanged())
            {
                // A file added, removed or renamed: read the chapter's compiler arguments again (no build needed).
                setups[chapter.Number] = setup = await setup.WithNewChapterFilesAsync(Root, cancellationToken);
            }
            return (setup, []);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// A folder of its own for each run's assemblies (.workbook/watch/01-unary/run-K): a
    /// loaded assembly file may stay locked until its run is unloaded. Older runs are removed.
    /// </summary>
    private string NewRunFolder(Chapter chapter)
    {
        var parent = Path.Combine(Root, ".workbook", "watch", chapter.Folder);
        Directory.CreateDirectory(parent);
        foreach (var old in Directory.EnumerateDirectories(parent))
        {
            try
            {
                Directory.Delete(old, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Still loaded by the worker; removed on a later run.
            }
        }
        var folder = Path.Combine(parent, "run-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private async Task<WorkerResponse> RunInWorkerAsync(WorkerRequest request, CancellationToken cancellationToken)
    {
        if (worker is { HasExited: true } || workerRuns >= RunsPerWorker)
        {
            // A fresh worker now and then: unloading old runs is best effort, and memory adds up.
            await worker!.DisposeAsync();
            worker = null;
        }
        if (worker is null)
        {
            worker = WorkerClient.Start(options.WorkerEnvironment);
            workerRuns = 0;
        }
        workerRuns++;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunTimeout);
        try
        {
            return await worker.RunAsync(request, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A newer save, or code that never returns: either way this run's worker is done for.
            worker.Kill();
            await worker.DisposeAsync();
            worker = null;
            if (!cancellationToken.IsCancellationRequested)
            {
                return new WorkerResponse([], $"the graders did not finish within {RunTimeout.TotalMinutes:0} minutes. Does your code wait for something that never happens?");
            }
            throw;
        }
        catch (WorkerCrashedException crash)
        {
            await worker.DisposeAsync();
            worker = null;
            return new WorkerResponse([], crash.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (worker is not null)
        {
            await worker.DisposeAsync();
            worker = null;
        }
    }

    /// <summary>What grading one chapter fast needs: its two compilers and the grader's output folder.</summary>
    private sealed class Setup
    {
        private readonly string chapterFolder;
        private readonly HashSet<string> sourceFiles;
        private readonly string projectText;

        private Setup(ProjectCompiler chapter, ProjectCompiler grader, string graderBin, string projectText)
        {
            Chapter = chapter;
            Grader = grader;
            GraderBin = graderBin;
            chapterFolder = Path.GetDirectoryName(chapter.ProjectPath)!;
            sourceFiles = CurrentSourceFiles(chapterFolder);
            this.projectText = projectText;
        }

        public ProjectCompiler Chapter { get; }

        public ProjectCompiler Grader { get; }

        public string GraderBin { get; }

        /// <summary>The chapter's project file says something else now (its content, not its time: a reset rewrites it unchanged).</summary>
        public bool ProjectChanged() => ReadProject(Chapter.ProjectPath) != projectText;

        public bool FilesChanged() => !CurrentSourceFiles(chapterFolder).SetEquals(sourceFiles);

        public async Task<Setup> WithNewChapterFilesAsync(string root, CancellationToken cancellationToken) =>
            new(await ProjectCompiler.CreateAsync(root, Chapter.ProjectPath, cancellationToken), Grader, GraderBin, projectText);

        private static string ReadProject(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

        public static async Task<(Setup? Setup, List<string> Errors)> CreateAsync(string root, string chapterProject, string graderProject, string? dependencies, CancellationToken cancellationToken)
        {
            // One real build of the grader project puts NUnit, the grading library and the gRPC packages in its output folder.
            var build = dependencies is null
                ? await Processes.RunAsync("dotnet", ["build", graderProject, "--nologo", "-v", "q", "-clp:NoSummary"], root, cancellationToken)
                : new ProcessResult(0, "", "");
            var projectText = ReadProject(chapterProject);
            try
            {
                var chapter = await ProjectCompiler.CreateAsync(root, chapterProject, cancellationToken);
                var grader = await ProjectCompiler.CreateAsync(root, graderProject, cancellationToken);
                if (dependencies is not null)
                {
                    return (new Setup(chapter, grader, dependencies, projectText), []);
                }
                // A failed build is fine if an earlier one left the dependencies: the compiler reports the errors itself.
                var ready = File.Exists(Path.Combine(grader.OutputFolder, "nunit.framework.dll"))
                    && File.Exists(Path.Combine(grader.OutputFolder, "StreamingTutorial.Grading.dll"));
                if (build.ExitCode != 0 && !ready)
                {
                    var errors = BuildErrors.FromMsBuildOutput(build.AllOutput, root).Take(BuildErrors.MaxShown).ToList();
                    return (null, errors.Count > 0 ? errors : [$"dotnet build {BuildErrors.Relative(root, graderProject)} failed: {build.AllOutput.Trim()}"]);
                }
                return (new Setup(chapter, grader, grader.OutputFolder, projectText), []);
            }
            catch (InvalidOperationException ex)
            {
                return (null, [ex.Message]);
            }
        }

        private static HashSet<string> CurrentSourceFiles(string folder) =>
            Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                .Where(f => !IsBuildOutput(Path.GetRelativePath(folder, f)))
                .ToHashSet(StringComparer.Ordinal);

        public static bool IsBuildOutput(string relativePath)
        {
            var first = relativePath.Replace('\\', '/').Split('/')[0];
            return first is "bin" or "obj";
        }
    }
}

/// <summary>Settings for tests and benchmarks; the defaults are what watch uses.</summary>
public sealed record FastGraderOptions
{
    /// <summary>A folder that already holds the graders' dependencies; then the grader project is not built first.</summary>
    public string? Dependencies { get; init; }

    /// <summary>Environment variables for the worker, e.g. WORKBOOK_NOT_STARTED=fail.</summary>
    public IReadOnlyDictionary<string, string> WorkerEnvironment { get; init; } = new Dictionary<string, string>();
}
