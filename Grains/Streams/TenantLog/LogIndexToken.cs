using Orleans.Streams;

namespace IceFire.Grains.Streams;

/// <summary>
/// A position in a tenant's log: the sequence number is the log index. Subscribing with a token delivers the entry at
/// that index first (or the first committed one after it).
/// </summary>
[GenerateSerializer, Immutable, Alias("icefire.tenant-log.token")]
public sealed class LogIndexToken : StreamSequenceToken
{
    /// <summary>The token of log index <paramref name="index"/>.</summary>
    public LogIndexToken(ulong index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, (ulong)long.MaxValue);
        SequenceNumber = (long)index;
    }

    /// <summary>The log index.</summary>
    public ulong Index => (ulong)SequenceNumber;

    /// <inheritdoc />
    [Id(0)]
    public override long SequenceNumber { get; protected set; }

    /// <inheritdoc />
    /// <remarks>Always 0: an entry is one event of the stream.</remarks>
    [Id(1)]
    public override int EventIndex { get; protected set; }

    /// <summary>The log index a subscription with <paramref name="token"/> starts at; null (from now on) without one.</summary>
    public static ulong? IndexOf(StreamSequenceToken? token) => token switch
    {
        null => null,
        _ when token.SequenceNumber < 0 => throw new ArgumentOutOfRangeException(nameof(token), "a log index is not negative"),
        _ => (ulong)token.SequenceNumber,
    };

    /// <inheritdoc />
    public override bool Equals(StreamSequenceToken? other) =>
        other is not null && other.SequenceNumber == SequenceNumber && other.EventIndex == EventIndex;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as StreamSequenceToken);

    /// <inheritdoc />
    public override int GetHashCode() => SequenceNumber.GetHashCode();

    /// <inheritdoc />
    public override int CompareTo(StreamSequenceToken? other)
    {
        if (other is null)
        {
            return 1;
        }
        var order = SequenceNumber.CompareTo(other.SequenceNumber);
        return order != 0 ? order : EventIndex.CompareTo(other.EventIndex);
    }

    /// <inheritdoc />
    public override string ToString() => $"log index {SequenceNumber}";
}
