using System.Buffers.Binary;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Storage;

/// <summary>
/// An environment opened with <see cref="LmdbEnvironmentOptions.WriteMap"/>: what it writes survives reopening
/// (with or without the option), the map grows with the file reserved behind it, and a transaction that never
/// commits, although it writes into the file's pages directly, leaves the file at the last commit.
/// </summary>
public sealed class LmdbWriteMapTests : IDisposable
{
    private const long OneMiB = 1L << 20;
    private static readonly LmdbEnvironmentOptions WriteMap = new() { WriteMap = true, InitialMapSize = 4 * OneMiB };
    private readonly TempDirectory _dir = new("icefire-writemap");

    public void Dispose() => _dir.Dispose();

    private static byte[] Key(int i)
    {
        var key = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(key, i);
        return key;
    }

    private static byte[] Value(int i, int round, int length = 100)
    {
        var value = new byte[length];
        value.AsSpan().Fill((byte)(i + round));
        BinaryPrimitives.WriteInt32BigEndian(value, i);
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(4), round);
        return value;
    }

    private static void WriteRound(LmdbEnvironment env, LmdbDatabase db, int count, int round)
    {
        using var txn = env.BeginWrite();
        for (var i = 0; i < count; i++)
        {
            txn.Put(db, Key(i), Value(i, round));
        }
        txn.Commit();
    }

    private static void AssertRound(LmdbEnvironment env, LmdbDatabase db, int count, int round)
    {
        using var read = env.BeginRead();
        Assert.Equal(count, read.Count(db));
        for (var i = 0; i < count; i++)
        {
            Assert.True(read.TryGet(db, Key(i), out var value), $"key {i} is missing");
            Assert.True(value.SequenceEqual(Value(i, round)), $"key {i} does not hold round {round}");
        }
    }

    [Fact]
    public void CommitsSurviveReopeningWithAndWithoutTheWriteMap()
    {
        using (var env = LmdbEnvironment.Open(_dir.Path, WriteMap))
        {
            WriteRound(env, env.OpenDatabase("t"), 2000, round: 1);
            env.Sync();
        }
        using (var env = LmdbEnvironment.Open(_dir.Path, WriteMap with { WriteMap = false }))
        {
            var db = env.OpenDatabase("t");
            AssertRound(env, db, 2000, round: 1);
            WriteRound(env, db, 2000, round: 2);
            env.Sync();
        }
        using (var env = LmdbEnvironment.Open(_dir.Path, WriteMap))
        {
            AssertRound(env, env.OpenDatabase("t"), 2000, round: 2);
        }
    }

    [Fact]
    public void SyncedCommitsWithDeferredMetaSyncSurviveReopen()
    {
        // The always-durability configuration: each commit msyncs its pages, the meta page rides on the next sync.
        var always = WriteMap with { SyncOnCommit = true, DeferMetaSync = true };
        using (var env = LmdbEnvironment.Open(_dir.Path, always))
        {
            var db = env.OpenDatabase("t");
            for (var round = 1; round <= 5; round++)
            {
                WriteRound(env, db, 500, round);
            }
            env.Sync();
        }
        using (var env = LmdbEnvironment.Open(_dir.Path, always))
        {
            AssertRound(env, env.OpenDatabase("t"), 500, round: 5);
        }
    }

    [Fact]
    public void TheDataFileSpansTheMapAndGrowsWithIt()
    {
        const int Count = 300; // 16 KiB values: about 5 MB, more than the 1 MiB map holds
        var options = WriteMap with { InitialMapSize = OneMiB };
        var dataFile = Path.Combine(_dir.Path, "data.mdb");
        var mapFulls = 0;
        using (var env = LmdbEnvironment.Open(_dir.Path, options))
        {
            var db = env.OpenDatabase("t");
            Assert.Equal(env.MapSize, new FileInfo(dataFile).Length);
            var i = 0;
            while (i < Count)
            {
                try
                {
                    using var txn = env.BeginWrite();
                    for (var j = i; j < Math.Min(i + 10, Count); j++)
                    {
                        txn.Put(db, Key(j), Value(j, 0, 16 * 1024));
                    }
                    txn.Commit();
                    i = Math.Min(i + 10, Count);
                }
                catch (LmdbMapFullException)
                {
                    mapFulls++;
                    var before = env.MapSize;
                    env.Grow();
                    Assert.True(env.MapSize > before, "Grow must enlarge the map");
                    Assert.Equal(env.MapSize, new FileInfo(dataFile).Length);
                }
            }
            Assert.True(mapFulls > 0, "a 1 MiB map should fill with 5 MB of values");
            env.Sync();
        }
        using (var env = LmdbEnvironment.Open(_dir.Path, options))
        {
            Assert.True(env.MapSize >= env.UsedBytes, "the map must cover the data already in the file");
            var db = env.OpenDatabase("t");
            using var read = env.BeginRead();
            Assert.Equal(Count, read.Count(db));
            for (var i = 0; i < Count; i++)
            {
                Assert.True(read.TryGet(db, Key(i), out var value), $"value {i} is missing after reopen");
                Assert.True(value.SequenceEqual(Value(i, 0, 16 * 1024)), $"value {i} differs after reopen");
            }
        }
    }

    [Fact]
    public void AFileLeftMidTransactionOpensAtTheLastCommit()
    {
        // A process killed mid-transaction leaves the file as the page cache holds it; copying the file while
        // the transaction is open reads exactly that. With a write map the open transaction has already
        // written its pages into the file, on pages no committed snapshot uses.
        const int Count = 2000;
        var dataFile = Path.Combine(_dir.Path, "data.mdb");
        var crashed = _dir.Sub("crashed");
        using var env = LmdbEnvironment.Open(_dir.Path, WriteMap);
        var db = env.OpenDatabase("t");
        for (var round = 1; round <= 4; round++)
        {
            // Several rounds free pages, so the open transaction below reuses pages inside the file.
            WriteRound(env, db, Count, round);
        }
        var committed = File.ReadAllBytes(dataFile);
        using (var txn = env.BeginWrite())
        {
            for (var i = 0; i < Count; i++)
            {
                txn.Put(db, Key(i), Value(i, round: 99));
            }
            for (var i = Count; i < 2 * Count; i++)
            {
                txn.Put(db, Key(i), Value(i, round: 99));
            }
            Directory.CreateDirectory(crashed);
            File.Copy(dataFile, Path.Combine(crashed, "data.mdb"));
            Assert.False(committed.AsSpan().SequenceEqual(File.ReadAllBytes(dataFile)),
                "the open transaction should have written into the file through the map");
        }
        using (var reopened = LmdbEnvironment.Open(crashed, WriteMap))
        {
            AssertRound(reopened, reopened.OpenDatabase("t"), Count, round: 4);
        }
        AssertRound(env, db, Count, round: 4);
    }

    [Fact]
    public void ASyncFromAnotherThreadWaitsOutAGrowingMap()
    {
        // The periodic syncer flushes beside the writer; the writer may remap the file meanwhile.
        const int Count = 300;
        using var env = LmdbEnvironment.Open(_dir.Path, WriteMap with { InitialMapSize = OneMiB });
        var db = env.OpenDatabase("t");
        var stop = false;
        var syncs = 0;
        Exception? failure = null;
        var syncer = new Thread(() =>
        {
            try
            {
                while (!Volatile.Read(ref stop))
                {
                    env.Sync();
                    syncs++;
                }
            }
            catch (Exception error)
            {
                failure = error;
            }
        });
        syncer.Start();
        var grows = 0;
        var i = 0;
        while (i < Count)
        {
            try
            {
                using var txn = env.BeginWrite();
                for (var j = i; j < Math.Min(i + 10, Count); j++)
                {
                    txn.Put(db, Key(j), Value(j, 0, 16 * 1024));
                }
                txn.Commit();
                i = Math.Min(i + 10, Count);
            }
            catch (LmdbMapFullException)
            {
                env.Grow();
                grows++;
            }
        }
        Volatile.Write(ref stop, true);
        Assert.True(syncer.Join(TimeSpan.FromSeconds(30)), "the syncer did not stop");
        Assert.Null(failure);
        Assert.True(grows > 0 && syncs > 0, $"expected grows and syncs to interleave, saw {grows} grows and {syncs} syncs");
        using var read = env.BeginRead();
        Assert.Equal(Count, read.Count(db));
    }

    [Fact]
    public void AnAbortedTransactionLeavesReadersAndLaterWritesWhole()
    {
        using var env = LmdbEnvironment.Open(_dir.Path, WriteMap);
        var db = env.OpenDatabase("t");
        WriteRound(env, db, 1000, round: 1);
        WriteRound(env, db, 1000, round: 2);
        using (var reader = env.BeginRead())
        {
            using (var txn = env.BeginWrite())
            {
                for (var i = 0; i < 1000; i++)
                {
                    txn.Put(db, Key(i), Value(i, round: 3));
                }
            }
            Assert.True(reader.TryGet(db, Key(500), out var seen));
            Assert.True(seen.SequenceEqual(Value(500, round: 2)));
        }
        AssertRound(env, db, 1000, round: 2);
        WriteRound(env, db, 1000, round: 4);
        AssertRound(env, db, 1000, round: 4);
    }
}
