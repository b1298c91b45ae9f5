using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Sql;
using IceFire.Raft;
using IceFire.Raft.Hosting;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>
/// The tenant's SQL database on this replica: <c>tables.sqlite</c> beside the LMDB environment. Sessions run on the
/// leader and capture their write transactions; each committed transaction is one entry of the tenant's log
/// (<see cref="TenantEntryKind.Sql"/>), applied here by <see cref="SqlReplicaFile"/> in log order like every other
/// entry, so every replica's tables go through the same changes (REPLICATION.md, SQL replication).
/// </summary>
public sealed partial class ReplicatedTenant
{
    private readonly string _directory;
    private readonly object _sqlLock = new();
    private SqlReplicaFile? _sqlFile;
    private LocalSqlTenant? _sqlTenant;

    /// <summary>The term in which this leader last saw its SQL file hold everything committed before its term.</summary>
    private ulong _sqlCaughtUpTerm;

    /// <summary>The path of this replica's SQLite database.</summary>
    public string SqlPath => Path.Combine(_directory, LocalSqlTenant.FileName);

    /// <summary>The tenant's SQL database as served by this replica: statements run here only while it leads.</summary>
    public ISqlTenant Sql
    {
        get
        {
            lock (_sqlLock)
            {
                return _sqlTenant ??= new LocalSqlTenant(Name, SqlPath, new Replication(this));
            }
        }
    }

    private SqlReplicaFile SqlFile
    {
        get
        {
            lock (_sqlLock)
            {
                return _sqlFile ??= SqlReplicaFile.Open(SqlPath);
            }
        }
    }

    /// <summary>Applies a SQL entry (on the group's apply path, in log order); a unit at or below the file's own applied index is skipped.</summary>
    private void ApplySql(ulong index, byte[] data) => SqlFile.Apply((long)index, TenantEntryCodec.DecodeSql(data));

    /// <summary>The last bytes of a snapshot image that carries the SQL database: its length (8) then this marker (8).</summary>
    private static ReadOnlySpan<byte> SqlImageMarker => "IFSQL01\n"u8;

    /// <summary>
    /// Appends a copy of the SQL database (VACUUM INTO, consistent as of the snapshot's index, since entries apply on
    /// the turn that takes the snapshot) to the keyspace image, then its length and <see cref="SqlImageMarker"/>.
    /// LMDB reads only the pages its meta page names, so the image still opens as an environment.
    /// </summary>
    private void AppendSqlImage(string imagePath)
    {
        if (_sqlFile is null && !File.Exists(SqlPath))
        {
            return;
        }
        var copy = imagePath + ".sql";
        File.Delete(copy);
        SqlFile.CopyTo(copy);
        try
        {
            using var image = new FileStream(imagePath, FileMode.Append, FileAccess.Write, FileShare.None);
            long length;
            using (var sql = new FileStream(copy, FileMode.Open, FileAccess.Read, FileShare.None))
            {
                length = sql.Length;
                sql.CopyTo(image);
            }
            Span<byte> trailer = stackalloc byte[16];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(trailer, length);
            SqlImageMarker.CopyTo(trailer[8..]);
            image.Write(trailer);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    /// <summary>
    /// Replaces this replica's SQL database with the one carried by a snapshot image (or removes it, when the image
    /// carries none): written beside it, synced, then renamed over it. Sessions of the old file are closed first.
    /// </summary>
    private void RestoreSqlImage(string imagePath)
    {
        using var image = new FileStream(imagePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = -1;
        if (image.Length >= 16)
        {
            Span<byte> trailer = stackalloc byte[16];
            image.Seek(-16, SeekOrigin.End);
            image.ReadExactly(trailer);
            if (trailer[8..].SequenceEqual(SqlImageMarker))
            {
                length = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(trailer);
                if (length < 0 || length > image.Length - 16)
                {
                    throw new RaftCorruptionException($"tenant {Name}: snapshot image {imagePath} names a SQL database of {length} bytes, which it cannot hold");
                }
            }
        }
        lock (_sqlLock)
        {
            _sqlTenant?.Close();
            _sqlTenant = null;
            _sqlFile?.Dispose();
            _sqlFile = null;
            foreach (var suffix in (string[])["-wal", "-shm"])
            {
                File.Delete(SqlPath + suffix);
            }
            if (length < 0)
            {
                File.Delete(SqlPath);
                Hosting.Catalog.DurableFile.FsyncDirectory(_directory);
                return;
            }
            var fresh = SqlPath + ".restore";
            using (var target = new FileStream(fresh, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                image.Seek(image.Length - 16 - length, SeekOrigin.Begin);
                var buffer = new byte[1 << 20];
                for (var left = length; left > 0;)
                {
                    var n = image.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                    if (n == 0)
                    {
                        throw new RaftCorruptionException($"tenant {Name}: snapshot image {imagePath} ends inside its SQL database");
                    }
                    target.Write(buffer, 0, n);
                    left -= n;
                }
                target.Flush(flushToDisk: true);
            }
            File.Move(fresh, SqlPath, overwrite: true);
            // The keyspace's restore comes next, and with it the log's compaction: the new tables must outlive a crash.
            Hosting.Catalog.DurableFile.FsyncDirectory(_directory);
        }
    }

    private void CloseSql()
    {
        lock (_sqlLock)
        {
            _sqlTenant?.Close();
            _sqlFile?.Dispose();
            _sqlFile = null;
        }
    }

    private sealed class Replication(ReplicatedTenant tenant) : ISqlReplication
    {
        public ulong LeaderTerm => tenant.IsLeader ? Volatile.Read(ref tenant._leaderTerm) : 0;

        public async ValueTask BeforeWriteAsync(CancellationToken cancellationToken)
        {
            var group = tenant.Group;
            var term = Volatile.Read(ref tenant._leaderTerm);
            if (!tenant.IsLeader)
            {
                throw NotLeader(group);
            }
            if (Volatile.Read(ref tenant._sqlCaughtUpTerm) == term)
            {
                // Every SQL entry since is this leader's own, each applied before the write lock was released.
                return;
            }
            await BarrierAsync(group);
            Volatile.Write(ref tenant._sqlCaughtUpTerm, term);
        }

        public async ValueTask BeforeReadAsync(CancellationToken cancellationToken)
        {
            var group = tenant.Group;
            if (!tenant.IsLeader)
            {
                throw NotLeader(group);
            }
            await BarrierAsync(group);
        }

        public async Task CommitAsync(SqlWriteUnit unit, CancellationToken cancellationToken)
        {
            var group = tenant.Group;
            if (!tenant.IsLeader)
            {
                throw NotLeader(group);
            }
            var entry = TenantEntryCodec.EncodeSql(new TenantEntryHeader(tenant.NowMs, tenant._nodeId, Interlocked.Increment(ref tenant._sequence)), unit);
            try
            {
                // Completes after this replica applied the entry.
                await group.ProposeAsync(entry).ConfigureAwait(false);
            }
            catch (RaftProposalException e)
            {
                // Refused, or replaced by another leader's entry: it never commits.
                throw new SqlReplicationException(new SqlError(SqlStates.SerializationFailure,
                    $"the transaction was not committed: tenant {tenant.Name}'s leader moved ({e.Status}); run it again"));
            }
            catch (Exception e) when (e is RaftOutcomeUnknownException or ObjectDisposedException)
            {
                throw new SqlReplicationException(new SqlError(SqlStates.TransactionResolutionUnknown,
                    $"tenant {tenant.Name} lost its leader before the commit was confirmed; the transaction may or may not have committed"));
            }
        }

        private async Task BarrierAsync(RaftGroup group)
        {
            try
            {
                await group.ReadBarrierAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is RaftProposalException or RaftOutcomeUnknownException or ObjectDisposedException)
            {
                throw NotLeader(group);
            }
        }

        private SqlReplicationException NotLeader(RaftGroup group) => new(new SqlError(SqlStates.SerializationFailure,
            $"node {tenant._nodeId} does not lead tenant {tenant.Name} (leader {group.Leader}); run it again"));
    }
}
