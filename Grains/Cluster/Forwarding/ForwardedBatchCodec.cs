using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Cluster.Forwarding;

/// <summary>The kinds of cluster calls that reach a tenant's replica on another silo.</summary>
public static class ForwardKinds
{
    /// <summary>Run a command batch (<see cref="ITenantGrain.ExecuteAsync"/>).</summary>
    public const byte Execute = 1;

    /// <summary>Wake a blocked command (<see cref="ITenantGrain.UnblockAsync"/>).</summary>
    public const byte Unblock = 2;

    /// <summary>Statistics for INFO (<see cref="ITenantGrain.GetInfoAsync"/>).</summary>
    public const byte Info = 3;
}

/// <summary>The status of a forwarded tenant call, in the response's status byte.</summary>
public enum ForwardStatus : byte
{
    Ok = 0,

    /// <summary>The replica does not lead its group: u64 leader hint, u8 <see cref="Raft.ProposeStatus"/>, message.</summary>
    NotLeader = 1,

    /// <summary>The silo holds no replica of the tenant: message.</summary>
    TenantNotFound = 2,

    /// <summary>Leadership was lost after the write was proposed; it may or may not apply: message.</summary>
    OutcomeUnknown = 3,

    /// <summary>The tenant is unavailable in bounded time: the error reply.</summary>
    Unavailable = 4,

    /// <summary>The tenant failed the batch (storage error): message.</summary>
    Failed = 5,
}

/// <summary>
/// Encodes a command batch for the silo that leads its tenant, and that silo's answer: the replies as RESP bytes in
/// the connection's dialect and the connection's watched keys as the leader left them.
/// </summary>
public static class ForwardedBatchCodec
{
    private const byte TransactionFlag = 1;
    private const byte WatchesFlag = 2;

    /// <summary>The request of <see cref="ForwardKinds.Execute"/>; <paramref name="origin"/> is the calling silo.</summary>
    public static ReadOnlyMemory<byte> Encode(string tenant, ulong origin, CommandBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var w = new WireWriter();
        w.String(tenant);
        w.UInt64(origin);
        w.Int64(batch.ClientId);
        w.Byte((byte)batch.Replies.Protocol);
        w.Byte((byte)((batch.IsTransaction ? TransactionFlag : 0) | (batch.Watches is not null ? WatchesFlag : 0)));
        w.Int32(batch.ExecCount);
        if (batch.Watches is { } watches)
        {
            WriteWatches(w, watches);
        }
        w.Int32(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var command = batch[i];
            w.Int32((int)command.Id);
            w.Int32(command.Db);
            var args = batch.Args(command);
            w.Int32(args.Length);
            foreach (var arg in args)
            {
                w.Bytes(arg.Span);
            }
        }
        return w.Written;
    }

    /// <summary>A decoded <see cref="ForwardKinds.Execute"/> request: the batch writes its replies to <see cref="Replies"/>.</summary>
    public sealed class Request(string tenant, ulong origin, CommandBatch batch, ReplyBuffer replies)
    {
        public string Tenant => tenant;

        public ulong Origin => origin;

        public CommandBatch Batch => batch;

        public ReplyBuffer Replies => replies;
    }

    /// <summary>Rebuilds the batch of an <see cref="ForwardKinds.Execute"/> request; its arguments point into <paramref name="payload"/>.</summary>
    /// <exception cref="FormatException">The payload is malformed.</exception>
    public static Request Decode(ReadOnlyMemory<byte> payload)
    {
        var r = new WireReader(payload.Span);
        var tenant = r.String();
        var origin = r.UInt64();
        var clientId = r.Int64();
        var protocol = (RespProtocol)r.Byte();
        if (protocol is not (RespProtocol.Resp2 or RespProtocol.Resp3))
        {
            throw new FormatException($"unknown RESP protocol {(int)protocol}");
        }
        var flags = r.Byte();
        var execCount = r.Int32();
        var watches = (flags & WatchesFlag) != 0 ? ReadWatches(ref r) : null;
        var replies = new ReplyBuffer();
        var batch = new CommandBatch(new RespReplyWriter(replies) { Protocol = protocol })
        {
            ClientId = clientId,
            IsTransaction = (flags & TransactionFlag) != 0,
        };
        var count = r.Int32();
        var args = new List<ReadOnlyMemory<byte>>();
        for (var i = 0; i < count; i++)
        {
            var id = (CommandId)r.Int32();
            var db = r.Int32();
            var argc = r.Int32();
            if (argc <= 0)
            {
                throw new FormatException("a forwarded command has no name");
            }
            args.Clear();
            for (var a = 0; a < argc; a++)
            {
                var length = r.Int32();
                var start = r.Position;
                r.Skip(length);
                args.Add(payload.Slice(start, length));
            }
            CommandInfo info;
            try
            {
                info = CommandTable.Get(id);
            }
            catch (ArgumentOutOfRangeException)
            {
                throw new FormatException($"unknown command id {(int)id}");
            }
            batch.Add(info, db, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(args));
        }
        if (execCount >= 0)
        {
            batch.BeginExec(execCount, watches ?? throw new FormatException("an EXEC under WATCH came without its watches"));
        }
        else
        {
            batch.Watches = watches;
        }
        return new Request(tenant, origin, batch, replies);
    }

    /// <summary>The answer to a batch that ran: the watches as the leader left them, then the replies.</summary>
    public static ReadOnlyMemory<byte> EncodeResult(CommandBatch batch, ReplyBuffer replies)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(replies);
        var w = new WireWriter();
        w.Byte(batch.Watches is null ? (byte)0 : (byte)1);
        if (batch.Watches is { } watches)
        {
            WriteWatches(w, watches);
        }
        w.Bytes(replies.WrittenMemory.Span);
        return w.Written;
    }

    /// <summary>Writes the replies of an answered batch to <paramref name="batch"/> and brings its watches up to date.</summary>
    public static void ApplyResult(ReadOnlySpan<byte> result, CommandBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var r = new WireReader(result);
        if (r.Byte() != 0)
        {
            var remote = ReadWatches(ref r);
            if (batch.Watches is { } local)
            {
                local.Keys.Clear();
                local.Keys.AddRange(remote.Keys);
                local.Failed = remote.Failed;
            }
        }
        batch.Replies.WriteRaw(r.Bytes());
    }

    private static void WriteWatches(WireWriter w, WatchSet watches)
    {
        w.Byte(watches.Failed ? (byte)1 : (byte)0);
        w.Int32(watches.Keys.Count);
        foreach (var key in watches.Keys)
        {
            w.Int32(key.Db);
            w.Bytes(key.Key);
            w.Int64(key.Version);
            w.Int64(key.ExpiredVersion);
            w.Byte(key.ExpiredAtWatch ? (byte)1 : (byte)0);
        }
    }

    private static WatchSet ReadWatches(ref WireReader r)
    {
        var watches = new WatchSet { Failed = r.Byte() != 0 };
        var count = r.Int32();
        for (var i = 0; i < count; i++)
        {
            var db = r.Int32();
            var key = r.Bytes().ToArray();
            watches.Keys.Add(new WatchedKey(db, key, r.Int64(), r.Int64(), r.Byte() != 0));
        }
        return watches;
    }

    /// <summary>Encodes the answer of <see cref="ForwardKinds.Info"/>.</summary>
    public static ReadOnlyMemory<byte> EncodeInfo(TenantInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var w = new WireWriter();
        w.Int32(info.Keyspace.Count);
        foreach (var (db, keys, expires) in info.Keyspace)
        {
            w.Int32(db);
            w.Int64(keys);
            w.Int64(expires);
        }
        w.Int64(info.UsedBytes);
        w.Int64(info.LastCommitUnixSeconds);
        w.Int64(info.Commits);
        w.Int64(info.CommandsWritten);
        w.Int64(info.ExpiredKeys);
        w.Int64(info.ChecksumFailures);
        return w.Written;
    }

    public static TenantInfo DecodeInfo(ReadOnlySpan<byte> payload)
    {
        var r = new WireReader(payload);
        var count = r.Int32();
        if (count < 0 || count > 1 << 16)
        {
            throw new FormatException("a tenant's INFO answer is malformed");
        }
        var keyspace = new List<(int, long, long)>(count);
        for (var i = 0; i < count; i++)
        {
            keyspace.Add((r.Int32(), r.Int64(), r.Int64()));
        }
        var info = new TenantInfo(keyspace, r.Int64(), r.Int64(), r.Int64(), r.Int64(), r.Int64());
        // A silo of an earlier version sends no checksum count.
        return r.AtEnd ? info : info with { ChecksumFailures = r.Int64() };
    }

    /// <summary>The request of <see cref="ForwardKinds.Unblock"/> and <see cref="ForwardKinds.Info"/>.</summary>
    internal static ReadOnlyMemory<byte> EncodeUnblock(string tenant, ulong origin, long clientId, UnblockReason reason)
    {
        var w = new WireWriter();
        w.String(tenant);
        w.UInt64(origin);
        w.Int64(clientId);
        w.Byte((byte)reason);
        return w.Written;
    }

    internal static (string Tenant, ulong Origin, long ClientId, UnblockReason Reason) DecodeUnblock(ReadOnlySpan<byte> payload)
    {
        var r = new WireReader(payload);
        return (r.String(), r.UInt64(), r.Int64(), (UnblockReason)r.Byte());
    }

    /// <summary>A failure status with a message.</summary>
    internal static NodeCallResult Failure(ForwardStatus status, string message, ulong leaderHint = 0, byte proposeStatus = 0)
    {
        var w = new WireWriter();
        if (status == ForwardStatus.NotLeader)
        {
            w.UInt64(leaderHint);
            w.Byte(proposeStatus);
        }
        w.String(message);
        return new NodeCallResult((byte)status, w.Written);
    }
}
