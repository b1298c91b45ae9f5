using System.Text;
using IceFire.Grains.Hosting;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Storage;

/// <summary>The checksum every keyspace record carries (format 2), and the upgrade of format 1 environments.</summary>
public sealed class RecordChecksumTests : IDisposable
{
    private readonly KeyspaceFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void TheChecksumIsCrc32COverKeyLengthKeyAndBodyLittleEndianAtTheEnd()
    {
        // CRC-32C (Castagnoli, reflected, init and final xor 0xFFFFFFFF) of [1,0,0,0] 'k' [0,0, 0 x 8] 'v'.
        var record = new byte[StoredValue.HeaderLength + 1 + RecordChecksum.Length];
        StoredValue.WriteHeader(record, ValueKind.String, 0, "k"u8);
        record[StoredValue.HeaderLength] = (byte)'v';
        RecordChecksum.Seal("k"u8, record);
        Assert.Equal(new byte[] { 0xba, 0x5f, 0x41, 0x6c }, record[^4..]);
        Assert.True(RecordChecksum.IsValid("k"u8, record));
        Assert.Equal("v", Encoding.ASCII.GetString(StoredValue.Read("k"u8, record, 0).Payload));
    }

    [Fact]
    public void AChangedBitAnywhereInAValueIsCaughtAndNamesTheKey()
    {
        _fx.Write(txn => _fx.Keyspace.Put(txn, 2, Bytes("key"), ValueKind.String, 0, Bytes("some value")));
        var raw = ReadRaw(_fx.Keyspace.KeysOf(2), Bytes("key"));
        for (var bit = 0; bit < raw.Length * 8; bit++)
        {
            var damaged = (byte[])raw.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            var error = Assert.Throws<StoredValueChecksumException>(() => StoredValue.Read(Bytes("key"), damaged, 2));
            Assert.Equal(Bytes("key"), error.Key);
            Assert.Equal(2, error.Database);
            Assert.Contains("'key'", error.Message);
        }
    }

    [Fact]
    public void AValueMovedUnderAnotherKeyFailsItsChecksum()
    {
        _fx.Write(txn => _fx.Keyspace.Put(txn, 0, Bytes("a"), ValueKind.String, 0, Bytes("value of a")));
        var raw = ReadRaw(_fx.Keyspace.KeysOf(0), Bytes("a"));
        Assert.False(StoredValue.TryRead(Bytes("b"), raw, out _));
        Assert.True(StoredValue.TryRead(Bytes("a"), raw, out _));
    }

    [Fact]
    public void AMemberRecordMovedToAnotherCollectionOrChangedFailsItsChecksum()
    {
        _fx.Write(txn => _fx.Keyspace.PutMember(txn, 7, 0, Bytes("field"), Bytes("payload")));
        Span<byte> key = stackalloc byte[RedisKeyspace.MaxMemberKeyLength];
        var length = RedisKeyspace.EncodeMember(7, 0, Bytes("field"), key);
        var memberKey = key[..length].ToArray();
        var raw = ReadRaw(_fx.Keyspace.MembersDatabase, memberKey);
        Assert.Equal("payload", Encoding.ASCII.GetString(RedisKeyspace.MemberPayload(memberKey, raw)));
        var moved = (byte[])memberKey.Clone();
        moved[7] = 8;
        var error = Assert.Throws<StoredValueChecksumException>(() => RedisKeyspace.MemberPayload(moved, raw).ToArray());
        Assert.Equal(8, error.CollectionId);
        raw[3] ^= 0x20;
        Assert.Throws<StoredValueChecksumException>(() => RedisKeyspace.MemberOf(memberKey, raw).ToArray());
    }

    [Fact]
    public void SetExpiryAndCopyMembersSealTheRecordsTheyRewrite()
    {
        _fx.Write(txn =>
        {
            _fx.Keyspace.Put(txn, 0, Bytes("k"), ValueKind.String, 0, Bytes("v"));
            _fx.Keyspace.SetExpiry(txn, 0, Bytes("k"), 99_000);
            _fx.Keyspace.PutMember(txn, 3, 0, Bytes("m"), Bytes("p"));
            _fx.Keyspace.CopyMembers(txn, 3, 4);
        });
        using var read = _fx.Env.BeginRead();
        Assert.True(_fx.Keyspace.TryGet(read, 0, Bytes("k"), 0, out var value));
        Assert.Equal(99_000, value.ExpireAtMs);
        Assert.True(_fx.Keyspace.TryGetMember(read, 4, 0, Bytes("m"), out var payload));
        Assert.Equal("p", Encoding.ASCII.GetString(payload));
    }

    [Fact]
    public void AFormat1EnvironmentIsUpgradedAtOpenAndReadsAsItWasWritten()
    {
        using var dir = new TempDirectory("icefire-format1");
        var longKey = new byte[KeyEncoding.MaxInlineKey + 50];
        longKey.AsSpan().Fill((byte)'L');
        using (var env = LmdbEnvironment.Open(dir.Path, new LmdbEnvironmentOptions { SyncOnCommit = false }))
        {
            WriteFormat1(env, longKey);
        }
        using (var env = LmdbEnvironment.Open(dir.Path, new LmdbEnvironmentOptions { SyncOnCommit = false }))
        {
            var keyspace = RedisKeyspace.Open(env, isNew: false);
            using var read = env.BeginRead();
            Assert.Equal(2, RedisKeyspace.ReadFormat(read, env.OpenDatabase("meta"), dir.Path));
            Assert.True(keyspace.TryGet(read, 0, Bytes("plain"), 0, out var plain));
            Assert.Equal("old value", Encoding.ASCII.GetString(plain.Payload));
            Assert.True(keyspace.TryGet(read, 5, longKey, 0, out var big));
            Assert.Equal("long", Encoding.ASCII.GetString(big.Payload));
            Assert.True(keyspace.TryGet(read, 0, Bytes("h"), 0, out var hash));
            Assert.Equal(ValueKind.Hash, hash.Kind);
            Assert.True(keyspace.TryGetMember(read, 1, 0, Bytes("f"), out var field));
            Assert.Equal("field value", Encoding.ASCII.GetString(field));
            var report = new DataCheckReport();
            KeyspaceCheck.Run(read, "upgraded", report);
            Assert.True(report.IsHealthy, string.Join("\n", report.Damage));
        }
    }

    [Fact]
    public void ANewerFormatIsRefusedAndLeftUntouched()
    {
        var meta = _fx.Env.OpenDatabase("meta");
        _fx.Write(txn => txn.Put(meta, "format"u8, "icefire-keyspace-3"u8));
        var error = Assert.Throws<StorageCorruptionException>(() => RedisKeyspace.Open(_fx.Env, isNew: false));
        Assert.Contains("icefire-keyspace-3", error.Message);
        using var read = _fx.Env.BeginRead();
        Assert.True(read.TryGet(meta, "format"u8, out var stamp));
        Assert.Equal("icefire-keyspace-3", Encoding.ASCII.GetString(stamp));
    }

    /// <summary>Writes records as format 1 did: the same layout, no checksum, stamped icefire-keyspace-1.</summary>
    private static void WriteFormat1(LmdbEnvironment env, byte[] longKey)
    {
        using var txn = env.BeginWrite();
        var meta = txn.OpenDatabase("meta", create: true);
        txn.Put(meta, "format"u8, "icefire-keyspace-1"u8);
        txn.Put(meta, "next-collection-id"u8, BitConverter.GetBytes(2L));
        var keys0 = txn.OpenDatabase("keys0", create: true);
        txn.Put(keys0, "plain"u8, Format1Value(ValueKind.String, "plain"u8, "old value"u8));
        var header = new byte[CollectionHeader.Length];
        new CollectionHeader(1, 1).Write(header);
        txn.Put(keys0, "h"u8, Format1Value(ValueKind.Hash, "h"u8, header));
        var keys5 = txn.OpenDatabase("keys5", create: true);
        Span<byte> encoded = stackalloc byte[KeyEncoding.MaxEncodedLength];
        var length = KeyEncoding.Encode(longKey, encoded);
        txn.Put(keys5, encoded[..length], Format1Value(ValueKind.String, longKey, "long"u8));
        var members = txn.OpenDatabase("members", create: true);
        Span<byte> memberKey = stackalloc byte[RedisKeyspace.MaxMemberKeyLength];
        var memberLength = RedisKeyspace.EncodeMember(1, 0, "f"u8, memberKey);
        txn.Put(members, memberKey[..memberLength], [0, .. "field value"u8.ToArray()]);
        txn.Commit();
    }

    private static byte[] Format1Value(ValueKind kind, ReadOnlySpan<byte> key, ReadOnlySpan<byte> payload)
    {
        var value = new byte[StoredValue.Overhead(key) - RecordChecksum.Length + payload.Length];
        var start = StoredValue.WriteHeader(value, kind, 0, key);
        payload.CopyTo(value.AsSpan(start));
        return value;
    }

    private byte[] ReadRaw(LmdbDatabase db, byte[] key)
    {
        using var read = _fx.Env.BeginRead();
        Assert.True(read.TryGet(db, key, out var raw));
        return raw.ToArray();
    }
}
