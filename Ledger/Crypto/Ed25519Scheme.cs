using IceFire.Ledger.Protocol;
using NSec.Cryptography;

namespace IceFire.Ledger.Crypto;

/// <summary>Ed25519 (RFC 8032) through NSec/libsodium, which refuses non-canonical signatures and small-order keys.</summary>
public sealed class Ed25519Scheme : ISignatureScheme
{
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    /// <summary>The one instance.</summary>
    public static readonly Ed25519Scheme Instance = new();

    private Ed25519Scheme()
    {
    }

    public SignatureScheme Id => SignatureScheme.Ed25519;

    public int PublicKeyLength => 32;

    public int SignatureLength => 64;

    public ISigningKey Generate() => new SigningKey(Key.Create(Algorithm, Exportable()));

    public ISigningKey Import(ReadOnlySpan<byte> privateKey)
    {
        if (!Key.TryImport(Algorithm, privateKey, KeyBlobFormat.RawPrivateKey, out var key, Exportable()) || key is null)
        {
            throw new System.Security.Cryptography.CryptographicException("not a 32-byte Ed25519 private key");
        }
        return new SigningKey(key);
    }

    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeyLength || signature.Length != SignatureLength)
        {
            return false;
        }
        if (!PublicKey.TryImport(Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
        {
            return false;
        }
        return Algorithm.Verify(key, data, signature);
    }

    private static KeyCreationParameters Exportable() => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    private sealed class SigningKey(Key key) : ISigningKey
    {
        public SignatureScheme Scheme => SignatureScheme.Ed25519;

        public byte[] PublicKey { get; } = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);

        public byte[] Sign(ReadOnlySpan<byte> data) => Algorithm.Sign(key, data);

        public byte[] ExportPrivateKey() => key.Export(KeyBlobFormat.RawPrivateKey);

        public void Dispose() => key.Dispose();
    }
}
