using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Storage.Lmdb;

namespace IceFire.Grains.Tenants;

/// <summary>
/// Everything one command sees while it runs: the keyspace, the transaction (a write transaction when
/// the batch writes), its arguments, the reply writer and the batch's clock. <see cref="NowMs"/> is fixed
/// once per batch, so every command of a batch (and, later, every replica applying it) agrees on time.
/// </summary>
internal ref struct CommandContext
{
    public RedisKeyspace Keyspace;
    public LmdbTransaction Txn;
    public LmdbWriteTransaction? Write;
    public CommandBatch Batch;
    public BatchCommand Command;
    public IReplyWriter Reply;
    public long NowMs;
    public TenantScanCursors Cursors;

    /// <summary>
    /// Randomness for commands that draw: seeded from the write batch (its clock and position), so replicas applying
    /// the same batch draw the same; reads use the shared generator.
    /// </summary>
    public Random Random;

    /// <summary>The same generator on every replica for the batch at <paramref name="position"/> with clock <paramref name="nowMs"/>.</summary>
    public static Random SeededRandom(long nowMs, ulong position)
    {
        // A fixed mix (not HashCode, which is seeded per process).
        var x = (ulong)nowMs * 0x9E3779B97F4A7C15UL ^ position * 0xC2B2AE3D27D4EB4FUL;
        x ^= x >> 29;
        return new Random(unchecked((int)x ^ (int)(x >> 32)));
    }

    /// <summary>Watches and keyspace notifications; present on the writer only.</summary>
    public TenantEvents? Events;

    /// <summary>The clients blocked on keys; null in a read batch, which can neither block nor wake anyone.</summary>
    public BlockedClients? Blocking;

    public readonly int Db => Command.Db;

    public readonly int ArgCount => Command.ArgCount;

    public readonly ReadOnlySpan<byte> Arg(int index) => Batch.Arg(Command, index);

    /// <summary>The write transaction; only write commands (which always get one) call this.</summary>
    public readonly LmdbWriteTransaction Writer => Write ?? throw new InvalidOperationException("a write command ran without a write transaction");

    /// <summary>Tells watchers and subscribers that this command did <paramref name="e"/> to <paramref name="key"/> in its database.</summary>
    public readonly void Changed(KeyEvent e, ReadOnlySpan<byte> key) => Events?.Changed(Db, e, key);

    /// <summary>As <see cref="Changed(KeyEvent, ReadOnlySpan{byte})"/>, for a key of database <paramref name="db"/>.</summary>
    public readonly void Changed(int db, KeyEvent e, ReadOnlySpan<byte> key) => Events?.Changed(db, e, key);

    public readonly string Name => CommandTable.Get(Command.Id).Name;
}
