namespace IceFire.Gateway.Resp.Protocol;

/// <summary>The arguments of the command being parsed: slices of the connection's input, reused per command.</summary>
internal sealed class ArgumentList
{
    private ReadOnlyMemory<byte>[] _items = new ReadOnlyMemory<byte>[16];

    public int Count { get; private set; }

    public ReadOnlySpan<byte> this[int index] => _items[index].Span;

    public ReadOnlyMemory<byte> Memory(int index) => _items[index];

    public ReadOnlySpan<ReadOnlyMemory<byte>> AsSpan() => _items.AsSpan(0, Count);

    public void Add(ReadOnlyMemory<byte> item)
    {
        // Grows as arguments arrive, never to a declared count, so "*1000000" alone allocates nothing.
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }
        _items[Count++] = item;
    }

    public void Clear()
    {
        _items.AsSpan(0, Count).Clear();
        Count = 0;
    }
}
