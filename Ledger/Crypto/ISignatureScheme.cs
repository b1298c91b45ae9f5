using IceFire.Ledger.Protocol;

namespace IceFire.Ledger.Crypto;

/// <summary>
/// One signature algorithm: key generation, import and verification. Implementations are stateless and safe to call
/// from any thread. Verification never throws for bad input: a malformed key or signature verifies as false.
/// </summary>
public interface ISignatureScheme
{
    /// <summary>The scheme's number on the wire.</summary>
    SignatureScheme Id { get; }

    /// <summary>Length of an encoded public key in bytes.</summary>
    int PublicKeyLength { get; }

    /// <summary>Length of a signature in bytes.</summary>
    int SignatureLength { get; }

    /// <summary>Creates a new random key pair. The caller disposes it.</summary>
    ISigningKey Generate();

    /// <summary>Imports a private key written by <see cref="ISigningKey.ExportPrivateKey"/>.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The bytes are not a valid private key.</exception>
    ISigningKey Import(ReadOnlySpan<byte> privateKey);

    /// <summary>Whether <paramref name="signature"/> is this scheme's valid signature of <paramref name="data"/> by <paramref name="publicKey"/>.</summary>
    bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);
}

/// <summary>
/// A private key. Signing is safe from several threads at once for both schemes here. The returned arrays belong to
/// the caller.
/// </summary>
public interface ISigningKey : IDisposable
{
    /// <summary>The scheme of the key.</summary>
    SignatureScheme Scheme { get; }

    /// <summary>The encoded public key (see <see cref="ISignatureScheme.PublicKeyLength"/>).</summary>
    byte[] PublicKey { get; }

    /// <summary>Signs <paramref name="data"/>.</summary>
    byte[] Sign(ReadOnlySpan<byte> data);

    /// <summary>The private key's bytes (a 32-byte seed or scalar), for <see cref="ISignatureScheme.Import"/>.</summary>
    byte[] ExportPrivateKey();
}
