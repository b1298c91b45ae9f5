using System.Numerics;
using IceFire.Ledger.Crypto;
using IceFire.Ledger.Protocol;

namespace IceFire.Ledger.Tests;

public sealed class SignatureTests
{
    public static TheoryData<SignatureScheme> Schemes => new() { SignatureScheme.Ed25519, SignatureScheme.Secp256K1 };

    [Theory]
    [MemberData(nameof(Schemes))]
    public void SignsAndVerifiesAndRefusesAnyChange(SignatureScheme id)
    {
        var scheme = SignatureSchemes.Get(id);
        using var key = scheme.Generate();
        var data = "header bytes"u8.ToArray();
        var signature = key.Sign(data);
        Assert.Equal(scheme.SignatureLength, signature.Length);
        Assert.Equal(scheme.PublicKeyLength, key.PublicKey.Length);
        Assert.True(scheme.Verify(key.PublicKey, data, signature));
        Assert.False(scheme.Verify(key.PublicKey, "header byteS"u8, signature));
        for (var i = 0; i < signature.Length; i += 7)
        {
            var bad = (byte[])signature.Clone();
            bad[i] ^= 0x01;
            Assert.False(scheme.Verify(key.PublicKey, data, bad));
        }
        using var other = scheme.Generate();
        Assert.False(scheme.Verify(other.PublicKey, data, signature));
        Assert.False(scheme.Verify(key.PublicKey.AsSpan(1), data, signature));
        Assert.False(scheme.Verify(key.PublicKey, data, signature.AsSpan(1)));
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void PrivateKeysExportAndImport(SignatureScheme id)
    {
        var scheme = SignatureSchemes.Get(id);
        using var key = scheme.Generate();
        using var again = scheme.Import(key.ExportPrivateKey());
        Assert.Equal(key.PublicKey, again.PublicKey);
        Assert.True(scheme.Verify(key.PublicKey, "x"u8, again.Sign("x"u8)));
    }

    [Fact]
    public void Secp256k1SignaturesHaveLowSAndTheHighSTwinIsRefused()
    {
        var n = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);
        using var key = Secp256k1Scheme.Instance.Generate();
        for (var i = 0; i < 20; i++)
        {
            var data = BitConverter.GetBytes(i);
            var signature = key.Sign(data);
            var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
            Assert.True(s <= n >> 1);
            // n - s is the other valid ECDSA signature of the same data: refused, so the encoding is unique.
            var twin = (byte[])signature.Clone();
            var high = (n - s).ToByteArray(isUnsigned: true, isBigEndian: true);
            Array.Clear(twin, 32, 32);
            high.CopyTo(twin, 64 - high.Length);
            Assert.False(Secp256k1Scheme.Instance.Verify(key.PublicKey, data, twin));
        }
    }

    [Fact]
    public void Secp256k1CompressedKeysDecompressForBothParities()
    {
        var seen = new HashSet<byte>();
        for (var i = 0; i < 16 && seen.Count < 2; i++)
        {
            using var key = Secp256k1Scheme.Instance.Generate();
            seen.Add(key.PublicKey[0]);
            Assert.True(Secp256k1Scheme.Instance.Verify(key.PublicKey, "d"u8, key.Sign("d"u8)));
        }
        Assert.Equal(new byte[] { 0x02, 0x03 }, seen.Order().ToArray());
    }

    [Fact]
    public void Ed25519IsTheDefault() => Assert.Equal(SignatureScheme.Ed25519, SignatureSchemes.Default);
}
