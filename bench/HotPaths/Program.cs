using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// Microbenchmarks of the bundled runtime's hot paths, with allocations per operation.
//   dotnet run -c Release --project bench/HotPaths -- --filter '*'
//   dotnet run -c Release --project bench/HotPaths -- --filter '*' --job short   (a quicker look)
// In process: nothing to generate or build per benchmark, which suits a small machine.
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).AsDefault())
    .AddDiagnoser(MemoryDiagnoser.Default);
BenchmarkSwitcher.FromAssembly(typeof(StreamingTutorial.Bench.HotPaths.Framing).Assembly).Run(args, config);
