using System.Buffers;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Cluster.Forwarding;

/// <summary>
/// A connection's command batch on its way to the silo leading its tenant (<see cref="ITenantCalls.ExecuteAsync"/>):
/// everything the leader's replica needs to run it as if the connection were its own.
/// </summary>
/// <param name="Tenant">The tenant's name.</param>
/// <param name="Origin">The calling silo's node id: with <paramref name="ClientId"/>, what CLIENT UNBLOCK finds the batch by.</param>
/// <param name="ClientId">The connection's client id (<see cref="CommandBatch.ClientId"/>).</param>
/// <param name="Protocol">The connection's <see cref="RespProtocol"/> number: the dialect of the replies.</param>
/// <param name="IsTransaction">The commands are a MULTI/EXEC transaction (<see cref="CommandBatch.IsTransaction"/>).</param>
/// <param name="ExecCount">For an EXEC under WATCH its queued commands, else -1 (<see cref="CommandBatch.ExecCount"/>).</param>
/// <param name="Watches">The connection's watched keys, when the batch holds WATCH or UNWATCH or is an EXEC under WATCH.</param>
/// <param name="Commands">The commands, in order; each takes the next <see cref="ForwardedCommand.ArgCount"/> arguments.</param>
/// <param name="ArgLengths">The length of every command's every argument (the name first), in order.</param>
/// <param name="Args">Every argument's bytes, one after the other: one buffer, so a pipeline costs the leader no allocation per argument.</param>
[GenerateSerializer, Immutable, Alias("IceFire.ForwardedBatch")]
public sealed record ForwardedBatch(
    [property: Id(0)] string Tenant,
    [property: Id(1)] ulong Origin,
    [property: Id(2)] long ClientId,
    [property: Id(3)] byte Protocol,
    [property: Id(4)] bool IsTransaction,
    [property: Id(5)] int ExecCount,
    [property: Id(6)] ForwardedWatches? Watches,
    [property: Id(7)] ForwardedCommand[] Commands,
    [property: Id(8)] int[] ArgLengths,
    [property: Id(9)] byte[] Args)
{
    /// <summary>
    /// The request for <paramref name="batch"/>. The arguments are copied: Orleans serializes a request when its
    /// connection sends it, which may be after a caller that gave up has handed the connection's buffers back.
    /// </summary>
    public static ForwardedBatch From(string tenant, ulong origin, CommandBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var commands = new ForwardedCommand[batch.Count];
        var argCount = 0;
        var bytes = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var command = batch[i];
            commands[i] = new ForwardedCommand((int)command.Id, command.Db, command.ArgCount);
            argCount += command.ArgCount;
            foreach (var arg in batch.Args(command))
            {
                bytes += arg.Length;
            }
        }
        var lengths = new int[argCount];
        var args = bytes == 0 ? [] : new byte[bytes];
        var a = 0;
        var at = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            foreach (var arg in batch.Args(batch[i]))
            {
                lengths[a++] = arg.Length;
                arg.Span.CopyTo(args.AsSpan(at));
                at += arg.Length;
            }
        }
        return new ForwardedBatch(tenant, origin, batch.ClientId, (byte)batch.Replies.Protocol, batch.IsTransaction, batch.ExecCount,
            ForwardedWatches.From(batch.Watches), commands, lengths, args);
    }

    /// <summary>
    /// The batch to run on the leader's replica, writing its replies to <paramref name="replies"/>; its arguments point
    /// into <see cref="Args"/>.
    /// </summary>
    /// <exception cref="FormatException">The request is malformed (a caller of another version, a damaged message).</exception>
    public CommandBatch ToBatch(ReplyBuffer replies)
    {
        var protocol = (RespProtocol)Protocol;
        if (protocol is not (RespProtocol.Resp2 or RespProtocol.Resp3))
        {
            throw new FormatException($"unknown RESP protocol {Protocol}");
        }
        var batch = new CommandBatch(new RespReplyWriter(replies) { Protocol = protocol })
        {
            ClientId = ClientId,
            IsTransaction = IsTransaction,
        };
        // Slices handed to CommandBatch.Add, which copies the references: one rented array serves every command.
        var slices = ArrayPool<ReadOnlyMemory<byte>>.Shared.Rent(Math.Max(ArgLengths.Length, 1));
        try
        {
            var at = 0;
            for (var i = 0; i < ArgLengths.Length; i++)
            {
                var length = ArgLengths[i];
                if (length < 0 || length > Args.Length - at)
                {
                    throw new FormatException("a forwarded argument runs past the request's bytes");
                }
                slices[i] = Args.AsMemory(at, length);
                at += length;
            }
            if (at != Args.Length)
            {
                throw new FormatException("a forwarded request has bytes no argument covers");
            }
            var first = 0;
            foreach (var command in Commands)
            {
                if (command.ArgCount <= 0 || command.ArgCount > ArgLengths.Length - first)
                {
                    throw new FormatException("a forwarded command has no name or runs past the arguments");
                }
                batch.Add(Info(command.Id), command.Db, slices.AsSpan(first, command.ArgCount));
                first += command.ArgCount;
            }
            if (first != ArgLengths.Length)
            {
                throw new FormatException("a forwarded request has arguments no command takes");
            }
        }
        finally
        {
            ArrayPool<ReadOnlyMemory<byte>>.Shared.Return(slices, clearArray: true);
        }
        var watches = Watches?.ToWatchSet();
        if (ExecCount >= 0)
        {
            batch.BeginExec(ExecCount, watches ?? throw new FormatException("an EXEC under WATCH came without its watches"));
        }
        else
        {
            batch.Watches = watches;
        }
        return batch;
    }

    private static CommandInfo Info(int id)
    {
        try
        {
            return CommandTable.Get((CommandId)id);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            // A silo of a later version may know commands this one does not.
            throw new FormatException($"unknown command id {id}");
        }
    }
}

/// <summary>One command of a <see cref="ForwardedBatch"/>.</summary>
/// <param name="Id">Its <see cref="CommandId"/>'s number.</param>
/// <param name="Db">The logical database it runs in.</param>
/// <param name="ArgCount">How many arguments it takes, its name included.</param>
[GenerateSerializer, Immutable, Alias("IceFire.ForwardedCommand")]
public readonly record struct ForwardedCommand([property: Id(0)] int Id, [property: Id(1)] int Db, [property: Id(2)] int ArgCount);
