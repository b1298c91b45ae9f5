using System.Collections.Concurrent;
using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Streams;
using IceFire.Grains.Tenants;
using IceFire.Grains.Tenants.Replication;
using IceFire.Grains.Tests.Replication;
using IceFire.Grains.Tests.Support;
using IceFire.Raft;
using Orleans.Streams;
using Xunit;
using static IceFire.Grains.Tests.Replication.TenantCluster;

namespace IceFire.Grains.Tests.Streams;

/// <summary>
/// A tenant's committed entries through the tenant-log stream provider: read back from an index, then live with their
/// changes; resumed after a restart; compacted entries reported as a gap; a slow subscriber served from the log.
/// </summary>
public sealed class TenantLogStreamTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_subscriber_from_an_index_gets_every_committed_entry_in_order_then_the_live_ones_with_their_changes()
    {
        await using var group = new TenantCluster([1, 2, 3]);
        var leader = await group.LeaderAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", $"old{i}", "v"]));
        }
        var follower = group.Replicas.First(r => r.Value.Tenant != leader);
        await Eventually.WaitUntilAsync(() => follower.Value.Tenant.AppliedIndex >= leader.AppliedIndex, "the follower to apply the five writes", Deadline);

        var recorder = new Recorder();
        var stream = Provider(follower.Value.Tenant).GetStream<CommittedEntry>(TenantLogStreamProvider.StreamOf("t"));
        var handle = await stream.SubscribeAsync(recorder, new LogIndexToken(1), TenantLogStreamProvider.AllChanges);
        await recorder.WaitForAsync(e => e.Count(x => Holds(x, "old")) == 5, "the five earlier writes read back from the log");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", $"new{i}", "v"]));
        }
        await recorder.WaitForAsync(e => e.Count(x => Holds(x, "new")) == 3, "the three later writes as they apply");

        var entries = recorder.Entries;
        Assert.Empty(recorder.Errors);
        Assert.True(entries.Zip(entries.Skip(1)).All(p => p.First.Index < p.Second.Index), "entries come in log order, once each");
        var stored = follower.Value.Log.ReadEntries(1, follower.Value.Tenant.AppliedIndex, 1000).Where(e => e.Type == EntryType.Normal && e.Data.Length > 0).ToList();
        Assert.Equal(stored.Select(e => (e.Index, e.Term)), entries.Select(e => (e.Index, e.Term)));
        Assert.All(stored.Zip(entries), p => Assert.Equal(p.First.Data, p.Second.Data));
        // Read back from the log: commands only. Applied live: with the keys they changed, by a follower.
        Assert.All(entries.Where(e => Holds(e, "old")), e => Assert.Null(e.Changes));
        var live = entries.Where(e => Holds(e, "new")).ToList();
        Assert.All(live, e => Assert.False(e.AppliedAsLeader));
        Assert.Equal(["new0", "new1", "new2"], live.Select(e => Encoding.UTF8.GetString(Assert.Single(e.Changes!, c => c.Event == KeyEvent.Set).Key)));
        Assert.Equal((ulong)entries[^1].Index + 1, ((TenantLogStream.Handle)handle).Next);

        await handle.UnsubscribeAsync();
        Assert.False(follower.Value.Tenant.Log.HasSubscribers);
    }

    [Fact]
    public async Task A_consumer_resumes_at_the_index_after_its_last_entry_when_its_replica_has_restarted()
    {
        await using var group = new TenantCluster([1, 2, 3]);
        var leader = await group.LeaderAsync();
        var node = group.IdOf(leader) == 1 ? 2UL : 1UL;
        Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", "before", "v"]));
        var first = new Recorder();
        var handle = await Provider(group[node]).GetStream<CommittedEntry>(TenantLogStreamProvider.StreamOf("t")).SubscribeAsync(first, new LogIndexToken(0));
        await first.WaitForAsync(e => e.Any(x => Holds(x, "before")), "the first write");
        var last = first.Entries[^1].Index;
        await handle.UnsubscribeAsync();

        await group.StopAsync(node);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", $"while-down{i}", "v"]));
        }
        group.Start(node);
        await Eventually.WaitUntilAsync(() => group[node].AppliedIndex >= leader.AppliedIndex, "the restarted replica to catch up", Deadline);

        var resumed = new Recorder();
        await Provider(group[node]).GetStream<CommittedEntry>(TenantLogStreamProvider.StreamOf("t")).SubscribeAsync(resumed, new LogIndexToken(last + 1));
        await resumed.WaitForAsync(e => e.Count(x => Holds(x, "while-down")) == 3, "the writes made while the replica was down");
        Assert.All(resumed.Entries, e => Assert.True(e.Index > last));
        Assert.DoesNotContain(resumed.Entries, e => Holds(e, "before"));
        Assert.Empty(resumed.Errors);
    }

    [Fact]
    public async Task Entries_compacted_into_a_snapshot_are_reported_as_a_gap_and_the_rest_follows()
    {
        await using var group = new TenantCluster([1], snapshotEvery: 4);
        var leader = await group.LeaderAsync();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", $"k{i}", "v"]));
        }
        await Eventually.WaitUntilAsync(() => group.Replicas[1].Log.ReadEntries(1, ulong.MaxValue, 1).FirstOrDefault()?.Index > 1,
            "a snapshot to compact the start of the log", Deadline);
        var firstStored = group.Replicas[1].Log.ReadEntries(1, ulong.MaxValue, 1)[0].Index;

        var recorder = new Recorder();
        await Provider(leader).GetStream<CommittedEntry>(TenantLogStreamProvider.StreamOf("t")).SubscribeAsync(recorder, new LogIndexToken(1));
        Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", "after", "v"]));
        await recorder.WaitForAsync(e => e.Any(x => Holds(x, "after")), "the write made after subscribing");

        var gap = Assert.IsType<TenantLogGapException>(Assert.Single(recorder.Errors));
        Assert.Equal(1UL, gap.First);
        Assert.True(gap.Last >= firstStored - 1, $"the gap {gap.First}-{gap.Last} covers what was compacted before {firstStored}");
        Assert.All(recorder.Entries, e => Assert.True(e.Index > gap.Last));
    }

    [Fact]
    public async Task A_subscriber_that_falls_behind_gets_the_rest_from_the_log_without_losing_an_entry()
    {
        await using var group = new TenantCluster([1], options: new TenantOptions { Durability = DurabilityMode.Periodic });
        var leader = await group.LeaderAsync();
        var recorder = new Recorder { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await Provider(leader).GetStream<CommittedEntry>(TenantLogStreamProvider.StreamOf("t")).SubscribeAsync(recorder, null, TenantLogStreamProvider.AllChanges);

        const int Writes = TenantLog.LiveQueueLimit + 200;
        for (var i = 0; i < Writes; i++)
        {
            await leader.ExecuteAsync(Batch(["SET", $"k{i}", "v"]));
        }
        recorder.Gate.SetResult();
        await recorder.WaitForAsync(e => e.Count == Writes, $"all {Writes} writes");

        var entries = recorder.Entries;
        Assert.True(entries.Zip(entries.Skip(1)).All(p => p.First.Index < p.Second.Index), "entries come in log order, once each");
        Assert.Equal(Enumerable.Range(0, Writes).Select(i => $"k{i}"), entries.Select(KeyOf));
        // The first ones were queued as they applied, with their changes; the rest were read from the log, without.
        Assert.NotNull(entries[0].Changes);
        Assert.Null(entries[^1].Changes);
    }

    [Fact]
    public async Task The_stream_refuses_producers_other_item_types_and_tenants_this_silo_does_not_hold()
    {
        await using var group = new TenantCluster([1]);
        var leader = await group.LeaderAsync();
        var stream = Provider(leader).GetStream<CommittedEntry>(TenantLogStreamProvider.StreamOf("t"));
        await Assert.ThrowsAsync<NotSupportedException>(() => stream.OnNextAsync(new CommittedEntry("t", 1, 1, [], null, true)));
        Assert.Throws<ArgumentException>(() => Provider(leader).GetStream<string>(TenantLogStreamProvider.StreamOf("t")));
        var elsewhere = new TenantLogStreamProvider(_ => null).GetStream<CommittedEntry>(TenantLogStreamProvider.StreamOf("other"));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => elsewhere.SubscribeAsync(new Recorder()));
        Assert.Contains("tenant other has no replica on this silo", refused.Message);
    }

    [Fact]
    public async Task A_handle_resumed_with_a_new_observer_goes_on_from_where_the_old_one_stopped()
    {
        await using var group = new TenantCluster([1]);
        var leader = await group.LeaderAsync();
        var before = new Recorder();
        var handle = await Provider(leader).GetStream<CommittedEntry>(TenantLogStreamProvider.StreamOf("t")).SubscribeAsync(before);
        Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", "a", "1"]));
        await before.WaitForAsync(e => e.Count == 1, "the first write");

        var after = new Recorder();
        var resumed = await handle.ResumeAsync(after);
        Assert.Equal(handle.HandleId, resumed.HandleId);
        Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", "b", "2"]));
        await after.WaitForAsync(e => e.Count == 1, "the second write, to the new observer");
        Assert.Equal(["b"], after.Entries.Select(KeyOf));
        Assert.Single(before.Entries);
        Assert.Single(await Provider(leader).GetStream<CommittedEntry>(TenantLogStreamProvider.StreamOf("t")).GetAllSubscriptionHandles());
    }

    private static TenantLogStreamProvider Provider(ReplicatedTenant replica) => new(name => name == replica.Name ? replica.Log : null);

    private static bool Holds(CommittedEntry entry, string text) => Encoding.UTF8.GetString(entry.Data).Contains(text, StringComparison.Ordinal);

    /// <summary>The key of an entry holding one SET: its commands decoded as a follower decodes them.</summary>
    private static string KeyOf(CommittedEntry entry)
    {
        var batches = new List<CommandBatch>();
        TenantEntryCodec.Decode(entry.Data, _ => new RecordingReplyWriter(), batches);
        var batch = Assert.Single(batches);
        return Encoding.UTF8.GetString(batch.Args(batch[0])[1].Span);
    }

    private sealed class Recorder : IAsyncObserver<CommittedEntry>
    {
        private readonly ConcurrentQueue<CommittedEntry> _entries = new();
        private readonly ConcurrentQueue<Exception> _errors = new();

        /// <summary>When set, every delivery waits for it.</summary>
        public TaskCompletionSource? Gate { get; init; }

        public List<CommittedEntry> Entries => [.. _entries];

        public List<Exception> Errors => [.. _errors];

        public Task OnNextAsync(CommittedEntry item, StreamSequenceToken? token = null)
        {
            Assert.Equal(item.Index, ((LogIndexToken)token!).Index);
            _entries.Enqueue(item);
            return Gate?.Task ?? Task.CompletedTask;
        }

        public Task OnErrorAsync(Exception ex)
        {
            _errors.Enqueue(ex);
            return Task.CompletedTask;
        }

        public async Task WaitForAsync(Func<List<CommittedEntry>, bool> condition, string what)
        {
            try
            {
                await Eventually.WaitUntilAsync(() => condition(Entries), what, Deadline);
            }
            catch (TimeoutException timeout)
            {
                throw new TimeoutException($"{timeout.Message}; got entries [{string.Join(", ", Entries.Select(e => e.Index))}] and errors [{string.Join("; ", Errors.Select(e => e.Message))}]");
            }
        }
    }
}
