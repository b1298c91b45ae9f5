using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>Where a follower's replies go when it applies an entry nobody on this node waits for: nowhere.</summary>
internal sealed class DiscardingReplyWriter : IReplyWriter
{
    public RespProtocol Protocol => RespProtocol.Resp2;

    public long Position => 0;

    public void Rewind(long position)
    {
    }

    public void WriteRaw(ReadOnlySpan<byte> frame)
    {
    }

    public void WriteSimpleString(ReadOnlySpan<byte> text)
    {
    }

    public void WriteError(ReadOnlySpan<byte> message)
    {
    }

    public void WriteInteger(long value)
    {
    }

    public void WriteBulk(ReadOnlySpan<byte> value)
    {
    }

    public void WriteNull()
    {
    }

    public void WriteNullArray()
    {
    }

    public void WriteArrayHeader(int count)
    {
    }

    public void WriteMapHeader(int pairs)
    {
    }

    public void WriteSetHeader(int count)
    {
    }

    public void WriteDouble(double value)
    {
    }

    public void WriteVerbatim(ReadOnlySpan<byte> format, ReadOnlySpan<byte> text)
    {
    }
}
