using System.Text;
using IceFire.Grains.Hosting.Catalog;
using Xunit;

namespace IceFire.Grains.Tests.Hosting;

public sealed class TenantPasswordTests
{
    [Fact]
    public void VerifiesThePasswordItWasMadeFromAndNothingElse()
    {
        var hash = TenantPassword.Hash("correct horse"u8, iterations: 1000);
        Assert.True(TenantPassword.Verify(hash, "correct horse"u8));
        Assert.False(TenantPassword.Verify(hash, "correct horsE"u8));
        Assert.False(TenantPassword.Verify(hash, ""u8));
        Assert.Equal(TenantPassword.Pbkdf2Sha256, hash.Algorithm);
        Assert.Equal(1000, hash.Iterations);
        Assert.Equal(TenantPassword.SaltBytes, hash.Salt.Length);
        Assert.Equal(TenantPassword.HashBytes, hash.Hash.Length);
    }

    [Fact]
    public void EveryHashHasItsOwnSalt()
    {
        var a = TenantPassword.Hash("same"u8, iterations: 1000);
        var b = TenantPassword.Hash("same"u8, iterations: 1000);
        Assert.NotEqual(a.Salt, b.Salt);
        Assert.NotEqual(a.Hash, b.Hash);
        Assert.True(TenantPassword.Verify(b, "same"u8));
    }

    [Fact]
    public void MatchesPbkdf2HmacSha256TestVector()
    {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64 (first 32 bytes here).
        var expected = Convert.FromHexString("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
        var stored = new PasswordHash(TenantPassword.Pbkdf2Sha256, 1, Encoding.ASCII.GetBytes("salt"), expected);
        Assert.True(TenantPassword.Verify(stored, "passwd"u8));
    }

    [Fact]
    public void AnUnknownAlgorithmNeverVerifies()
    {
        var hash = TenantPassword.Hash("pw"u8, iterations: 1000) with { Algorithm = "md5" };
        Assert.False(TenantPassword.Verify(hash, "pw"u8));
    }
}
