using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Storage;

public sealed class LmdbMapGateTests
{
    private static Thread Start(Action action)
    {
        var thread = new Thread(() => action()) { IsBackground = true };
        thread.Start();
        return thread;
    }

    [Fact]
    public void ExclusiveWaitsForEveryReaderAndReadersMayLeaveFromAnyThread()
    {
        var gate = new LmdbMapGate();
        gate.EnterShared();
        gate.EnterShared();
        var entered = 0;
        var exclusive = Start(() =>
        {
            gate.EnterExclusive();
            Volatile.Write(ref entered, 1);
            gate.ExitExclusive();
        });
        Assert.False(exclusive.Join(TimeSpan.FromMilliseconds(50)), "exclusive must wait for the readers");
        Assert.True(Start(gate.ExitShared).Join(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, Volatile.Read(ref entered));
        Assert.True(Start(gate.ExitShared).Join(TimeSpan.FromSeconds(5)));
        Assert.True(exclusive.Join(TimeSpan.FromSeconds(5)), "exclusive should enter once the last reader left");
        Assert.Equal(1, entered);
    }

    [Fact]
    public void AWaitingExclusiveHoldsBackNewReaders()
    {
        var gate = new LmdbMapGate();
        gate.EnterShared();
        var exclusive = Start(() =>
        {
            gate.EnterExclusive();
            gate.ExitExclusive();
        });
        var readerIn = 0;
        var reader = Start(() =>
        {
            // Let the exclusive waiter register first; either order must end without deadlock.
            gate.EnterShared();
            Volatile.Write(ref readerIn, 1);
            gate.ExitShared();
        });
        gate.ExitShared();
        Assert.True(exclusive.Join(TimeSpan.FromSeconds(5)));
        Assert.True(reader.Join(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, readerIn);
    }

    [Fact]
    public void LeavingMoreOftenThanEnteringIsABrokenInvariant()
    {
        var gate = new LmdbMapGate();
        Assert.Throws<InvalidOperationException>(gate.ExitShared);
    }

    [Fact]
    public void AFailedReadBeginLeavesTheGateBalanced()
    {
        using var dir = new TempDirectory("icefire-readers");
        using var env = LmdbEnvironment.Open(dir.Path, new LmdbEnvironmentOptions { SyncOnCommit = false, MaxReaders = 2 });
        env.OpenDatabase("t");
        var a = env.BeginRead();
        var b = env.BeginRead();
        var error = Assert.ThrowsAny<LmdbException>(() => env.BeginRead());
        Assert.Contains("MDB_READERS_FULL", error.Message);
        a.Dispose();
        b.Dispose();
        var grow = Start(() => env.Grow());
        Assert.True(grow.Join(TimeSpan.FromSeconds(10)), "Grow should not wait for a reader that never began");
    }
}
