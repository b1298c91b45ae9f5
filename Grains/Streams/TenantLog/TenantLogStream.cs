using IceFire.Grains.Interfaces;
using Orleans.Runtime;
using Orleans.Streams;

namespace IceFire.Grains.Streams;

/// <summary>One tenant's log as an Orleans stream (<see cref="TenantLogStreamProvider"/>).</summary>
internal sealed class TenantLogStream(StreamId streamId, Func<string, TenantLog?> logs) : IAsyncStream<CommittedEntry>
{
    public bool IsRewindable => true;

    public string ProviderName => TenantLogStreamProvider.ProviderName;

    public StreamId StreamId { get; } = streamId;

    private string Tenant => StreamId.GetKeyAsString();

    public Task<StreamSubscriptionHandle<CommittedEntry>> SubscribeAsync(IAsyncObserver<CommittedEntry> observer) =>
        SubscribeAsync(observer, null);

    public Task<StreamSubscriptionHandle<CommittedEntry>> SubscribeAsync(IAsyncObserver<CommittedEntry> observer, StreamSequenceToken? token, string? filterData = null) =>
        Task.FromResult<StreamSubscriptionHandle<CommittedEntry>>(Subscribe(observer, token, filterData, null));

    public Task<StreamSubscriptionHandle<CommittedEntry>> SubscribeAsync(IAsyncBatchObserver<CommittedEntry> observer) =>
        SubscribeAsync(observer, null);

    public Task<StreamSubscriptionHandle<CommittedEntry>> SubscribeAsync(IAsyncBatchObserver<CommittedEntry> observer, StreamSequenceToken? token) =>
        SubscribeAsync(new BatchOfOne(observer), token);

    public Task<IList<StreamSubscriptionHandle<CommittedEntry>>> GetAllSubscriptionHandles()
    {
        IList<StreamSubscriptionHandle<CommittedEntry>> handles = [];
        if (logs(Tenant) is { } log)
        {
            foreach (var subscription in log.Subscriptions)
            {
                handles.Add(new Handle(this, subscription));
            }
        }
        return Task.FromResult(handles);
    }

    // Only the tenant's Raft group writes its log: a producer writes through the tenant's commands.
    public Task OnNextAsync(CommittedEntry item, StreamSequenceToken? token = null) => Refuse();

    public Task OnNextBatchAsync(IEnumerable<CommittedEntry> batch, StreamSequenceToken? token = null) => Refuse();

    public Task OnCompletedAsync() => Refuse();

    public Task OnErrorAsync(Exception ex) => Refuse();

    public bool Equals(IAsyncStream<CommittedEntry>? other) => other is not null && other.StreamId.Equals(StreamId) && other.ProviderName == ProviderName;

    public int CompareTo(IAsyncStream<CommittedEntry>? other) => other is null ? 1 : StreamId.CompareTo(other.StreamId);

    public override bool Equals(object? obj) => Equals(obj as IAsyncStream<CommittedEntry>);

    public override int GetHashCode() => StreamId.GetHashCode();

    internal Handle Subscribe(IAsyncObserver<CommittedEntry> observer, StreamSequenceToken? token, string? filterData, Guid? id)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var log = logs(Tenant) ?? throw new InvalidOperationException($"tenant {Tenant} has no replica on this silo: its log is read where it is replicated");
        IKeyChangeFilter? filter = filterData switch
        {
            null or "" => null,
            TenantLogStreamProvider.AllChanges => EveryChange.Instance,
            _ => throw new ArgumentException($"the {ProviderName} stream knows the filter \"{TenantLogStreamProvider.AllChanges}\" only, not \"{filterData}\"", nameof(filterData)),
        };
        return new Handle(this, log.Subscribe(observer, LogIndexToken.IndexOf(token), filter, id));
    }

    private Task Refuse() => Task.FromException(new NotSupportedException(
        $"the {ProviderName} stream of tenant {Tenant} is written by the tenant's Raft group; write through the tenant's commands"));

    /// <summary>A subscription to the stream.</summary>
    internal sealed class Handle(TenantLogStream stream, TenantLogSubscription subscription) : StreamSubscriptionHandle<CommittedEntry>
    {
        public override StreamId StreamId => stream.StreamId;

        public override string ProviderName => TenantLogStreamProvider.ProviderName;

        public override Guid HandleId => subscription.Id;

        /// <summary>The index of the next entry the subscriber gets.</summary>
        public ulong Next => subscription.Next;

        public override Task UnsubscribeAsync()
        {
            subscription.Unsubscribe();
            return Task.CompletedTask;
        }

        public override Task<StreamSubscriptionHandle<CommittedEntry>> ResumeAsync(IAsyncObserver<CommittedEntry> observer, StreamSequenceToken? token = null)
        {
            subscription.Unsubscribe();
            var filter = subscription.Filter is EveryChange ? TenantLogStreamProvider.AllChanges : null;
            return Task.FromResult<StreamSubscriptionHandle<CommittedEntry>>(stream.Subscribe(observer, token ?? new LogIndexToken(subscription.Next), filter, HandleId));
        }

        public override Task<StreamSubscriptionHandle<CommittedEntry>> ResumeAsync(IAsyncBatchObserver<CommittedEntry> observer, StreamSequenceToken? token = null) =>
            ResumeAsync(new BatchOfOne(observer), token);

        public override bool Equals(StreamSubscriptionHandle<CommittedEntry>? other) => other is not null && other.HandleId == HandleId;

        public override bool Equals(object? obj) => Equals(obj as StreamSubscriptionHandle<CommittedEntry>);

        public override int GetHashCode() => HandleId.GetHashCode();
    }

    /// <summary>Every change of every class.</summary>
    private sealed class EveryChange : IKeyChangeFilter
    {
        public static readonly EveryChange Instance = new();

        public bool WantsChanges(KeyspaceEventFlags eventClass) => true;
    }

    /// <summary>A batch observer fed one entry at a time.</summary>
    private sealed class BatchOfOne(IAsyncBatchObserver<CommittedEntry> batch) : IAsyncObserver<CommittedEntry>
    {
        public Task OnNextAsync(CommittedEntry item, StreamSequenceToken? token = null) =>
            batch.OnNextAsync([new SequentialItem<CommittedEntry>(item, token ?? item.Token)]);

        public Task OnCompletedAsync() => batch.OnCompletedAsync();

        public Task OnErrorAsync(Exception ex) => batch.OnErrorAsync(ex);
    }
}
