using Google.Protobuf;

namespace IceFire.Ledger.Format;

/// <summary>
/// The one-encoding rule: a message is accepted only if serializing what was parsed gives back the received bytes.
/// Google.Protobuf writes known fields in field-number order, omits proto3 defaults and packs repeated scalars, so
/// the check refuses reordered fields, explicit defaults, unpacked or split repeated fields and repeated singular
/// fields; unknown fields are dropped while parsing, so they fail the comparison too.
/// </summary>
internal static class Canonical
{
    /// <summary>Parses <paramref name="bytes"/>; false when they do not parse. <paramref name="canonical"/> tells whether they are the one encoding.</summary>
    public static bool TryParse<T>(MessageParser<T> parser, ReadOnlySpan<byte> bytes, out T message, out bool canonical)
        where T : IMessage<T>
    {
        try
        {
            message = parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            message = default!;
            canonical = false;
            return false;
        }
        canonical = message.CalculateSize() == bytes.Length && message.ToByteArray().AsSpan().SequenceEqual(bytes);
        return true;
    }

    /// <summary>Whether <paramref name="items"/> are strictly ascending by ordinal comparison.</summary>
    public static bool StrictlyAscending(IReadOnlyList<string> items)
    {
        for (var i = 1; i < items.Count; i++)
        {
            if (string.CompareOrdinal(items[i - 1], items[i]) >= 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether <paramref name="items"/> are strictly ascending as unsigned byte strings.</summary>
    public static bool StrictlyAscending(IReadOnlyList<ByteString> items)
    {
        for (var i = 1; i < items.Count; i++)
        {
            if (items[i - 1].Span.SequenceCompareTo(items[i].Span) >= 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether <paramref name="text"/> is lowercase hex of at most <paramref name="maxLength"/> digits.</summary>
    public static bool IsLowerHex(string text, int maxLength)
    {
        if (text.Length == 0 || text.Length > maxLength)
        {
            return false;
        }
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }
        return true;
    }
}
