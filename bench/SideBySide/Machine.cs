using System.Runtime;
using System.Runtime.InteropServices;

namespace StreamingTutorial.Bench;

/// <summary>What the figures were measured on.</summary>
internal sealed record Machine(string Cpu, int Cores, double MemoryGiB, string Os, string DotNet, string Gc)
{
    public string Summary => $"{Cores} cores ({Cpu}), {MemoryGiB:0.#} GiB memory, {Os}, {DotNet}, {Gc}";

    public static Machine Describe()
    {
        var cpu = ReadField("/proc/cpuinfo", "model name", ':') ?? RuntimeInformation.ProcessArchitecture.ToString();
        var os = ReadField("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"') ?? RuntimeInformation.OSDescription;
        if (OperatingSystem.IsLinux())
        {
            os += $", Linux {Environment.OSVersion.Version}";
        }
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        var gc = (GCSettings.IsServerGC ? "server" : "workstation") + (GCSettings.LatencyMode == GCLatencyMode.Batch ? " non-concurrent" : "") + " GC";
        return new Machine(cpu, Environment.ProcessorCount, memory, os, RuntimeInformation.FrameworkDescription, gc);
    }

    /// <summary>The 1-minute load average (Linux), to show how busy the machine was.</summary>
    public static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string? ReadField(string path, string name, char separator)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }
            foreach (var line in File.ReadLines(path))
            {
                var at = line.IndexOf(separator);
                if (at > 0 && line[..at].Trim() == name)
                {
                    return line[(at + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }
        return null;
    }
}
