namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>
/// How hard the load tests push. CI runs a profile sized for a 2-core runner (100 uploads of
/// 2 MiB, 500 chat members for 5 s); the full profile (STREAMINGTUTORIAL_FULL_LOAD=1) is
/// 100 uploads of 64 MiB, 1,000 chat members for 60 s; both make 10,000 unary calls from 50 callers.
/// </summary>
internal sealed record LoadProfile(
    string Name,
    int Uploads,
    long UploadBytes,
    int ChatMembers,
    TimeSpan ChatTraffic,
    int UnaryCalls,
    int UnaryCallers)
{
    public const string FullLoadVariable = "STREAMINGTUTORIAL_FULL_LOAD";

    public static readonly LoadProfile Full = new("full", 100, 64L * 1024 * 1024, 1000, TimeSpan.FromSeconds(60), 10_000, 50);

    // The same shapes (100 concurrent uploads, a room joined in waves, 50 concurrent callers) at a
    // size that keeps `dotnet test StreamingTutorial.sln` short on a 2-core machine.
    public static readonly LoadProfile Ci = new("ci", 100, 2L * 1024 * 1024, 500, TimeSpan.FromSeconds(5), 10_000, 50);

    public static LoadProfile Current => Environment.GetEnvironmentVariable(FullLoadVariable) == "1" ? Full : Ci;

    /// <summary>How long the whole test may take, however slow the machine: a bound against hangs, not a speed target.</summary>
    public TimeSpan Limit => this == Full ? TimeSpan.FromMinutes(20) : TimeSpan.FromMinutes(3);
}
