using IceFire.Raft.Hosting;
using IceFire.Raft.Storage;
using IceFire.Raft.Transport;

namespace IceFire.Raft.Tests.Hosting;

/// <summary>RaftHost without a network: single-voter groups, failure handling, routing.</summary>
public sealed class RaftHostTests
{
    private sealed class NoTransport : IRaftTransport
    {
        public void Send(ulong group, Message message)
        {
        }
    }

    /// <summary>Storage that keeps everything in memory and can be told to fail.</summary>
    private sealed class FlakyStorage : IRaftStorage
    {
        public bool Fail { get; set; }

        public RaftInitialState Load() => RaftInitialState.Bootstrap(1);

        public void Save(HardState? hardState, IReadOnlyList<Entry> entries, Snapshot? installed, bool sync)
        {
            if (Fail) throw new IOException("disk full");
        }

        public void WriteSnapshotChunk(SnapshotMetadata metadata, long offset, ReadOnlySpan<byte> data) => throw new NotSupportedException();

        public Snapshot Compact(SnapshotMetadata metadata, Action<string> writeImage) => throw new NotSupportedException();

        public string? SnapshotPath(ulong index) => null;

        public byte[] ReadSnapshotChunk(ulong index, long offset, int length) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }

    private static async Task<(RaftHost Host, RaftGroup Group, FlakyStorage Storage, ListMachine Machine)> SingleVoter()
    {
        var host = new RaftHost(new RaftHostOptions { NodeId = 1, TickInterval = TimeSpan.FromMilliseconds(10) }, new NoTransport());
        var storage = new FlakyStorage();
        var machine = new ListMachine();
        var group = host.AddGroup(7, new RaftOptions(), storage, machine);
        host.Start();
        await TcpCluster.WaitUntil(() => group.Role == RaftRole.Leader, "the single voter to lead");
        return (host, group, storage, machine);
    }

    [Fact]
    public async Task ProposalCompletesWhenApplied()
    {
        var (host, group, _, machine) = await SingleVoter();
        await using (host)
        {
            var index = await group.ProposeAsync("hello"u8.ToArray()).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(index >= 2);
            Assert.Equal(["hello"], machine.Items);
            await group.ReadBarrierAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task AOneVoterLeadersReadBarrierHasCompletedWhenReturnedAndAllocatesNothing()
    {
        var (host, group, _, _) = await SingleVoter();
        await using (host)
        {
            await group.ProposeAsync("x"u8.ToArray()).WaitAsync(TimeSpan.FromSeconds(10));
            // The group publishes what its turn did at the end of the turn, after the proposal's completion.
            await TcpCluster.WaitUntil(() => group.ReadBarrierAsync().IsCompletedSuccessfully, "the one-voter leader's barrier to complete at once");
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                Assert.True(group.ReadBarrierAsync().IsCompletedSuccessfully);
            }
            Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        }
    }

    [Fact]
    public async Task TheMachineLearnsItLeadsBeforeItAppliesTheEntriesOfItsTerm()
    {
        var (host, group, _, machine) = await SingleVoter();
        await using (host)
        {
            await group.ProposeAsync("first"u8.ToArray()).WaitAsync(TimeSpan.FromSeconds(10));
            var roles = machine.Roles;
            Assert.Equal((RaftRole.Leader, group.Term, 0), roles[^1]);
            Assert.DoesNotContain(roles, r => r.Role == RaftRole.Follower);
            for (var i = 1; i < roles.Length; i++)
            {
                Assert.NotEqual(roles[i - 1].Role, roles[i].Role);
            }
        }
    }

    [Fact]
    public async Task StorageFailureStopsTheGroupAndFailsRequests()
    {
        var (host, group, storage, machine) = await SingleVoter();
        await using (host)
        {
            storage.Fail = true;
            await Assert.ThrowsAsync<IOException>(() => group.ProposeAsync([1]).WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.IsType<IOException>(group.Fault);
            storage.Fail = false;
            await Assert.ThrowsAsync<IOException>(() => group.ProposeAsync([2]).WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Empty(machine.Items);
        }
    }

    [Fact]
    public async Task RemovedGroupFailsRequestsAndItsMessagesCountAsUnknown()
    {
        var (host, group, _, machine) = await SingleVoter();
        await using (host)
        {
            await group.ProposeAsync("kept"u8.ToArray()).WaitAsync(TimeSpan.FromSeconds(10));
            await host.RemoveGroupAsync(group.Id).WaitAsync(TimeSpan.FromSeconds(10));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => group.ProposeAsync([1]).WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.False(host.TryGetGroup(group.Id, out _));
            host.Deliver(group.Id, new Message { Type = MessageType.Heartbeat, From = 2, To = 1, Term = 9 });
            Assert.Equal(1, host.DroppedUnknownGroup);
            Assert.Equal(["kept"], machine.Items);
        }
    }

    [Fact]
    public async Task FollowerRefusesProposalsWithALeaderHint()
    {
        var host = new RaftHost(new RaftHostOptions { NodeId = 2 }, new NoTransport());
        var dir = Path.Combine(Path.GetTempPath(), "icefire-raft-host-" + Guid.NewGuid().ToString("N"));
        await using (host)
        {
            var group = host.AddGroup(1, new RaftOptions(), FileRaftStorage.Open(dir, new ConfState([1, 2, 3], [])), new ListMachine());
            host.Start();
            var e = await Assert.ThrowsAsync<RaftProposalException>(() => group.ProposeAsync([1]).WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(ProposeStatus.NoLeader, e.Status);
            host.Deliver(42, new Message { Type = MessageType.Heartbeat, From = 1, To = 2, Term = 1 });
            Assert.Equal(1, host.DroppedUnknownGroup);
        }

        Directory.Delete(dir, recursive: true);
    }
}
