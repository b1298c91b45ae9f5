using System.Collections.Concurrent;
using Google.Protobuf;
using IceFire.Grains.Cluster.Wire;
using IceFire.Grains.Hosting;
using IceFire.Grains.Interfaces;
using IceFire.Raft;
using IceFire.Raft.Hosting;

namespace IceFire.Grains.Cluster;

/// <summary>
/// The system group's state machine: membership and the tenant table. Every decision is made in the apply, from
/// the state alone (which group id a tenant gets, which silos hold it), so every silo of the system group reaches
/// the same state from the same log.
/// </summary>
public sealed partial class SystemStateMachine : IRaftStateMachine
{
    /// <summary>Outcome of a change that needs the genesis entry and came before it (see <see cref="TryTakeOutcome"/>).</summary>
    public const int NotReady = -2;

    private readonly ulong _self;
    private readonly ConcurrentDictionary<ulong, int> _outcomes = new();
    private ClusterState _state = ClusterState.Unborn;

    /// <summary>A state machine for silo <paramref name="self"/>, which keeps the outcomes of its own proposals.</summary>
    public SystemStateMachine(ulong self) => _self = self;

    /// <summary>The state as of the last applied entry; readable from any thread.</summary>
    public ClusterState State => Volatile.Read(ref _state);

    /// <summary>Raised on the group's turn after each applied batch that changed the state; handlers must not block.</summary>
    public event Action<ClusterState>? Changed;

    /// <summary>Encodes a change proposed by this silo as entry number <paramref name="sequence"/>.</summary>
    public byte[] Encode(ulong sequence, SystemCommandProto command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Origin = _self;
        command.Sequence = sequence;
        return command.ToByteArray();
    }

    /// <summary>
    /// The outcome of this silo's proposal number <paramref name="sequence"/> once applied: a
    /// <see cref="TenantChangeStatus"/> for tenant changes, a <see cref="MembershipOutcome"/> for membership table
    /// writes, 0 for the others, <see cref="NotReady"/> before genesis.
    /// </summary>
    public bool TryTakeOutcome(ulong sequence, out int outcome) => _outcomes.TryRemove(sequence, out outcome);

    /// <inheritdoc />
    public void Apply(Entry entry) => ApplyBatch([entry]);

    /// <inheritdoc />
    public void ApplyBatch(IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var current = State;
        ClusterStateProto? next = null;
        var last = current.AppliedIndex;
        foreach (var entry in entries)
        {
            last = Math.Max(last, entry.Index);
            if (entry.Type != EntryType.Normal || entry.Data.Length == 0)
            {
                continue;
            }
            var command = SystemCommandProto.Parser.ParseFrom(entry.Data);
            next ??= current.Proto.Clone();
            var outcome = Apply(next, command, entry.Index);
            if (command.Origin == _self)
            {
                _outcomes[command.Sequence] = outcome;
            }
        }
        if (next is null && last == current.AppliedIndex)
        {
            return;
        }
        var state = new ClusterState(next ?? current.Proto, last);
        Volatile.Write(ref _state, state);
        if (next is not null)
        {
            Changed?.Invoke(state);
        }
    }

    private static int Apply(ClusterStateProto state, SystemCommandProto command, ulong logIndex)
    {
        switch (command.ChangeCase)
        {
            case SystemCommandProto.ChangeOneofCase.InsertMembershipRow:
            case SystemCommandProto.ChangeOneofCase.UpdateMembershipRow:
            case SystemCommandProto.ChangeOneofCase.UpdateIAmAlive:
            case SystemCommandProto.ChangeOneofCase.DeleteMembershipTable:
            case SystemCommandProto.ChangeOneofCase.CleanupDefunctSilos:
                return ApplyMembership(state, command, logIndex);
            case SystemCommandProto.ChangeOneofCase.Genesis:
                if (state.ClusterId.Length > 0)
                {
                    return NotReady;
                }
                var genesis = command.Genesis;
                state.ClusterId = genesis.ClusterId;
                state.Settings = genesis.Settings;
                state.CreatedUnixMs = genesis.CreatedUnixMs;
                state.NextGroupId = ClusterState.FirstTenantGroup;
                state.Members.Add(genesis.First);
                AddTenant(state, ITenantDirectory.DefaultTenant, null, genesis.CreatedUnixMs);
                return 0;
            case SystemCommandProto.ChangeOneofCase.AddMember:
                if (state.ClusterId.Length == 0)
                {
                    return NotReady;
                }
                AddMember(state, command.AddMember);
                return 0;
            case SystemCommandProto.ChangeOneofCase.CreateTenant:
                if (state.ClusterId.Length == 0)
                {
                    return NotReady;
                }
                var create = command.CreateTenant;
                if (state.Tenants.Any(t => t.Name == create.Name))
                {
                    return (int)TenantChangeStatus.Exists;
                }
                AddTenant(state, create.Name, create.Password, create.CreatedUnixMs);
                return (int)TenantChangeStatus.Done;
            case SystemCommandProto.ChangeOneofCase.DropTenant:
                if (command.DropTenant == ITenantDirectory.DefaultTenant)
                {
                    return (int)TenantChangeStatus.Protected;
                }
                var index = IndexOf(state, command.DropTenant);
                if (index < 0)
                {
                    return (int)TenantChangeStatus.NotFound;
                }
                state.Tenants.RemoveAt(index);
                return (int)TenantChangeStatus.Done;
            case SystemCommandProto.ChangeOneofCase.SetTenantSettings:
                if (state.ClusterId.Length == 0)
                {
                    return NotReady;
                }
                var change = command.SetTenantSettings;
                var at = IndexOf(state, change.Name);
                if (at < 0)
                {
                    return (int)TenantChangeStatus.NotFound;
                }
                foreach (var pair in change.Settings)
                {
                    state.Tenants[at].Settings[pair.Key] = pair.Value;
                }
                return (int)TenantChangeStatus.Done;
            case SystemCommandProto.ChangeOneofCase.MemberDown:
                if (state.ClusterId.Length == 0)
                {
                    return NotReady;
                }
                MarkDown(state, command.MemberDown);
                return 0;
            default:
                // A change this version does not know: applying nothing would let this replica diverge from newer ones.
                throw new InvalidDataException($"system log entry of an unknown kind ({command.ChangeCase}); this silo is older than the one that wrote it");
        }
    }

    private static int IndexOf(ClusterStateProto state, string name)
    {
        for (var i = 0; i < state.Tenants.Count; i++)
        {
            if (state.Tenants[i].Name == name)
            {
                return i;
            }
        }
        return -1;
    }

    private static void AddTenant(ClusterStateProto state, string name, PasswordHashProto? password, long createdUnixMs)
    {
        var replicas = Placement.Choose(name, LiveMembers(state), (int)state.Settings.ReplicationFactor);
        var tenant = new TenantProto
        {
            Name = name,
            GroupId = state.NextGroupId++,
            CreatedUnixMs = createdUnixMs,
            Password = password,
        };
        tenant.InitialReplicas.AddRange(replicas);
        tenant.Replicas.AddRange(replicas);
        state.Tenants.Add(tenant);
    }

    private static void AddMember(ClusterStateProto state, MemberProto member)
    {
        var existing = state.Members.FirstOrDefault(m => m.Id == member.Id);
        if (existing is not null)
        {
            // A silo that comes back on other addresses (a new pod IP, new ports) keeps its id and replicas.
            existing.ClusterAddress = member.ClusterAddress;
            existing.RespAddress = member.RespAddress;
            existing.AdminAddress = member.AdminAddress;
            // Back after being declared down: it takes replicas again where tenants are short of them.
            existing.Down = false;
            existing.DownSinceUnixMs = 0;
        }
        else
        {
            state.Members.Add(member);
        }
        // Tenants created while the cluster was smaller than the replication factor take the new silo if it ranks
        // among their best; the tenant's group leader then adds it as a learner and promotes it once caught up.
        var factor = (int)state.Settings.ReplicationFactor;
        foreach (var tenant in state.Tenants)
        {
            if (tenant.Replicas.Count >= factor)
            {
                continue;
            }
            var extra = Placement.Rank(tenant.Name, LiveMembers(state))
                .Where(id => !tenant.Replicas.Contains(id))
                .Take(factor - tenant.Replicas.Count);
            tenant.Replicas.AddRange(extra);
        }
    }

    private static IEnumerable<ulong> LiveMembers(ClusterStateProto state) => state.Members.Where(m => !m.Down).Select(m => m.Id);

    /// <summary>
    /// Declares a silo down and gives each of its replicas to the best-ranked live silo the tenant is not on yet; a
    /// tenant with no such silo keeps the down one. The tenants' leaders then add the new replicas as learners,
    /// promote them once caught up, and only then remove the down silo from their groups.
    /// </summary>
    private static void MarkDown(ClusterStateProto state, MemberDownProto down)
    {
        var member = state.Members.FirstOrDefault(m => m.Id == down.Id);
        if (member is null || member.Down)
        {
            return;
        }
        member.Down = true;
        member.DownSinceUnixMs = down.SinceUnixMs;
        var live = LiveMembers(state).ToList();
        foreach (var tenant in state.Tenants)
        {
            var at = tenant.Replicas.IndexOf(down.Id);
            if (at < 0)
            {
                continue;
            }
            var replacement = Placement.Rank(tenant.Name, live).FirstOrDefault(id => !tenant.Replicas.Contains(id));
            if (replacement != 0)
            {
                tenant.Replicas[at] = replacement;
            }
        }
    }

    /// <inheritdoc />
    public void TakeSnapshot(SnapshotMetadata metadata, string imagePath) => File.WriteAllBytes(imagePath, State.Proto.ToByteArray());

    /// <inheritdoc />
    public void Restore(Snapshot snapshot, string imagePath)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        // The image is the cluster state's proto bytes: small, so read whole.
        var image = File.ReadAllBytes(imagePath);
        var proto = image.Length == 0 ? new ClusterStateProto() : ClusterStateProto.Parser.ParseFrom(image);
        var state = new ClusterState(proto, snapshot.Metadata.Index);
        Volatile.Write(ref _state, state);
        Changed?.Invoke(state);
    }
}
