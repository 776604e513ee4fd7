// Every test runs processes of its own (the runner, dotnet run) in folders of its own, and most of
// their time is spent starting up and compiling: three at once shorten the whole run. The fixtures
// say [Parallelizable(ParallelScope.All)].
[assembly: LevelOfParallelism(3)]
