using System.Text;
using IceFire.Raft.Hosting;

namespace IceFire.Raft.Tests.Hosting;

/// <summary>A state machine that records applied commands as strings; thread-safe for readers.</summary>
internal sealed class ListMachine : IRaftStateMachine
{
    private readonly Lock _gate = new();
    private readonly List<(RaftRole Role, ulong Term, int Applied)> _roles = [];
    private List<string> _items = [];

    public int Count
    {
        get { lock (_gate) return _items.Count; }
    }

    public string[] Items
    {
        get { lock (_gate) return [.. _items]; }
    }

    /// <summary>Each role the group reported, with its term and how many commands had been applied then.</summary>
    public (RaftRole Role, ulong Term, int Applied)[] Roles
    {
        get { lock (_gate) return [.. _roles]; }
    }

    public void RoleChanged(RaftRole role, ulong term)
    {
        lock (_gate) _roles.Add((role, term, _items.Count));
    }

    public void Apply(Entry entry)
    {
        if (entry.Type != EntryType.Normal || entry.Data.Length == 0) return;
        lock (_gate) _items.Add(Encoding.UTF8.GetString(entry.Data));
    }

    public int Restores { get; private set; }

    public void TakeSnapshot(SnapshotMetadata metadata, string imagePath)
    {
        string text;
        lock (_gate) text = string.Join('\n', _items);
        File.WriteAllText(imagePath, text);
    }

    public void Restore(Snapshot snapshot, string imagePath)
    {
        Restores++;
        var text = File.ReadAllText(imagePath);
        lock (_gate) _items = text.Length == 0 ? [] : [.. text.Split('\n')];
    }
}
