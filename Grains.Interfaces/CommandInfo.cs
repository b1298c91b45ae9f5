namespace IceFire.Grains.Interfaces;

/// <summary>Command flags, named as COMMAND INFO names them.</summary>
[Flags]
public enum CommandFlags : uint
{
    None = 0,
    Write = 1 << 0,
    ReadOnly = 1 << 1,
    DenyOom = 1 << 2,
    Admin = 1 << 3,
    PubSub = 1 << 4,
    NoScript = 1 << 5,
    Blocking = 1 << 6,
    Loading = 1 << 7,
    Stale = 1 << 8,
    Fast = 1 << 9,
    NoAuth = 1 << 10,
    MayReplicate = 1 << 11,
    /// <summary>Served by the gateway from connection state, not by the tenant's dataset.</summary>
    Connection = 1 << 12,

    /// <summary>
    /// Runs through the tenant's log although Redis flags it read-only, because it may change the stored value
    /// (PFCOUNT caching its estimate); not shown by COMMAND INFO.
    /// </summary>
    Logged = 1 << 13,
}

/// <summary>What the command table knows of a command: enough for arity checks, routing and COMMAND INFO/DOCS.</summary>
/// <param name="Id">The command's number in the replicated log.</param>
/// <param name="Name">Lower-case name, as COMMAND INFO reports it.</param>
/// <param name="Flags">What the command does, for routing and COMMAND INFO.</param>
/// <param name="Arity">Redis' arity: exact count including the name, or -N for at least N.</param>
/// <param name="FirstKey">Position of the first key argument, 0 when none.</param>
/// <param name="LastKey">Position of the last key, negative counting from the end.</param>
/// <param name="Step">Distance between keys.</param>
/// <param name="Group">COMMAND DOCS group: string, generic, connection, server.</param>
/// <param name="Since">First Redis version with the command.</param>
/// <param name="Summary">One line for COMMAND DOCS.</param>
/// <param name="Complexity">Time complexity for COMMAND DOCS.</param>
/// <param name="Arguments">Argument synopsis as in Redis' documentation, used for COMMAND DOCS and hints.</param>
public sealed record CommandInfo(
    CommandId Id,
    string Name,
    int Arity,
    CommandFlags Flags,
    int FirstKey,
    int LastKey,
    int Step,
    string Group,
    string Since,
    string Summary,
    string Complexity,
    string Arguments)
{
    /// <summary>Subcommands (CLIENT SETNAME, COMMAND DOCS ...), empty for plain commands.</summary>
    public IReadOnlyList<CommandInfo> Subcommands { get; init; } = [];

    /// <summary>True when the command goes through the tenant's log: a write, or a read that may change a value.</summary>
    public bool IsWrite => (Flags & (CommandFlags.Write | CommandFlags.Logged)) != 0;

    /// <summary>True when argc satisfies <see cref="Arity"/>.</summary>
    public bool AcceptsArgumentCount(int argc) => Arity >= 0 ? argc == Arity : argc >= -Arity;
}
