using IceFire.Gateway.Resp.Protocol;
using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>
/// The commands queued between MULTI and EXEC, with their arguments copied into one growing block (the input they
/// were parsed from is reused), so a queued command costs its bytes plus a few words, not an array per argument.
/// </summary>
internal sealed class TransactionQueue
{
    // What a queued command and each of its arguments cost besides the argument bytes (entries of the two tables).
    private const int CommandOverhead = 24;
    private const int ArgumentOverhead = 8;

    private readonly List<(CommandInfo Info, int FirstArg, int ArgCount)> _commands = [];
    private (int Start, int Length)[] _args = new (int, int)[16];
    private byte[] _data = new byte[256];
    private int _argCount;
    private int _dataLength;

    public int Count => _commands.Count;

    /// <summary>What the queue holds, counted against client-query-buffer-limit (CLIENT LIST multi-mem).</summary>
    public long Bytes => _dataLength + (long)_argCount * ArgumentOverhead + (long)_commands.Count * CommandOverhead;

    public CommandInfo this[int index] => _commands[index].Info;

    /// <summary>Queues a copy of <paramref name="args"/>; false, queuing nothing, when the queue would pass <paramref name="limit"/> bytes.</summary>
    public bool TryAdd(CommandInfo info, ArgumentList args, long limit)
    {
        long bytes = CommandOverhead;
        for (var i = 0; i < args.Count; i++)
        {
            bytes += args[i].Length + ArgumentOverhead;
        }
        if (Bytes + bytes > limit || _dataLength + bytes > Array.MaxLength)
        {
            return false;
        }
        if (_argCount + args.Count > _args.Length)
        {
            Array.Resize(ref _args, Math.Max(_args.Length * 2, _argCount + args.Count));
        }
        _commands.Add((info, _argCount, args.Count));
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (_dataLength + arg.Length > _data.Length)
            {
                Array.Resize(ref _data, (int)Math.Min(Array.MaxLength, Math.Max(_data.Length * 2L, _dataLength + (long)arg.Length)));
            }
            arg.CopyTo(_data.AsSpan(_dataLength));
            _args[_argCount++] = (_dataLength, arg.Length);
            _dataLength += arg.Length;
        }
        return true;
    }

    /// <summary>The arguments of command <paramref name="index"/>, written into <paramref name="target"/> (at least that many long).</summary>
    public int CopyArgs(int index, ReadOnlyMemory<byte>[] target)
    {
        var (_, first, count) = _commands[index];
        for (var i = 0; i < count; i++)
        {
            var (start, length) = _args[first + i];
            target[i] = _data.AsMemory(start, length);
        }
        return count;
    }

    /// <summary>The most arguments any queued command has.</summary>
    public int MaxArgs()
    {
        var max = 0;
        foreach (var (_, _, count) in _commands)
        {
            max = Math.Max(max, count);
        }
        return max;
    }
}
