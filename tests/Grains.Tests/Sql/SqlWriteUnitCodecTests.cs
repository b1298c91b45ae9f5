using FsCheck;
using FsCheck.Fluent;
using IceFire.Grains.Sql;
using Xunit;

namespace IceFire.Grains.Tests.Sql;

public sealed class SqlWriteUnitCodecTests
{
    private static Gen<SqlWriteUnit> Units()
    {
        var payload = Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));
        var part = Gen.Zip(Gen.Elements(SqlWritePartKind.Changeset, SqlWritePartKind.Statement), payload)
            .Select(p => new SqlWritePart(p.Item1, p.Item2));
        return Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(part, n)).Select(parts => new SqlWriteUnit(parts));
    }

    private static void AssertSame(SqlWriteUnit expected, SqlWriteUnit actual)
    {
        Assert.Equal(expected.Parts.Count, actual.Parts.Count);
        for (var i = 0; i < expected.Parts.Count; i++)
        {
            Assert.Equal(expected.Parts[i].Kind, actual.Parts[i].Kind);
            Assert.Equal(expected.Parts[i].Payload, actual.Parts[i].Payload);
        }
    }

    [Fact]
    public void EveryUnitRoundTrips()
    {
        Prop.ForAll(Units().ToArbitrary(), unit =>
        {
            AssertSame(unit, SqlWriteUnitCodec.Decode(SqlWriteUnitCodec.Encode(unit)));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void EveryTruncationAndEveryExtensionIsRefused()
    {
        Prop.ForAll(Units().ToArbitrary(), unit =>
        {
            var bytes = SqlWriteUnitCodec.Encode(unit);
            for (var length = 0; length < bytes.Length; length++)
            {
                Assert.Throws<SqlWriteUnitFormatException>(() => SqlWriteUnitCodec.Decode(bytes.AsSpan(0, length)));
            }
            Assert.Throws<SqlWriteUnitFormatException>(() => SqlWriteUnitCodec.Decode([.. bytes, 0]));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void TheLayoutIsPinned()
    {
        // Persisted in Raft logs: a change here is a new version, never an edit of this one.
        Assert.Equal(1, SqlWriteUnitCodec.Version);
        Assert.Equal(0, (byte)SqlWritePartKind.Changeset);
        Assert.Equal(1, (byte)SqlWritePartKind.Statement);
        var unit = new SqlWriteUnit([SqlWritePart.ForStatement("DROP TABLE t"), new SqlWritePart(SqlWritePartKind.Changeset, new byte[200])]);
        var bytes = SqlWriteUnitCodec.Encode(unit);
        Assert.Equal(new byte[] { 1, 2, 1, 12 }, bytes[..4]);
        Assert.Equal("DROP TABLE t"u8.ToArray(), bytes[4..16]);
        Assert.Equal(new byte[] { 0, 0xC8, 0x01 }, bytes[16..19]);
        Assert.Equal(19 + 200, bytes.Length);
        Assert.Equal(new byte[] { 1, 0 }, SqlWriteUnitCodec.Encode(SqlWriteUnit.Empty));
    }

    [Fact]
    public void ForeignVersionsKindsAndLengthsAreRefused()
    {
        Assert.Throws<SqlWriteUnitFormatException>(() => SqlWriteUnitCodec.Decode([2, 0]));
        Assert.Throws<SqlWriteUnitFormatException>(() => SqlWriteUnitCodec.Decode([1, 1, 7, 0]));
        Assert.Throws<SqlWriteUnitFormatException>(() => SqlWriteUnitCodec.Decode([1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]));
        Assert.Throws<SqlWriteUnitFormatException>(() => SqlWriteUnitCodec.Decode([1, 1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]));
        Assert.Throws<SqlWriteUnitFormatException>(() => SqlWriteUnitCodec.Decode([1, 1, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]));
        Assert.True(SqlWriteUnitCodec.Decode([1, 1, 0, 0]).Parts[0].Payload.Length == 0);
    }
}
