using System.Threading.Tasks.Sources;

namespace IceFire.Grains.Interfaces;

/// <summary>One command of a batch: its id, its database and where its arguments are.</summary>
public readonly record struct BatchCommand(CommandId Id, int Db, int FirstArg, int ArgCount);

/// <summary>
/// Commands a connection hands to a tenant in one call, in order, with the writer for their replies.
/// Reused by its connection from call to call, so a call allocates nothing. Ownership: the connection
/// fills it, the tenant reads it and writes replies until it completes the batch, and only then may
/// the connection touch it again. Argument memory belongs to the connection and stays valid until then.
/// </summary>
public sealed class CommandBatch : IValueTaskSource
{
    private ReadOnlyMemory<byte>[] _args = new ReadOnlyMemory<byte>[64];
    private BatchCommand[] _commands = new BatchCommand[16];
    private int _argCount;
    private int _count;
    private bool _blocked;
    private ManualResetValueTaskSourceCore<bool> _completion = new() { RunContinuationsAsynchronously = true };

    public CommandBatch(IReplyWriter replies)
    {
        Replies = replies;
    }

    /// <summary>Where replies go, in command order.</summary>
    public IReplyWriter Replies { get; }

    /// <summary>Number of commands.</summary>
    public int Count => _count;

    /// <summary>True when any command writes; such a batch goes through the tenant's writer.</summary>
    public bool HasWrites { get; private set; }

    /// <summary>
    /// The connection's watched keys, present when the batch holds WATCH or UNWATCH or is an EXEC under WATCH;
    /// the tenant reads and changes it only while it runs the batch.
    /// </summary>
    public WatchSet? Watches { get; set; }

    /// <summary>
    /// For the first batch of an EXEC under WATCH: the number of queued commands. The tenant then checks
    /// <see cref="Watches"/> before the commands and writes the reply's array header, or a null array
    /// (running nothing) when a watched key changed. -1 for every other batch.
    /// </summary>
    public int ExecCount { get; private set; } = -1;

    /// <summary>The identity of the client, for commands that report it.</summary>
    public long ClientId { get; set; }

    /// <summary>
    /// True when the commands are a MULTI/EXEC transaction: they run as one unit, and a blocking command
    /// among them answers at once as if it had timed out (Redis never blocks inside EXEC). Set by the
    /// connection; <see cref="Clear"/> leaves it alone.
    /// </summary>
    public bool IsTransaction { get; set; }

    /// <summary>
    /// True when the connection said READONLY: a batch that only reads may be served by a follower replica on the
    /// silo the client reached, possibly stale, instead of by the leader. Set by the connection; <see cref="Clear"/>
    /// leaves it alone.
    /// </summary>
    public bool AllowStaleReads { get; set; }

    /// <summary>
    /// Cancelled when nobody waits for the replies any more (the client left, the server stops): a blocking
    /// command waiting for a key then gives up at once. Set by the connection.
    /// </summary>
    public CancellationToken Cancellation { get; set; }

    /// <summary>
    /// True while the batch's last command, a blocking one, waits for a key (INFO blocked_clients, CLIENT
    /// LIST flag b). Written by the tenant, readable from any thread.
    /// </summary>
    public bool IsBlocked
    {
        get => Volatile.Read(ref _blocked);
        set => Volatile.Write(ref _blocked, value);
    }

    public BatchCommand this[int index] => _commands[index];

    /// <summary>Argument <paramref name="index"/> (0 is the command name) of <paramref name="command"/>.</summary>
    public ReadOnlySpan<byte> Arg(scoped in BatchCommand command, int index) => _args[command.FirstArg + index].Span;

    /// <summary>The arguments of <paramref name="command"/>, name included.</summary>
    public ReadOnlySpan<ReadOnlyMemory<byte>> Args(scoped in BatchCommand command) => _args.AsSpan(command.FirstArg, command.ArgCount);

    /// <summary>Appends a command; <paramref name="args"/> are copied as references, not bytes.</summary>
    public void Add(CommandInfo info, int db, ReadOnlySpan<ReadOnlyMemory<byte>> args)
    {
        if (_count == _commands.Length)
        {
            Array.Resize(ref _commands, _count * 2);
        }
        if (_argCount + args.Length > _args.Length)
        {
            Array.Resize(ref _args, Math.Max(_args.Length * 2, _argCount + args.Length));
        }
        args.CopyTo(_args.AsSpan(_argCount));
        _commands[_count++] = new BatchCommand(info.Id, db, _argCount, args.Length);
        _argCount += args.Length;
        // WATCH and UNWATCH write nothing but must be ordered with the writes around them.
        HasWrites |= info.IsWrite || info.Id is CommandId.Watch or CommandId.Unwatch;
    }

    /// <summary>Makes this batch the start of an EXEC of <paramref name="count"/> commands checked against <paramref name="watches"/>.</summary>
    public void BeginExec(int count, WatchSet watches)
    {
        ExecCount = count;
        Watches = watches;
        watches.Failed = false;
        HasWrites = true;
    }

    /// <summary>Empties the batch for reuse; drops argument references so pooled memory is not held.</summary>
    public void Clear()
    {
        _args.AsSpan(0, _argCount).Clear();
        _argCount = 0;
        _count = 0;
        HasWrites = false;
        ExecCount = -1;
        Watches = null;
    }

    /// <summary>Prepares the completion for one more asynchronous round.</summary>
    public ValueTask Start()
    {
        _completion.Reset();
        return new ValueTask(this, _completion.Version);
    }

    /// <summary>Called by the tenant when every reply is written and the writes are durable.</summary>
    public void Complete() => _completion.SetResult(true);

    /// <summary>Called by the tenant when the batch could not run; the exception reaches the connection.</summary>
    public void Fail(Exception error) => _completion.SetException(error);

    void IValueTaskSource.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}
