using System.Security.Cryptography;
using System.Text;

namespace IceFire.Ledger.State;

/// <summary>
/// Sawtooth's state addresses: 35 bytes (70 hex digits), of which the first 3 (6 hex digits) are the family's
/// namespace, the first 6 hex digits of the SHA-512 of the family name, and the other 32 name the key within it.
/// </summary>
public static class Addressing
{
    /// <summary>Length of an address in bytes.</summary>
    public const int Length = 35;

    /// <summary>Length of a namespace prefix in bytes.</summary>
    public const int NamespaceLength = 3;

    /// <summary>The namespace prefix of <paramref name="familyName"/>, as 6 lowercase hex digits.</summary>
    public static string NamespacePrefix(string familyName) => Convert.ToHexStringLower(NamespaceBytes(familyName));

    /// <summary>The namespace prefix of <paramref name="familyName"/> as 3 bytes.</summary>
    public static byte[] NamespaceBytes(string familyName) => SHA512.HashData(Encoding.UTF8.GetBytes(familyName))[..NamespaceLength];

    /// <summary>
    /// The address of <paramref name="key"/> in <paramref name="familyName"/>'s namespace: the prefix followed by the
    /// last 32 bytes of the SHA-512 of the key (Sawtooth's intkey takes the last 64 hex digits of that hash).
    /// </summary>
    public static byte[] Address(string familyName, ReadOnlySpan<byte> key)
    {
        var address = new byte[Length];
        NamespaceBytes(familyName).CopyTo(address, 0);
        Span<byte> hash = stackalloc byte[64];
        SHA512.HashData(key, hash);
        hash[32..].CopyTo(address.AsSpan(NamespaceLength));
        return address;
    }

    /// <summary>The address of the UTF-8 of <paramref name="key"/>.</summary>
    public static byte[] Address(string familyName, string key) => Address(familyName, Encoding.UTF8.GetBytes(key));

    /// <summary>Lowercase hex of <paramref name="address"/>, the form inputs and outputs use.</summary>
    public static string ToHex(ReadOnlySpan<byte> address) => Convert.ToHexStringLower(address);
}
