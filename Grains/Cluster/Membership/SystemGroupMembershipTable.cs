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

    /// <summary>The table of Orleans cluster <paramref name="clusterId"/> on <paramref name="node"/>'s system group.</summary>
    public SystemGroupMembershipTable(ClusterNode node, string clusterId)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrEmpty(clusterId);
        _node = node;
        _clusterId = clusterId;
    }

    /// <summary>The table of the Orleans cluster the silo's <see cref="ClusterOptions"/> name.</summary>
    public SystemGroupMembershipTable(ClusterNode node, IOptions<ClusterOptions> clusterOptions)
        : this(node, (clusterOptions ?? throw new ArgumentNullException(nameof(clusterOptions))).Value.ClusterId)
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
    /// Marks dead every row of <paramref name="siloName"/> that is not dead yet: the rows of this node's earlier
    /// silos. Called before this node's silo joins, and only by the process that holds the node's data directory
    /// (locked, so no earlier process of the node still runs). Without it, a silo restarted after kill -9 would wait
    /// for its own predecessor (another port, so another silo to Orleans) to be declared dead by others, which in a
    /// cluster of one nobody can do.
    /// </summary>
    /// <returns>How many rows it marked.</returns>
    public async Task<int> DeclareEarlierSilosDeadAsync(string siloName)
    {
        ArgumentException.ThrowIfNullOrEmpty(siloName);
        var marked = 0;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var table = await ReadAll().ConfigureAwait(false);
            var version = table.Version;
            var raced = false;
            foreach (var (entry, etag) in table.Members)
            {
                if (entry.SiloName != siloName || entry.Status == SiloStatus.Dead)
                {
                    continue;
                }
                entry.Status = SiloStatus.Dead;
                version = version.Next();
                if (!await UpdateRow(entry, etag, version).ConfigureAwait(false))
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

    private async Task<bool> WriteRowAsync(bool insert, MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        var write = new MembershipRowWriteProto
        {
            ClusterId = _clusterId,
            // One id per call: the retries inside WriteMembershipAsync carry it, so the write lands at most once.
            WriteId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
            Entry = MembershipEntryCodec.ToProto(entry),
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
