namespace IceFire.Raft.Tests.Linearizability;

internal enum OpKind
{
    Write,
    Read,

    /// <summary>Adds one to the register (absent counts as 0); <see cref="Operation.Value"/> is the result, null when unknown.</summary>
    Increment,
}

/// <summary>
/// One completed or pending client operation on a register. <see cref="Value"/> is the value written, or the value a
/// read returned (null: the key was absent), or the result of an increment. A pending write or increment (outcome
/// unknown) has <see cref="Return"/> = long.MaxValue.
/// </summary>
internal sealed record Operation(int Process, OpKind Kind, int Key, long? Value, long Invoke, long Return)
{
    public bool Pending => Return == long.MaxValue;

    public override string ToString() =>
        $"p{Process} {Kind}(k{Key}{(Kind == OpKind.Write ? $", {Value}" : "")}){(Kind != OpKind.Write ? $" -> {Value?.ToString() ?? "nil"}" : "")} [{Invoke}, {(Pending ? "inf" : Return)}]";
}
