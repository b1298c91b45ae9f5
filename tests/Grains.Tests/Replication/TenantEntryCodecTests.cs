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
    public void AnEntryIsWrittenIntoOneArrayOfItsLength()
    {
        var value = new string('v', 4096);
        var batch = Batch((CommandId.Set, 0, ["SET", "k", value]), (CommandId.Set, 1, ["SET", "k2", value]));
        CommandBatch[] batches = [batch];
        TenantEntryCodec.Encode(new TenantEntryHeader(1, 1, 1), batches);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var entry = TenantEntryCodec.Encode(new TenantEntryHeader(1, 1, 2), batches);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // The array itself and little else: no growing buffer (which would take twice the entry), no final copy.
        Assert.InRange(allocated, entry.Length, entry.Length + 256);
        var decoded = new List<CommandBatch>();
        TenantEntryCodec.Decode(entry, _ => new RecordingReplyWriter(), decoded);
        Assert.Equal(2, Assert.Single(decoded).Count);
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
        other[0] = 3;
        Assert.Contains("version 3", Assert.Throws<InvalidDataException>(() => Decode(other)).Message);
        for (var length = 0; length < entry.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => Decode(entry.AsMemory(0, length)));
        }
        Assert.Throws<InvalidDataException>(() => Decode(entry.Concat(new byte[] { 0 }).ToArray()));
        var unknown = (byte[])entry.Clone();
        unknown[28] = 0xFF;
        unknown[29] = 0xFF;
        Assert.Throws<InvalidDataException>(() => Decode(unknown));
        var kind = (byte[])entry.Clone();
        kind[25] = 9;
        Assert.Throws<InvalidDataException>(() => Decode(kind));
    }

    [Fact]
    public void AVersion1EntryStillDecodes()
    {
        // Version 1 as written before entries had a kind: the header without its kind byte, then the batches.
        var entry = TenantEntryCodec.Encode(new TenantEntryHeader(77, 2, 9), [Batch((CommandId.Set, 1, ["SET", "k", "v"]))]);
        var v1 = entry.Take(25).Concat(entry.Skip(26)).ToArray();
        v1[0] = 1;

        var decoded = new List<CommandBatch>();
        Assert.Equal(new TenantEntryHeader(77, 2, 9), TenantEntryCodec.Decode(v1, _ => new RecordingReplyWriter(), decoded));
        Assert.Equal("v", Encoding.UTF8.GetString(decoded[0].Arg(decoded[0][0], 2)));
        Assert.Equal(1, decoded[0][0].Db);
    }

    [Fact]
    public void AnExpirySweepRoundTripsAndIsNotCommands()
    {
        var entry = TenantEntryCodec.EncodeSweep(new TenantEntryHeader(123, 4, 5), 1000);
        Assert.Equal(new TenantEntryHeader(123, 4, 5, TenantEntryKind.ExpirySweep), TenantEntryCodec.ReadHeader(entry));
        Assert.Equal(1000, TenantEntryCodec.DecodeSweep(entry));
        Assert.Throws<InvalidDataException>(() => Decode(entry));
        Assert.Throws<InvalidDataException>(() => TenantEntryCodec.DecodeSweep(TenantEntryCodec.Encode(new TenantEntryHeader(1, 1, 1), [])));
    }

    [Fact]
    public void EntryKindsKeepTheirNumbers()
    {
        Assert.Equal(2, TenantEntryCodec.Version);
        Assert.Equal(0, (int)TenantEntryKind.Commands);
        Assert.Equal(1, (int)TenantEntryKind.ExpirySweep);
    }

    private static void Decode(ReadOnlyMemory<byte> entry) => TenantEntryCodec.Decode(entry, _ => new RecordingReplyWriter(), []);
}
