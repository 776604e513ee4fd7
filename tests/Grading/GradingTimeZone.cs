using System.Reflection;
using System.Runtime.CompilerServices;

namespace StreamingTutorial.Grading;

/// <summary>
/// Learner code is graded in a time zone that is not UTC: Adelaide, 9:30 ahead of UTC and 10:30
/// in its summer (daylight saving, October to April). On a machine in UTC (CI, GitHub
/// Classroom's runners) code that mixes local time and UTC gives the right answer by luck;
/// here it is off by hours and a non-whole number of them, so the graders see it.
/// </summary>
public static class GradingTimeZone
{
    public const string Id = "Australia/Adelaide";

    /// <summary>Set to "keep" (dotnet test -e WORKBOOK_TIME_ZONE=keep) to grade in the machine's own zone.</summary>
    public const string Variable = "WORKBOOK_TIME_ZONE";

    /// <summary>The zone the graders run in (the machine's own if it could not be set).</summary>
    public static TimeZoneInfo Zone => TimeZoneInfo.Local;

    /// <summary>True when the process's local zone is the grading zone.</summary>
    public static bool Applied => Zone.Id == Id || Zone.Id == "Cen. Australia Standard Time";

    // Runs when the grading library is first touched, before any grader calls learner code.
    // Test frameworks may have read the local zone already, so the cached zone is replaced, not just TZ.
#pragma warning disable CA2255 // a module initializer is the point: every grader, every test runner
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        if (string.Equals(Environment.GetEnvironmentVariable(Variable), "keep", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(Id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return; // no time zone data on this machine: grade in its own zone
        }
        // Linux and macOS read TZ when the local zone is next needed; child processes inherit it.
        Environment.SetEnvironmentVariable("TZ", Id);
        TimeZoneInfo.ClearCachedData();
        if (TimeZoneInfo.Local.Id != zone.Id)
        {
            // Windows ignores TZ: put the zone into TimeZoneInfo's cache of the local zone.
            var cache = typeof(TimeZoneInfo).GetField("s_cachedData", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null);
            cache?.GetType().GetField("_localTimeZone", BindingFlags.NonPublic | BindingFlags.Instance)?.SetValue(cache, zone);
        }
    }
}
