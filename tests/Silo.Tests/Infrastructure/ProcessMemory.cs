using System.Globalization;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>Reads a process's resident set size from /proc, as `ps` and the kernel report it.</summary>
internal static class ProcessMemory
{
    /// <summary>VmRSS of <paramref name="pid"/> in bytes.</summary>
    public static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS line");
    }

    /// <summary>
    /// Waits until the process's RSS is at most <paramref name="bound"/> bytes, for at most
    /// <paramref name="deadline"/>; returns the last reading (above the bound when it never got there).
    /// </summary>
    public static async Task<long> WaitForResidentAtMostAsync(int pid, long bound, TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            var rss = ResidentBytes(pid);
            if (rss <= bound || DateTime.UtcNow >= until)
            {
                return rss;
            }
            await Task.Delay(250); // the polling step of this wait
        }
    }

    public static string Mb(long bytes) => (bytes / (1024.0 * 1024)).ToString("F0", CultureInfo.InvariantCulture) + " MB";
}
