using System.Buffers.Binary;

namespace IceFire.Raft.Tests.Simulation;

/// <summary>A register-per-key state machine: commands are writes tagged with the client operation that issued them.</summary>
internal sealed class KvStateMachine
{
    private readonly Dictionary<byte, long> _values = [];

    public ulong Applied { get; private set; }

    public static byte[] EncodeWrite(byte key, long value, long opId)
    {
        var b = new byte[17];
        b[0] = key;
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(1), value);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(9), opId);
        return b;
    }

    public static long OpIdOf(Entry e) =>
        e.Type == EntryType.Normal && e.Data.Length == 17 ? BinaryPrimitives.ReadInt64LittleEndian(e.Data.AsSpan(9)) : -1;

    public long? Read(byte key) => _values.TryGetValue(key, out var v) ? v : null;

    public void Apply(Entry e)
    {
        if (e.Index != Applied + 1) throw new InvalidOperationException($"apply gap: applied {Applied}, got {e.Index}");
        Applied = e.Index;
        if (e.Type != EntryType.Normal || e.Data.Length != 17) return;
        _values[e.Data[0]] = BinaryPrimitives.ReadInt64LittleEndian(e.Data.AsSpan(1));
    }

    public byte[] Save()
    {
        var b = new byte[8 + 9 * _values.Count];
        BinaryPrimitives.WriteUInt64LittleEndian(b, Applied);
        var at = 8;
        foreach (var (k, v) in _values.OrderBy(p => p.Key))
        {
            b[at] = k;
            BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(at + 1), v);
            at += 9;
        }

        return b;
    }

    public void Restore(byte[] data, ulong index)
    {
        _values.Clear();
        Applied = index;
        if (data.Length == 0) return;
        for (var at = 8; at < data.Length; at += 9) _values[data[at]] = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(at + 1));
    }
}
