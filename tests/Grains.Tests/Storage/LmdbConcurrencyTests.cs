using System.Buffers.Binary;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Storage;

public sealed class LmdbConcurrencyTests : IDisposable
{
    private readonly TempDirectory _dir = new("icefire-concurrency");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReadersOnSeveralThreadsSeeConsistentSnapshotsWhileTheWriterCommits()
    {
        const int Commits = 400;
        const int Readers = 4;
        using var env = LmdbEnvironment.Open(_dir.Path, new LmdbEnvironmentOptions { SyncOnCommit = false, InitialMapSize = 1L << 20 });
        var db = env.OpenDatabase("t");
        var done = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var reads = new long[Readers];

        var readers = new Thread[Readers];
        for (var r = 0; r < Readers; r++)
        {
            var id = r;
            readers[r] = new Thread(() =>
            {
                var last = -1L;
                try
                {
                while (Volatile.Read(ref done) == 0 || reads[id] == 0)
                {
                    using var read = env.BeginRead();
                    // Every commit writes a, b and the counter of c together; a snapshot sees all or none.
                    var a = read.TryGet(db, "a"u8, out var av) ? BinaryPrimitives.ReadInt64BigEndian(av) : 0;
                    var b = read.TryGet(db, "b"u8, out var bv) ? BinaryPrimitives.ReadInt64BigEndian(bv) : 0;
                    var count = read.Count(db);
                    if (a != b)
                    {
                        failures.Enqueue($"reader {id} saw a={a} b={b}");
                    }
                    if (a < last)
                    {
                        failures.Enqueue($"reader {id} went back in time from {last} to {a}");
                    }
                    if (a > 0 && count != 2 + a)
                    {
                        failures.Enqueue($"reader {id} saw a={a} with {count} entries");
                    }
                    last = a;
                    reads[id]++;
                }
                }
                catch (Exception error)
                {
                    failures.Enqueue($"reader {id} threw {error}");
                }
            }) { IsBackground = true };
            readers[r].Start();
        }

        try
        {
            WriteCommits(env, db, Commits);
        }
        finally
        {
            Volatile.Write(ref done, 1);
            foreach (var thread in readers)
            {
                Assert.True(thread.Join(TimeSpan.FromSeconds(20)), "a reader did not finish");
            }
        }
        Assert.Empty(failures);
        using var final = env.BeginRead();
        Assert.True(final.TryGet(db, "a"u8, out var end));
        Assert.Equal(Commits, BinaryPrimitives.ReadInt64BigEndian(end));
    }

    private static void WriteCommits(LmdbEnvironment env, LmdbDatabase db, int commits)
    {
        var number = new byte[8];
        for (var i = 1L; i <= commits; i++)
        {
            try
            {
                using var txn = env.BeginWrite();
                BinaryPrimitives.WriteInt64BigEndian(number, i);
                txn.Put(db, "a"u8, number);
                txn.Put(db, number, "x"u8);
                txn.Put(db, "b"u8, number);
                txn.Commit();
            }
            catch (LmdbMapFullException)
            {
                env.Grow();
                i--;
            }
        }
    }

    [Fact]
    public void GrowWaitsForLiveReadersAndReadersContinueAfterwards()
    {
        using var env = LmdbEnvironment.Open(_dir.Path, new LmdbEnvironmentOptions { SyncOnCommit = false, InitialMapSize = 1L << 20 });
        var db = env.OpenDatabase("t");
        using (var txn = env.BeginWrite())
        {
            txn.Put(db, "k"u8, "v"u8);
            txn.Commit();
        }
        var read = env.BeginRead();
        var grow = new Thread(() => env.Grow()) { IsBackground = true };
        grow.Start();
        Assert.False(grow.Join(TimeSpan.FromMilliseconds(100)), "Grow must not remap under a live reader");
        Assert.True(read.TryGet(db, "k"u8, out var value));
        Assert.Equal("v"u8.ToArray(), value.ToArray());
        read.Dispose();
        Assert.True(grow.Join(TimeSpan.FromSeconds(10)), "Grow should finish once the reader has ended");
        using var after = env.BeginRead();
        Assert.True(after.TryGet(db, "k"u8, out _));
    }

    [Fact]
    public void ReadersKeepReadingWhileTheMapGrowsUnderThem()
    {
        using var env = LmdbEnvironment.Open(_dir.Path, new LmdbEnvironmentOptions { SyncOnCommit = false, InitialMapSize = 1L << 20 });
        var db = env.OpenDatabase("t");
        var value = new byte[3000];
        value.AsSpan().Fill(0x42);
        using (var txn = env.BeginWrite())
        {
            txn.Put(db, "k"u8, value);
            txn.Commit();
        }
        var stop = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var reads = 0L;
        var readers = Enumerable.Range(0, 3).Select(id => new Thread(() =>
        {
            try
            {
                while (Volatile.Read(ref stop) == 0)
                {
                    using var read = env.BeginRead();
                    if (!read.TryGet(db, "k"u8, out var seen) || !seen.SequenceEqual(value))
                    {
                        failures.Enqueue($"reader {id} saw a wrong value");
                    }
                    Interlocked.Increment(ref reads);
                }
            }
            catch (Exception error)
            {
                failures.Enqueue($"reader {id} threw {error}");
            }
        }) { IsBackground = true }).ToList();
        readers.ForEach(r => r.Start());
        try
        {
            for (var i = 0; i < 10; i++)
            {
                env.Grow();
            }
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            foreach (var reader in readers)
            {
                Assert.True(reader.Join(TimeSpan.FromSeconds(20)), "a reader did not finish");
            }
        }
        Assert.Empty(failures);
        Assert.Equal(1L << 30, env.MapSize);
        Assert.True(Interlocked.Read(ref reads) > 0);
    }
}
