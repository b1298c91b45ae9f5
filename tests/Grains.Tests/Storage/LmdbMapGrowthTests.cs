using System.Buffers.Binary;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Storage;

public sealed class LmdbMapGrowthTests : IDisposable
{
    private const long OneMiB = 1L << 20;
    private readonly TempDirectory _dir = new("icefire-grow");

    public void Dispose() => _dir.Dispose();

    private static byte[] Value(int i, int length)
    {
        var value = new byte[length];
        value.AsSpan().Fill((byte)i);
        BinaryPrimitives.WriteInt32BigEndian(value, i);
        return value;
    }

    private static byte[] Key(int i)
    {
        var key = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(key, i);
        return key;
    }

    [Fact]
    public void AFullMapGrowsAndTheRetriedWritesAllSurviveReopen()
    {
        const int ValueLength = 16 * 1024;
        const int Count = 300; // about 5 MB into a 1 MiB map
        var mapFulls = 0;
        var options = new LmdbEnvironmentOptions { InitialMapSize = OneMiB, SyncOnCommit = false };
        using (var env = LmdbEnvironment.Open(_dir.Path, options))
        {
            var db = env.OpenDatabase("t");
            var initial = env.MapSize;
            Assert.True(initial >= OneMiB);
            var i = 0;
            while (i < Count)
            {
                // Ten values per transaction: a failed transaction is rerun whole after growing.
                try
                {
                    using var txn = env.BeginWrite();
                    for (var j = i; j < Math.Min(i + 10, Count); j++)
                    {
                        txn.Put(db, Key(j), Value(j, ValueLength));
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
                }
            }
            Assert.True(mapFulls > 0, "a 1 MiB map should fill with 5 MB of values");
            Assert.True(env.MapSize > initial);
            env.Sync();
        }
        using (var env = LmdbEnvironment.Open(_dir.Path, options))
        {
            var db = env.OpenDatabase("t");
            using var read = env.BeginRead();
            Assert.Equal(Count, read.Count(db));
            for (var i = 0; i < Count; i++)
            {
                Assert.True(read.TryGet(db, Key(i), out var value), $"value {i} is missing after reopen");
                Assert.True(value.SequenceEqual(Value(i, ValueLength)), $"value {i} differs after reopen");
            }
        }
    }

    [Fact]
    public void GrowDoublesAndHonoursAtLeast()
    {
        using var env = LmdbEnvironment.Open(_dir.Path, new LmdbEnvironmentOptions { InitialMapSize = OneMiB, SyncOnCommit = false });
        var start = env.MapSize;
        env.Grow();
        Assert.Equal(start * 2, env.MapSize);
        env.Grow(atLeast: 64 * OneMiB);
        Assert.Equal(64 * OneMiB, env.MapSize);
        Assert.Equal(64 * OneMiB, env.MapRange.Length);
    }

    [Fact]
    public void ReadersOpenAfterGrowingSeeEarlierData()
    {
        using var env = LmdbEnvironment.Open(_dir.Path, new LmdbEnvironmentOptions { InitialMapSize = OneMiB, SyncOnCommit = false });
        var db = env.OpenDatabase("t");
        using (var txn = env.BeginWrite())
        {
            txn.Put(db, Key(1), Value(1, 100));
            txn.Commit();
        }
        // A pooled (reset) read transaction from before the remap is renewed after it.
        using (var read = env.BeginRead())
        {
            Assert.True(read.TryGet(db, Key(1), out _));
        }
        env.Grow();
        using (var read = env.BeginRead())
        {
            Assert.True(read.TryGet(db, Key(1), out var value));
            Assert.True(value.SequenceEqual(Value(1, 100)));
        }
    }

    [Fact]
    public void AReopenedEnvironmentWithASmallerConfiguredMapKeepsItsData()
    {
        var small = new LmdbEnvironmentOptions { InitialMapSize = OneMiB, SyncOnCommit = false };
        using (var env = LmdbEnvironment.Open(_dir.Path, small with { InitialMapSize = 8 * OneMiB }))
        {
            var db = env.OpenDatabase("t");
            using var txn = env.BeginWrite();
            for (var i = 0; i < 200; i++)
            {
                txn.Put(db, Key(i), Value(i, 16 * 1024));
            }
            txn.Commit();
            env.Sync();
        }
        using (var env = LmdbEnvironment.Open(_dir.Path, small))
        {
            Assert.True(env.MapSize >= env.UsedBytes, "the map must cover the data already in the file");
            var db = env.OpenDatabase("t");
            using var read = env.BeginRead();
            Assert.Equal(200, read.Count(db));
        }
    }
}
