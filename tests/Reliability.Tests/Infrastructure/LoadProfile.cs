namespace StreamingTutorial.Reliability.Tests.Infrastructure;

/// <summary>
/// How hard the load tests push. CI runs a profile sized for a 2-core runner; the full profile
/// (STREAMINGTUTORIAL_FULL_LOAD=1) is the one RELIABILITY.md reports: 100 uploads of 64 MiB,
/// 1,000 chat members for 60 s, 10,000 unary calls from 50 callers.
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

    public static readonly LoadProfile Ci = new("ci", 100, 8L * 1024 * 1024, 1000, TimeSpan.FromSeconds(10), 10_000, 50);

    public static LoadProfile Current => Environment.GetEnvironmentVariable(FullLoadVariable) == "1" ? Full : Ci;

    /// <summary>How long the whole test may take, however slow the machine: a bound against hangs, not a speed target.</summary>
    public TimeSpan Limit => this == Full ? TimeSpan.FromMinutes(20) : TimeSpan.FromMinutes(3);
}
