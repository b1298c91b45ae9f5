namespace IceFire.Grains.Storage.Keyspace;

/// <summary>The type tag stored first in every value. Persisted: explicit, append-only numbers.</summary>
public enum ValueKind : byte
{
    String = 0,
    List = 1,
    Set = 2,
    ZSet = 3,
    Hash = 4,
    Stream = 5,
}

/// <summary>Bits of the second header byte. Persisted: explicit, append-only.</summary>
[Flags]
public enum ValueFlags : byte
{
    None = 0,
    /// <summary>The key was too long to store as is; its full bytes follow the header.</summary>
    LongKey = 1,
}

public static class ValueKindNames
{
    /// <summary>The name TYPE replies with.</summary>
    public static ReadOnlySpan<byte> TypeName(ValueKind kind) => kind switch
    {
        ValueKind.String => "string"u8,
        ValueKind.List => "list"u8,
        ValueKind.Set => "set"u8,
        ValueKind.ZSet => "zset"u8,
        ValueKind.Hash => "hash"u8,
        ValueKind.Stream => "stream"u8,
        _ => "none"u8,
    };

    /// <summary>Parses a TYPE name (SCAN's TYPE filter), case-insensitively.</summary>
    public static bool TryParse(ReadOnlySpan<byte> name, out ValueKind kind)
    {
        for (var k = ValueKind.String; k <= ValueKind.Stream; k++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, TypeName(k)))
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }
}
