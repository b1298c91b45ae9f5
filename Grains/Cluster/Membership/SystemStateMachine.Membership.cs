using System.Globalization;
using Google.Protobuf;
using IceFire.Grains.Cluster.Wire;

namespace IceFire.Grains.Cluster;

/// <summary>The outcomes of membership table writes in the system log.</summary>
public static class MembershipOutcome
{
    /// <summary>The write lost its etag race (or the row it needs is missing or already there); nothing changed.</summary>
    public const int Conflict = 0;

    /// <summary>The write took effect.</summary>
    public const int Applied = 1;
}

public sealed partial class SystemStateMachine
{
    /// <summary>
    /// How many membership write ids the state remembers. A retry arrives within a request timeout of its first
    /// attempt, while a cluster writes its table a few times per silo start, stop or death: a thousand covers it.
    /// </summary>
    public const int MembershipWritesKept = 1024;

    /// <summary>The value of <see cref="Orleans.Runtime.SiloStatus.Active"/>, which cleanup never removes.</summary>
    private const int ActiveStatus = 3;

    /// <summary>
    /// Applies one of Orleans' membership table operations (IMembershipTable's contract) from the state alone. Etags
    /// are the log index of the entry that last wrote the row or the table version, so every replica makes the same
    /// ones and no two writes share one.
    /// </summary>
    private static int ApplyMembership(ClusterStateProto state, SystemCommandProto command, ulong index)
    {
        var etag = index.ToString(CultureInfo.InvariantCulture);
        switch (command.ChangeCase)
        {
            case SystemCommandProto.ChangeOneofCase.InsertMembershipRow:
            case SystemCommandProto.ChangeOneofCase.UpdateMembershipRow:
            {
                var insert = command.ChangeCase == SystemCommandProto.ChangeOneofCase.InsertMembershipRow;
                var write = insert ? command.InsertMembershipRow : command.UpdateMembershipRow;
                // A retry of a write already in the log (sent again after its leader was lost) gets the first outcome:
                // its etags no longer match, so applying it again would answer false for a write that took effect.
                if (FindWrite(state, write.WriteId) is { } earlier)
                {
                    return earlier.Outcome;
                }
                var outcome = insert ? Insert(state, write, etag) : Update(state, write, etag);
                RememberWrite(state, write.WriteId, outcome);
                return outcome;
            }
            case SystemCommandProto.ChangeOneofCase.UpdateIAmAlive:
            {
                var alive = command.UpdateIAmAlive;
                var row = FindTable(state, alive.ClusterId) is { } table ? FindRow(table, alive.SiloAddress) : null;
                if (row is null)
                {
                    return MembershipOutcome.Conflict;
                }
                // A dirty write: neither the row's etag nor the table version changes.
                row.Entry.IAmAliveTicks = alive.IAmAliveTicks;
                return MembershipOutcome.Applied;
            }
            case SystemCommandProto.ChangeOneofCase.DeleteMembershipTable:
            {
                for (var i = state.MembershipTables.Count - 1; i >= 0; i--)
                {
                    if (state.MembershipTables[i].ClusterId == command.DeleteMembershipTable)
                    {
                        state.MembershipTables.RemoveAt(i);
                    }
                }
                return MembershipOutcome.Applied;
            }
            default:
            {
                var cleanup = command.CleanupDefunctSilos;
                if (FindTable(state, cleanup.ClusterId) is not { } table)
                {
                    return MembershipOutcome.Applied;
                }
                // Orleans' meaning of defunct: any status but Active, not updated (started, alive, or suspected) since the date.
                for (var i = table.Rows.Count - 1; i >= 0; i--)
                {
                    var entry = table.Rows[i].Entry;
                    if (entry.Status != ActiveStatus && LastUpdateTicks(entry) < cleanup.BeforeTicks)
                    {
                        table.Rows.RemoveAt(i);
                    }
                }
                return MembershipOutcome.Applied;
            }
        }
    }

    private static int Insert(ClusterStateProto state, MembershipRowWriteProto write, string etag)
    {
        var table = FindTable(state, write.ClusterId);
        if (!TableEtagMatches(table, write.TableEtag) || (table is not null && FindRow(table, write.Entry.SiloAddress) is not null))
        {
            return MembershipOutcome.Conflict;
        }
        if (table is null)
        {
            table = new MembershipTableProto { ClusterId = write.ClusterId };
            state.MembershipTables.Add(table);
        }
        table.Rows.Add(new MembershipRowProto { Entry = write.Entry, Etag = etag });
        table.Version = write.TableVersion;
        table.VersionEtag = etag;
        return MembershipOutcome.Applied;
    }

    private static int Update(ClusterStateProto state, MembershipRowWriteProto write, string etag)
    {
        var table = FindTable(state, write.ClusterId);
        var row = table is null ? null : FindRow(table, write.Entry.SiloAddress);
        if (table is null || row is null || row.Etag != write.RowEtag || table.VersionEtag != write.TableEtag)
        {
            return MembershipOutcome.Conflict;
        }
        // Only a silo's own writes know its node; another silo's (a suspicion, a death) keeps the one on record.
        var nodeId = write.Entry.NodeId != 0 ? write.Entry.NodeId : row.Entry.NodeId;
        row.Entry = write.Entry.Clone();
        row.Entry.NodeId = nodeId;
        row.Etag = etag;
        table.Version = write.TableVersion;
        table.VersionEtag = etag;
        return MembershipOutcome.Applied;
    }

    /// <summary>A table that was never written reads as version 0 with etag <see cref="EmptyTableEtag"/>.</summary>
    private static bool TableEtagMatches(MembershipTableProto? table, string etag) => etag == (table?.VersionEtag ?? EmptyTableEtag);

    /// <summary>The etag of a table never written (log indexes, and so written etags, start at 1).</summary>
    public const string EmptyTableEtag = "0";

    internal static MembershipTableProto? FindTable(ClusterStateProto state, string clusterId)
    {
        foreach (var table in state.MembershipTables)
        {
            if (table.ClusterId == clusterId)
            {
                return table;
            }
        }
        return null;
    }

    internal static MembershipRowProto? FindRow(MembershipTableProto table, string siloAddress)
    {
        foreach (var row in table.Rows)
        {
            if (row.Entry.SiloAddress == siloAddress)
            {
                return row;
            }
        }
        return null;
    }

    private static MembershipWriteOutcomeProto? FindWrite(ClusterStateProto state, ByteString writeId)
    {
        if (writeId.IsEmpty)
        {
            return null;
        }
        foreach (var write in state.MembershipWrites)
        {
            if (write.WriteId.Equals(writeId))
            {
                return write;
            }
        }
        return null;
    }

    private static void RememberWrite(ClusterStateProto state, ByteString writeId, int outcome)
    {
        if (writeId.IsEmpty)
        {
            return;
        }
        if (state.MembershipWrites.Count >= MembershipWritesKept)
        {
            state.MembershipWrites.RemoveAt(0);
        }
        state.MembershipWrites.Add(new MembershipWriteOutcomeProto { WriteId = writeId, Outcome = outcome });
    }

    /// <summary>The latest of the row's start, its last I-am-alive and its suspicion votes (Orleans' effective update time).</summary>
    private static long LastUpdateTicks(MembershipEntryProto entry)
    {
        var latest = Math.Max(entry.StartTimeTicks, entry.IAmAliveTicks);
        foreach (var vote in entry.SuspectTimes)
        {
            latest = Math.Max(latest, vote.TimeTicks);
        }
        return latest;
    }
}
