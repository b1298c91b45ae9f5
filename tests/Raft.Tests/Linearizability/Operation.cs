namespace IceFire.Raft.Tests.Linearizability;

internal enum OpKind
{
    Write,
    Read,
}

/// <summary>
/// One completed or pending client operation on a register. <see cref="Value"/> is the value written, or the value a
/// read returned (null: the key was absent). A pending write (outcome unknown) has <see cref="Return"/> = long.MaxValue.
/// </summary>
internal sealed record Operation(int Process, OpKind Kind, int Key, long? Value, long Invoke, long Return)
{
    public bool Pending => Return == long.MaxValue;

    public override string ToString() =>
        $"p{Process} {Kind}(k{Key}{(Kind == OpKind.Write ? $", {Value}" : "")}){(Kind == OpKind.Read ? $" -> {Value?.ToString() ?? "nil"}" : "")} [{Invoke}, {(Pending ? "inf" : Return)}]";
}
