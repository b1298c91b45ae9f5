using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants.Replication;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Replication;

public sealed class TenantEntryCodecTests
{
    private static ReadOnlyMemory<byte>[] Args(params string[] args) => args.Select(a => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(a)).ToArray();

    private static CommandBatch Batch(params (CommandId Id, int Db, string[] Args)[] commands)
    {
        var batch = new CommandBatch(new RecordingReplyWriter());
        foreach (var (id, db, args) in commands)
        {
            batch.Add(CommandTable.Get(id), db, Args(args));
        }
        return batch;
    }

    [Fact]
    public void BatchesRoundTripWithTheirClockDatabasesAndBinaryArguments()
    {
        var binary = new string('\0', 3) + "\r\n\u00ff" + new string('x', 300);
        var first = Batch((CommandId.Set, 0, ["SET", "k", binary]), (CommandId.Get, 3, ["get", "k"]));
        var second = Batch((CommandId.Del, 15, ["DEL", "a", "b", ""]));
        var entry = TenantEntryCodec.Encode(new TenantEntryHeader(1_700_000_000_123, 7, 42), [first, second]);

        var decoded = new List<CommandBatch>();
        var header = TenantEntryCodec.Decode(entry, _ => new RecordingReplyWriter(), decoded);

        Assert.Equal(new TenantEntryHeader(1_700_000_000_123, 7, 42), header);
        Assert.Equal(2, decoded.Count);
        Assert.Equal(2, decoded[0].Count);
        Assert.Equal(new BatchCommand(CommandId.Get, 3, 3, 2), decoded[0][1] with { FirstArg = 3 });
        Assert.Equal(binary, Encoding.UTF8.GetString(decoded[0].Arg(decoded[0][0], 2)));
        Assert.Equal(15, decoded[1][0].Db);
        Assert.Equal(4, decoded[1][0].ArgCount);
        Assert.Equal("", Encoding.UTF8.GetString(decoded[1].Arg(decoded[1][0], 3)));
        Assert.True(decoded[0].HasWrites);
    }

    [Fact]
    public void AnEmptyTurnRoundTrips()
    {
        var decoded = new List<CommandBatch>();
        var header = new TenantEntryHeader(-5, ulong.MaxValue, 0);
        Assert.Equal(header, TenantEntryCodec.Decode(TenantEntryCodec.Encode(header, []), _ => new RecordingReplyWriter(), decoded));
        Assert.Empty(decoded);
    }

    [Fact]
    public void AnotherVersionATruncatedEntryOrTrailingBytesAreRefused()
    {
        var entry = TenantEntryCodec.Encode(new TenantEntryHeader(1, 1, 1), [Batch((CommandId.Set, 0, ["SET", "k", "v"]))]);
        var other = (byte[])entry.Clone();
        other[0] = 2;
        Assert.Contains("version 2", Assert.Throws<InvalidDataException>(() => Decode(other)).Message);
        for (var length = 0; length < entry.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => Decode(entry.AsMemory(0, length)));
        }
        Assert.Throws<InvalidDataException>(() => Decode(entry.Concat(new byte[] { 0 }).ToArray()));
        var unknown = (byte[])entry.Clone();
        unknown[27] = 0xFF;
        unknown[28] = 0xFF;
        Assert.Throws<InvalidDataException>(() => Decode(unknown));
    }

    private static void Decode(ReadOnlyMemory<byte> entry) => TenantEntryCodec.Decode(entry, _ => new RecordingReplyWriter(), []);
}
