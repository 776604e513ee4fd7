// Most proofs wait: a mutant that forgets to complete a stream is caught by a timeout. They
// share no state (each grader uses its own in-memory server and temporary folder), so they
// run side by side.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(4)]
