namespace IceFire.Grains.Interfaces;

/// <summary>
/// Compares pub/sub channel and pattern names by their bytes, and lets a span find a stored name
/// without allocating (<c>GetAlternateLookup&lt;ReadOnlySpan&lt;byte&gt;&gt;</c>). Stateless and thread-safe.
/// </summary>
public sealed class ChannelNameComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    private ChannelNameComparer()
    {
    }

    /// <summary>The one instance.</summary>
    public static ChannelNameComparer Instance { get; } = new();

    /// <inheritdoc/>
    public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    /// <inheritdoc/>
    public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

    /// <inheritdoc/>
    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    /// <inheritdoc/>
    public int GetHashCode(ReadOnlySpan<byte> alternate)
    {
        var hash = new HashCode();
        hash.AddBytes(alternate);
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
