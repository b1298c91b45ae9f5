using System.Text;
using IceFire.Grains.Storage.Lmdb;

namespace IceFire.Grains.Storage.Keyspace;

/// <summary>
/// The keyspace's format stamp (<c>meta</c>/<c>format</c>) and the upgrade from format 1. Format 1 records have no
/// checksum; format 2 ends every record of <c>keys{n}</c> and <c>members</c> with a <see cref="RecordChecksum"/>.
/// The stamp is per environment, never per record, so no damaged byte can make a record skip its check. A build
/// refuses a stamp it does not know, so an older build never reads a checksum as part of a value.
/// </summary>
public sealed partial class RedisKeyspace
{
    /// <summary>The format this build writes.</summary>
    public const int CurrentFormat = 2;

    private const string FormatKey = "format";
    private const string FormatPrefix = "icefire-keyspace-";
    private const string FormatValue = "icefire-keyspace-2";

    /// <summary>
    /// The format stamped in <paramref name="meta"/>: 1 or 2, or 0 when there is none. Any other stamp throws
    /// <see cref="StorageCorruptionException"/> naming <paramref name="where"/>.
    /// </summary>
    public static int ReadFormat(LmdbTransaction txn, LmdbDatabase meta, string where)
    {
        ArgumentNullException.ThrowIfNull(txn);
        if (!txn.TryGet(meta, Encoding.ASCII.GetBytes(FormatKey), out var raw))
        {
            return 0;
        }
        var text = Encoding.ASCII.GetString(raw);
        return text switch
        {
            FormatPrefix + "1" => 1,
            FormatValue => CurrentFormat,
            _ => throw new StorageCorruptionException($"{where} holds keyspace format '{text}', this build reads '{FormatPrefix}1' and '{FormatValue}'"),
        };
    }

    /// <summary>
    /// Upgrades a format 1 keyspace, in <paramref name="txn"/>, to the current format: appends each record's checksum
    /// and stamps the format. Does nothing to a current one. Used at open and when a snapshot image of an older
    /// replica is restored.
    /// </summary>
    public static void UpgradeInPlace(LmdbWriteTransaction txn, string where)
    {
        ArgumentNullException.ThrowIfNull(txn);
        var meta = txn.OpenDatabase("meta", create: true);
        var format = ReadFormat(txn, meta, where);
        if (format == CurrentFormat)
        {
            return;
        }
        if (format == 1)
        {
            UpgradeDatabase(txn, txn.OpenDatabase("members", create: true));
            for (var db = 0; db < DatabaseCount; db++)
            {
                UpgradeDatabase(txn, txn.OpenDatabase($"keys{db}", create: true));
            }
        }
        txn.Put(meta, Encoding.ASCII.GetBytes(FormatKey), Encoding.ASCII.GetBytes(FormatValue));
    }

    /// <summary>Appends the checksum to every record of <paramref name="database"/>, a bounded batch per cursor walk.</summary>
    private static void UpgradeDatabase(LmdbWriteTransaction txn, LmdbDatabase database)
    {
        const int Batch = 1024;
        var records = new List<(byte[] Key, byte[] Value)>(Batch);
        byte[]? after = null;
        while (true)
        {
            records.Clear();
            using (var cursor = txn.OpenCursor(database))
            {
                var more = after is null ? cursor.First() : cursor.SeekAtOrAfter(after);
                if (more && after is not null && cursor.Key.SequenceEqual(after))
                {
                    more = cursor.Next();
                }
                for (; more && records.Count < Batch; more = cursor.Next())
                {
                    var value = new byte[cursor.Value.Length + RecordChecksum.Length];
                    cursor.Value.CopyTo(value);
                    records.Add((cursor.Key.ToArray(), value));
                }
            }
            foreach (var (key, value) in records)
            {
                RecordChecksum.Seal(key, value);
                txn.Put(database, key, value);
            }
            if (records.Count < Batch)
            {
                return;
            }
            after = records[^1].Key;
        }
    }
}
