using IceFire.Grains.Hosting;

namespace IceFire.Silo;

/// <summary><c>icefire check --data DIR</c>: the offline check of a stopped silo's data directory.</summary>
internal static class CheckCommand
{
    public const string Usage = """
        Usage: icefire check --data DIR

        Checks a data directory offline, writing nothing to it: every tenant's LMDB environment (every record's
        checksum, the shape of each Redis type's encoding, the expiry index, the Raft log and its snapshot images),
        a single silo's tenant catalog not yet adopted, and each tables.sqlite (PRAGMA integrity_check, opened
        read-only). Stop the silo first.

        Exit status: 0 when nothing is damaged, 1 when something is (each damage is printed with its tenant,
        database and key), 2 when the directory cannot be checked.
        """;

    public static int Run(string[] args)
    {
        string? data = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return 0;
                case "--data" when i + 1 < args.Length:
                    data = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"icefire check: unknown or incomplete option '{args[i]}'\n\n{Usage}");
                    return 2;
            }
        }
        if (data is null)
        {
            Console.Error.WriteLine($"icefire check: --data DIR is required\n\n{Usage}");
            return 2;
        }
        if (!Directory.Exists(data))
        {
            Console.Error.WriteLine($"icefire check: {data} does not exist");
            return 2;
        }
        Console.WriteLine($"icefire check: {Path.GetFullPath(data)}");
        DataCheckReport report;
        try
        {
            report = DataDirectoryCheck.Run(data, Console.WriteLine);
        }
        catch (DataDirectoryException e)
        {
            Console.Error.WriteLine($"icefire check: {e.Message}");
            return 2;
        }
        if (report.IsHealthy)
        {
            Console.WriteLine($"icefire check: no damage found ({report.Passed} checks passed)");
            return 0;
        }
        Console.WriteLine($"icefire check: {report.Damage.Count} damaged; the data directory is damaged");
        return 1;
    }
}
