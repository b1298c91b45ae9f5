using Google.Protobuf;
using IceFire.Grains.Cluster.Wire;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace IceFire.Grains.Cluster.Membership;

/// <summary>
/// Orleans' membership table kept in the system Raft group (MEMBERSHIP.md): a cluster needs no outside database.
/// Reads are linearizable (a read barrier on this silo's replica, or the leader's); writes are committed through the
/// system group's leader and applied by every replica with the etag checks of <see cref="IMembershipTable"/>. Safe
/// for concurrent calls; a call that cannot reach a leader in time throws
/// <see cref="MembershipTableUnavailableException"/>, which Orleans treats as a failed attempt and retries.
/// </summary>
public sealed class SystemGroupMembershipTable : IMembershipTable
{
    private readonly ClusterNode _node;
    private readonly string _clusterId;
    private readonly SiloAddress? _self;

    /// <summary>
    /// The table of Orleans cluster <paramref name="clusterId"/> on <paramref name="node"/>'s system group. The rows
    /// <paramref name="self"/> (this node's silo) writes carry the node's id, by which other silos find the node's silo
    /// whatever its name.
    /// </summary>
    public SystemGroupMembershipTable(ClusterNode node, string clusterId, SiloAddress? self = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrEmpty(clusterId);
        _node = node;
        _clusterId = clusterId;
        _self = self;
    }

    /// <summary>The table of the Orleans cluster the silo's <see cref="ClusterOptions"/> name, written by the silo <paramref name="local"/> describes.</summary>
    public SystemGroupMembershipTable(ClusterNode node, IOptions<ClusterOptions> clusterOptions, ILocalSiloDetails local)
        : this(node, (clusterOptions ?? throw new ArgumentNullException(nameof(clusterOptions))).Value.ClusterId,
            (local ?? throw new ArgumentNullException(nameof(local))).SiloAddress)
    {
    }

    /// <inheritdoc />
    /// <remarks>Nothing to create: a table that was never written reads as version 0 with no rows.</remarks>
    public Task InitializeMembershipTable(bool tryInitTableVersion) => Task.CompletedTask;

    /// <inheritdoc />
    public Task DeleteMembershipTableEntries(string clusterId) =>
        _node.WriteMembershipAsync(new SystemCommandProto { DeleteMembershipTable = clusterId }, CancellationToken.None);

    /// <inheritdoc />
    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) =>
        _node.WriteMembershipAsync(new SystemCommandProto
        {
            CleanupDefunctSilos = new MembershipCleanupProto { ClusterId = _clusterId, BeforeTicks = beforeDate.UtcTicks },
        }, CancellationToken.None);

    /// <inheritdoc />
    public async Task<MembershipTableData> ReadRow(SiloAddress key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var table = await _node.ReadMembershipAsync(_clusterId, CancellationToken.None).ConfigureAwait(false);
        var version = VersionOf(table);
        var row = table is null ? null : SystemStateMachine.FindRow(table, key.ToParsableString());
        return row is null ? new MembershipTableData(version) : new MembershipTableData(ToTuple(row), version);
    }

    /// <inheritdoc />
    public async Task<MembershipTableData> ReadAll()
    {
        var table = await _node.ReadMembershipAsync(_clusterId, CancellationToken.None).ConfigureAwait(false);
        var rows = new List<Tuple<MembershipEntry, string>>(table?.Rows.Count ?? 0);
        if (table is not null)
        {
            foreach (var row in table.Rows)
            {
                rows.Add(ToTuple(row));
            }
        }
        return new MembershipTableData(rows, VersionOf(table));
    }

    /// <inheritdoc />
    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) =>
        WriteRowAsync(insert: true, entry, "", tableVersion);

    /// <inheritdoc />
    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) =>
        WriteRowAsync(insert: false, entry, etag ?? "", tableVersion);

    /// <inheritdoc />
    public Task UpdateIAmAlive(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return _node.WriteMembershipAsync(new SystemCommandProto
        {
            UpdateIAmAlive = new MembershipIAmAliveProto
            {
                ClusterId = _clusterId,
                SiloAddress = entry.SiloAddress.ToParsableString(),
                IAmAliveTicks = MembershipEntryCodec.UtcTicks(entry.IAmAliveTime),
            },
        }, CancellationToken.None);
    }

    /// <summary>
    /// Marks dead every row of node <paramref name="nodeId"/> that is not dead yet: the rows of this node's earlier
    /// silos. Called before this node's silo joins, and only by the process that holds the node's data directory
    /// (locked, so no earlier process of the node still runs). Without it, a silo restarted after kill -9 would wait
    /// for its own predecessor (another port, so another silo to Orleans) to be declared dead by others, which in a
    /// cluster of one nobody can do.
    /// </summary>
    /// <returns>How many rows it marked.</returns>
    public Task<int> DeclareEarlierSilosDeadAsync(ulong nodeId) =>
        MarkDeadAsync(row => ValueTask.FromResult(NodeOf(row) == nodeId));

    /// <summary>
    /// Marks dead every row not dead yet for which <paramref name="gone"/> answers true, each with the etag checks of a
    /// table write; a write that loses a race reads the table again.
    /// </summary>
    /// <returns>How many rows it marked.</returns>
    public async Task<int> MarkDeadAsync(Func<MembershipEntryProto, ValueTask<bool>> gone)
    {
        ArgumentNullException.ThrowIfNull(gone);
        var marked = 0;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var table = await _node.ReadMembershipAsync(_clusterId, CancellationToken.None).ConfigureAwait(false);
            if (table is null)
            {
                return marked;
            }
            var version = VersionOf(table);
            var raced = false;
            foreach (var row in table.Rows)
            {
                if ((SiloStatus)row.Entry.Status == SiloStatus.Dead || !await gone(row.Entry).ConfigureAwait(false))
                {
                    continue;
                }
                var entry = MembershipEntryCodec.FromProto(row.Entry);
                entry.Status = SiloStatus.Dead;
                version = version.Next();
                if (!await UpdateRow(entry, row.Etag, version).ConfigureAwait(false))
                {
                    // Another write came first: read the table again.
                    raced = true;
                    break;
                }
                marked++;
            }
            if (!raced)
            {
                return marked;
            }
        }
        return marked;
    }

    /// <summary>The node whose silo a row is: its node id, or for a row written before rows kept one, its silo's name.</summary>
    public static ulong NodeOf(MembershipEntryProto entry) => entry.NodeId != 0 ? entry.NodeId : Messaging.NodeNames.NodeId(entry.SiloName);

    private async Task<bool> WriteRowAsync(bool insert, MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        var write = new MembershipRowWriteProto
        {
            ClusterId = _clusterId,
            // One id per call: the retries inside WriteMembershipAsync carry it, so the write lands at most once.
            WriteId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
            Entry = MembershipEntryCodec.ToProto(entry, entry.SiloAddress.Equals(_self) ? _node.NodeId : 0),
            RowEtag = etag,
            TableVersion = tableVersion.Version,
            TableEtag = tableVersion.VersionEtag ?? "",
        };
        var command = insert ? new SystemCommandProto { InsertMembershipRow = write } : new SystemCommandProto { UpdateMembershipRow = write };
        return await _node.WriteMembershipAsync(command, CancellationToken.None).ConfigureAwait(false) == MembershipOutcome.Applied;
    }

    private static TableVersion VersionOf(MembershipTableProto? table) =>
        table is null ? new TableVersion(0, SystemStateMachine.EmptyTableEtag) : new TableVersion(table.Version, table.VersionEtag);

    private static Tuple<MembershipEntry, string> ToTuple(MembershipRowProto row) => Tuple.Create(MembershipEntryCodec.FromProto(row.Entry), row.Etag);
}
