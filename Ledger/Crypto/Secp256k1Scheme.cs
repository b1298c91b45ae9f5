using System.Numerics;
using System.Security.Cryptography;
using IceFire.Ledger.Protocol;

namespace IceFire.Ledger.Crypto;

/// <summary>
/// ECDSA over secp256k1 with SHA-256, the keys of Sawtooth and DGT, through .NET's ECDsa (OpenSSL). Public keys are
/// 33-byte compressed points; signatures are 64-byte r||s with s in the lower half of the group order, the form
/// Bitcoin and Sawtooth's libsecp256k1 accept, so a relayer cannot turn one valid signature into another (and one
/// entry id into another) by negating s.
/// </summary>
public sealed class Secp256k1Scheme : ISignatureScheme
{
    private static readonly ECCurve Curve = ECCurve.CreateFromFriendlyName("secP256k1");

    // The field prime p and the group order n of secp256k1 (SEC 2, section 2.4.1).
    private static readonly BigInteger P = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F", System.Globalization.NumberStyles.HexNumber);
    private static readonly BigInteger N = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);
    private static readonly BigInteger HalfN = N >> 1;

    /// <summary>The one instance.</summary>
    public static readonly Secp256k1Scheme Instance = new();

    private const int MaxCachedKeys = 4096;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ECDsa> _verifiers = new(StringComparer.Ordinal);

    private Secp256k1Scheme()
    {
    }

    public SignatureScheme Id => SignatureScheme.Secp256K1;

    public int PublicKeyLength => 33;

    public int SignatureLength => 64;

    public ISigningKey Generate() => new SigningKey(ECDsa.Create(Curve));

    public ISigningKey Import(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
        {
            throw new CryptographicException("not a 32-byte secp256k1 private key");
        }
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportParameters(new ECParameters { Curve = Curve, D = privateKey.ToArray() });
            return new SigningKey(ecdsa);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeyLength || signature.Length != SignatureLength)
        {
            return false;
        }
        var r = Unsigned(signature[..32]);
        var s = Unsigned(signature[32..]);
        if (r.IsZero || s.IsZero || r >= N || s > HalfN)
        {
            return false;
        }
        var verifier = Verifier(publicKey);
        if (verifier is null)
        {
            return false;
        }
        lock (verifier)
        {
            return verifier.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
    }

    /// <summary>
    /// The imported key for <paramref name="publicKey"/>, or null when it is not a point of the curve. Importing
    /// costs far more than verifying, and a ledger sees few distinct signers, so imported keys are kept (up to
    /// <see cref="MaxCachedKeys"/>; past that the cache starts over).
    /// </summary>
    private ECDsa? Verifier(ReadOnlySpan<byte> publicKey)
    {
        var name = Convert.ToBase64String(publicKey);
        if (_verifiers.TryGetValue(name, out var cached))
        {
            return cached;
        }
        if (!TryDecompress(publicKey, out var q))
        {
            return null;
        }
        ECDsa verifier;
        try
        {
            verifier = ECDsa.Create(new ECParameters { Curve = Curve, Q = q });
        }
        catch (CryptographicException)
        {
            return null;
        }
        if (_verifiers.Count >= MaxCachedKeys)
        {
            // Dropped keys are left to the collector: another thread may still be verifying with one.
            _verifiers.Clear();
        }
        return _verifiers.GetOrAdd(name, verifier);
    }

    private static BigInteger Unsigned(ReadOnlySpan<byte> bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    /// <summary>Recovers y from x and its parity: y = (x^3 + 7)^((p + 1) / 4) mod p, as p = 3 (mod 4).</summary>
    private static bool TryDecompress(ReadOnlySpan<byte> compressed, out ECPoint point)
    {
        point = default;
        if (compressed[0] is not (0x02 or 0x03))
        {
            return false;
        }
        var x = Unsigned(compressed[1..]);
        if (x >= P)
        {
            return false;
        }
        var rhs = (BigInteger.ModPow(x, 3, P) + 7) % P;
        var y = BigInteger.ModPow(rhs, (P + 1) >> 2, P);
        if (BigInteger.ModPow(y, 2, P) != rhs)
        {
            return false;
        }
        if ((y.IsEven ? 0x02 : 0x03) != compressed[0])
        {
            y = P - y;
        }
        point = new ECPoint { X = compressed[1..].ToArray(), Y = Fixed32(y) };
        return true;
    }

    private static byte[] Fixed32(BigInteger value)
    {
        var bytes = new byte[32];
        value.TryWriteBytes(bytes.AsSpan(32 - value.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return bytes;
    }

    private sealed class SigningKey : ISigningKey
    {
        private readonly ECDsa _ecdsa;

        public SigningKey(ECDsa ecdsa)
        {
            _ecdsa = ecdsa;
            var q = ecdsa.ExportParameters(false).Q;
            PublicKey = new byte[33];
            PublicKey[0] = (byte)((q.Y![31] & 1) == 0 ? 0x02 : 0x03);
            q.X!.CopyTo(PublicKey, 1);
        }

        public SignatureScheme Scheme => SignatureScheme.Secp256K1;

        public byte[] PublicKey { get; }

        public byte[] Sign(ReadOnlySpan<byte> data)
        {
            byte[] signature;
            lock (_ecdsa)
            {
                signature = _ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
            var s = Unsigned(signature.AsSpan(32));
            if (s > HalfN)
            {
                Fixed32(N - s).CopyTo(signature, 32);
            }
            return signature;
        }

        public byte[] ExportPrivateKey()
        {
            lock (_ecdsa)
            {
                return _ecdsa.ExportParameters(true).D!;
            }
        }

        public void Dispose() => _ecdsa.Dispose();
    }
}
