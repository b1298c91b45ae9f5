using System.Security.Cryptography;
using IceFire.Grains.Storage.Keyspace;
using Xunit;

namespace IceFire.Grains.Tests.Storage;

public sealed class KeyEncodingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(KeyEncoding.MaxInlineKey)]
    public void KeysUpToTheInlineLimitAreStoredAsIs(int length)
    {
        var key = RandomNumberGenerator.GetBytes(length);
        var destination = new byte[KeyEncoding.MaxEncodedLength];
        var written = KeyEncoding.Encode(key, destination);
        Assert.Equal(length, written);
        Assert.Equal(key, destination[..written]);
        Assert.False(KeyEncoding.IsLong(key));
        Assert.False(KeyEncoding.IsHashed(destination.AsSpan(0, written)));
    }

    [Theory]
    [InlineData(KeyEncoding.MaxInlineKey + 1)]
    [InlineData(10_000)]
    public void LongerKeysArePrefixThenSha256(int length)
    {
        var key = RandomNumberGenerator.GetBytes(length);
        var destination = new byte[KeyEncoding.MaxEncodedLength];
        var written = KeyEncoding.Encode(key, destination);
        Assert.Equal(KeyEncoding.HashedLength, written);
        Assert.Equal(key[..KeyEncoding.MaxInlineKey], destination[..KeyEncoding.MaxInlineKey]);
        Assert.Equal(SHA256.HashData(key), destination[KeyEncoding.MaxInlineKey..KeyEncoding.HashedLength]);
        Assert.True(KeyEncoding.IsLong(key));
        Assert.True(KeyEncoding.IsHashed(destination.AsSpan(0, written)));
    }

    [Fact]
    public void TheEncodingFitsLmdbsKeyLimitWithTheExpiryPrefix()
    {
        // LMDB's default key limit is 511 bytes; the expiry index prepends 8 bytes of time.
        Assert.True(KeyEncoding.MaxEncodedLength + 8 <= 511);
        Assert.Equal(400, KeyEncoding.MaxInlineKey);
        Assert.Equal(432, KeyEncoding.HashedLength);
    }

    [Fact]
    public void LongKeysSharingTheirPrefixEncodeDifferently()
    {
        var a = new byte[10_000];
        var b = new byte[10_000];
        a.AsSpan().Fill((byte)'x');
        b.AsSpan().Fill((byte)'x');
        b[^1] = (byte)'y';
        var ea = new byte[KeyEncoding.MaxEncodedLength];
        var eb = new byte[KeyEncoding.MaxEncodedLength];
        KeyEncoding.Encode(a, ea);
        KeyEncoding.Encode(b, eb);
        Assert.Equal(ea[..KeyEncoding.MaxInlineKey], eb[..KeyEncoding.MaxInlineKey]);
        Assert.NotEqual(ea, eb);
    }

    [Fact]
    public void TheEmptyKeyHasItsOwnNonEmptyEncoding()
    {
        // LMDB refuses zero-length keys; Redis allows the empty key.
        var destination = new byte[KeyEncoding.MaxEncodedLength];
        destination.AsSpan().Fill(0xFF);
        var written = KeyEncoding.Encode([], destination);
        Assert.Equal(KeyEncoding.EmptyKeyLength, written);
        Assert.True(written is > KeyEncoding.MaxInlineKey and < KeyEncoding.HashedLength);
        Assert.All(destination[..written], b => Assert.Equal(0, b));
        Assert.True(KeyEncoding.IsHashed(destination.AsSpan(0, written)));
        Assert.False(KeyEncoding.IsLong([]));
    }
}
