namespace IceFire.Ledger.Verification;

/// <summary>What <see cref="DagLedger.Add"/> did with an entry. The numbers are reported: append-only.</summary>
public enum AddStatus
{
    /// <summary>Verified, stored and applied.</summary>
    Added = 1,

    /// <summary>Already stored; nothing changed.</summary>
    Duplicate = 2,

    /// <summary>Some parents are not stored yet: fetch them (<see cref="AddResult.MissingParents"/>) and add this entry again.</summary>
    MissingParents = 3,

    /// <summary>Refused for <see cref="AddResult.Rejection"/>; nothing changed.</summary>
    Rejected = 4,
}

/// <summary>The outcome of adding one entry.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Id">The entry's id (default when the bytes did not parse).</param>
/// <param name="Rejection">Why it was refused, when <paramref name="Status"/> is <see cref="AddStatus.Rejected"/>.</param>
/// <param name="MissingParents">The parents to fetch first, when <paramref name="Status"/> is <see cref="AddStatus.MissingParents"/>.</param>
public readonly record struct AddResult(AddStatus Status, Digest Id, Rejection Rejection, IReadOnlyList<Digest> MissingParents)
{
    internal static AddResult Added(Digest id) => new(AddStatus.Added, id, default, []);

    internal static AddResult Duplicate(Digest id) => new(AddStatus.Duplicate, id, default, []);

    internal static AddResult Missing(Digest id, IReadOnlyList<Digest> parents) => new(AddStatus.MissingParents, id, default, parents);

    internal static AddResult Rejected(Digest id, Rejection rejection) => new(AddStatus.Rejected, id, rejection, []);

    public override string ToString() => Status switch
    {
        AddStatus.Rejected => $"{Id} rejected: {Rejection}",
        AddStatus.MissingParents => $"{Id} misses {MissingParents.Count} parents",
        _ => $"{Id} {Status}",
    };
}
