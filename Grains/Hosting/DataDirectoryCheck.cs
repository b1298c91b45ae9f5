using IceFire.Grains.Hosting.Catalog;
using IceFire.Grains.Sql;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Storage.Raft;

namespace IceFire.Grains.Hosting;

/// <summary>
/// <c>icefire check --data DIR</c>: checks a stopped silo's data directory and writes nothing to it. Each tenant's LMDB
/// environment is opened read-only without its lock file (<see cref="LmdbEnvironment.OpenReadOnly(string)"/>); its keyspace
/// (<see cref="KeyspaceCheck"/>) and its Raft log (<see cref="LmdbRaftLogCheck"/>) are checked; each tables.sqlite is
/// opened read-only for <c>PRAGMA integrity_check</c>; a single silo's tenant catalog not yet adopted is read and
/// compared with the tenants found.
/// </summary>
public static class DataDirectoryCheck
{
    /// <summary>Checks <paramref name="path"/>, writing a line per finding to <paramref name="write"/>.</summary>
    /// <exception cref="DataDirectoryException">The directory cannot be checked: not IceFire's, or a silo has it open.</exception>
    public static DataCheckReport Run(string path, Action<string>? write = null)
    {
        path = Path.GetFullPath(path);
        var report = new DataCheckReport(write);
        if (!File.Exists(Path.Combine(path, "icefire.json")))
        {
            throw new DataDirectoryException($"{path} is not an IceFire data directory (it has no icefire.json)");
        }
        using var held = HoldLock(path);
        var tenantsRoot = Path.Combine(path, "tenants");
        var cluster = Directory.Exists(Path.Combine(path, "cluster"));
        // A single silo's catalog is there only until the first start of a build that runs it as a cluster of one.
        var listed = CheckCatalog(path, report);
        var directories = Directory.Exists(tenantsRoot) ? Directory.GetDirectories(tenantsRoot) : [];
        Array.Sort(directories, StringComparer.Ordinal);
        foreach (var directory in directories)
        {
            var name = Path.GetFileName(directory);
            if (listed is not null && !listed.Contains(name))
            {
                report.Note($"tenants/{name}: not in the tenant catalog (an interrupted create or drop)");
                continue;
            }
            CheckTenant(directory, $"tenant '{TenantOf(name)}'", report);
        }
        if (listed is not null)
        {
            foreach (var name in listed)
            {
                if (!Directory.Exists(Path.Combine(tenantsRoot, name)) && !(name == Interfaces.ITenantDirectory.DefaultTenant && directories.Length == 0))
                {
                    report.Damaged($"tenant '{name}': listed in the catalog, but tenants/{name} is missing");
                }
            }
        }
        if (cluster)
        {
            report.Note("cluster/: the system group's log is checked by its own CRCs when the silo starts, not here");
        }
        return report;
    }

    /// <summary>
    /// Takes the data directory's lock the way a silo does, so a running silo is never checked under its feet; opens
    /// the existing lock file read-only, so nothing is written. No lock file: nobody ever served from here.
    /// </summary>
    private static FileStream? HoldLock(string path)
    {
        var file = Path.Combine(path, "LOCK");
        if (!File.Exists(file))
        {
            return null;
        }
        try
        {
            return new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.None);
        }
        catch (IOException e)
        {
            throw new DataDirectoryException($"{path} is in use by a running IceFire process; stop it before checking ({e.Message})", e);
        }
    }

    /// <summary>The tenant a directory under <c>tenants/</c> belongs to: <c>NAME</c> of a replica's <c>NAME.gGROUP</c>.</summary>
    private static string TenantOf(string directoryName)
    {
        var suffix = directoryName.LastIndexOf(".g", StringComparison.Ordinal);
        return suffix > 0 && ulong.TryParse(directoryName.AsSpan(suffix + 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)
            ? directoryName[..suffix]
            : directoryName;
    }

    private static HashSet<string>? CheckCatalog(string path, DataCheckReport report)
    {
        var file = Path.Combine(path, SingleSiloCatalog.FileName);
        if (!File.Exists(file))
        {
            return null;
        }
        try
        {
            var records = SingleSiloCatalog.Read(file);
            report.Ok($"tenant catalog: {records.Count} tenants (a single silo's, adopted at the next start)");
            return records.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        }
        catch (DataDirectoryException e)
        {
            report.Damaged($"tenant catalog: {e.Message}");
            return null;
        }
    }

    private static void CheckTenant(string directory, string label, DataCheckReport report)
    {
        var dataFile = Path.Combine(directory, "data.mdb");
        if (!File.Exists(dataFile))
        {
            report.Damaged($"{label}: {dataFile} is missing");
        }
        else
        {
            CheckEnvironment(directory, label, report);
        }
        var tables = Path.Combine(directory, LocalSqlTenant.FileName);
        if (File.Exists(tables))
        {
            var problems = SqliteFileCheck.Check(tables, full: true, offline: true);
            if (problems.Count == 0)
            {
                report.Ok($"{label}: {LocalSqlTenant.FileName} (integrity_check)");
            }
            foreach (var problem in problems)
            {
                report.Damaged($"{label}: {tables}: {problem}");
            }
        }
    }

    private static void CheckEnvironment(string directory, string label, DataCheckReport report)
    {
        LmdbEnvironment env;
        try
        {
            env = LmdbEnvironment.OpenReadOnly(directory);
        }
        catch (LmdbException e)
        {
            report.Damaged($"{label}: {Path.Combine(directory, "data.mdb")} cannot be opened: {e.Message}");
            return;
        }
        using (env)
        {
            try
            {
                using var txn = env.BeginRead();
                KeyspaceCheck.Run(txn, label, report);
                LmdbRaftLogCheck.Run(txn, directory, label, report);
            }
            catch (LmdbException e)
            {
                // LMDB's own page checks (MDB_CORRUPTED, MDB_PAGE_NOTFOUND) stop a walk over a damaged B-tree.
                report.Damaged($"{label}: {Path.Combine(directory, "data.mdb")}: {e.Message}");
            }
        }
    }
}
