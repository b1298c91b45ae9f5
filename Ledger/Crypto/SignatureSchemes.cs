using IceFire.Ledger.Protocol;

namespace IceFire.Ledger.Crypto;

/// <summary>The schemes the ledger accepts, by wire number.</summary>
public static class SignatureSchemes
{
    /// <summary>
    /// The scheme new keys get unless asked otherwise: Ed25519. Its signatures are deterministic (no random nonce to
    /// leak the key), cannot be altered into a second valid form, and verify about seven times faster than
    /// secp256k1's here, which matters because every node verifies every entry and transaction it receives.
    /// </summary>
    public const SignatureScheme Default = SignatureScheme.Ed25519;

    /// <summary>The implementation of <paramref name="scheme"/>; false for an unknown or unspecified scheme.</summary>
    public static bool TryGet(SignatureScheme scheme, out ISignatureScheme implementation)
    {
        switch (scheme)
        {
            case SignatureScheme.Ed25519:
                implementation = Ed25519Scheme.Instance;
                return true;
            case SignatureScheme.Secp256K1:
                implementation = Secp256k1Scheme.Instance;
                return true;
            default:
                implementation = null!;
                return false;
        }
    }

    /// <summary>The implementation of <paramref name="scheme"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The scheme is not one of the ledger's.</exception>
    public static ISignatureScheme Get(SignatureScheme scheme) =>
        TryGet(scheme, out var implementation) ? implementation : throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "unknown signature scheme");

    /// <summary>Whether <paramref name="signature"/> is a valid signature of <paramref name="data"/>; false for an unknown scheme.</summary>
    public static bool Verify(SignatureScheme scheme, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        TryGet(scheme, out var implementation) && implementation.Verify(publicKey, data, signature);
}
