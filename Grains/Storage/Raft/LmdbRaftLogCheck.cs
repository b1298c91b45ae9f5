using System.Buffers.Binary;
using System.Globalization;
using IceFire.Grains.Hosting;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Raft;
using IceFire.Raft.Storage;

namespace IceFire.Grains.Storage.Raft;

/// <summary>
/// Checks the Raft log that a replica keeps in its environment (<see cref="LmdbRaftStorage"/>), reading only: every
/// record decodes, each group's entries follow one another without a gap, and the snapshot image a record names is
/// there with the length and CRC-32C the record gives.
/// </summary>
public static class LmdbRaftLogCheck
{
    /// <summary>Checks the log database that <paramref name="txn"/> sees, if the environment has one.</summary>
    public static void Run(LmdbTransaction txn, string environmentDirectory, string label, DataCheckReport report)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(report);
        if (!LmdbEnvironment.DatabaseNames(txn).Contains(LmdbRaftStorage.DatabaseName))
        {
            return;
        }
        var before = report.Damage.Count;
        var entries = 0L;
        var groups = new Dictionary<ulong, ulong>();
        using var cursor = txn.OpenCursor(LmdbEnvironment.OpenExistingDatabase(txn, LmdbRaftStorage.DatabaseName));
        for (var more = cursor.First(); more; more = cursor.Next())
        {
            var key = cursor.Key;
            var value = cursor.Value;
            if (key.Length < 9)
            {
                report.Damaged($"{label}: Raft log record with a {key.Length}-byte key");
                continue;
            }
            var group = BinaryPrimitives.ReadUInt64BigEndian(key);
            switch (key[8])
            {
                case 0 when key.Length == 9:
                    if (value.Length != 24)
                    {
                        report.Damaged($"{label}: Raft hard state of group {group} has {value.Length} bytes, not 24");
                    }
                    break;
                case 1 when key.Length == 17:
                    var index = BinaryPrimitives.ReadUInt64BigEndian(key[9..]);
                    if (value.Length < 9)
                    {
                        report.Damaged($"{label}: Raft log entry {index} of group {group} is {value.Length} bytes long");
                    }
                    if (groups.TryGetValue(group, out var last) && index != last + 1)
                    {
                        report.Damaged($"{label}: Raft log of group {group} jumps from entry {last} to {index}");
                    }
                    groups[group] = index;
                    entries++;
                    break;
                case 2 when key.Length == 9:
                    CheckSnapshot(group, value, environmentDirectory, label, report);
                    break;
                default:
                    report.Damaged($"{label}: Raft log record of unknown kind {key[8]}");
                    break;
            }
        }
        if (report.Damage.Count == before)
        {
            report.Ok($"{label}: Raft log, {entries} entries");
        }
    }

    private static void CheckSnapshot(ulong group, ReadOnlySpan<byte> value, string directory, string label, DataCheckReport report)
    {
        try
        {
            var (metadata, image) = SnapshotRecord.Decode(value, $"{label} group {group}");
            if (metadata.Index > 0)
            {
                var file = Path.Combine(directory, "snapshots", group.ToString("x16", CultureInfo.InvariantCulture),
                    $"snap-{metadata.Index:x16}.img");
                SnapshotImages.VerifyFile(file, image);
            }
        }
        catch (RaftCorruptionException e)
        {
            report.Damaged($"{label}: {e.Message}");
        }
    }
}
