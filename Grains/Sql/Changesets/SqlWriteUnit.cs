using System.Text;

namespace IceFire.Grains.Sql;

/// <summary>What one part of a <see cref="SqlWriteUnit"/> holds. Persisted in Raft entries: values are append-only.</summary>
public enum SqlWritePartKind : byte
{
    /// <summary>A session changeset: the net effect on rows of the statements between two schema changes.</summary>
    Changeset = 0,

    /// <summary>
    /// The UTF-8 text of one statement run again as written: a schema change (CREATE, ALTER, DROP ...), or setting
    /// an AUTOINCREMENT counter in sqlite_sequence, which the session does not record.
    /// </summary>
    Statement = 1,
}

/// <summary>One part of a write unit.</summary>
/// <param name="Kind">What <paramref name="Payload"/> holds.</param>
/// <param name="Payload">The changeset, or the UTF-8 text of the statement. Not copied; do not change it.</param>
public sealed record SqlWritePart(SqlWritePartKind Kind, byte[] Payload)
{
    /// <summary>A part carrying a changeset.</summary>
    public static SqlWritePart ForChangeset(byte[] changeset) => new(SqlWritePartKind.Changeset, changeset);

    /// <summary>A part carrying a statement.</summary>
    public static SqlWritePart ForStatement(string sql) => new(SqlWritePartKind.Statement, Encoding.UTF8.GetBytes(sql));

    /// <summary>The statement's text; only for <see cref="SqlWritePartKind.Statement"/> parts.</summary>
    public string StatementText => Kind == SqlWritePartKind.Statement
        ? Encoding.UTF8.GetString(Payload)
        : throw new InvalidOperationException("A changeset part has no statement text.");
}

/// <summary>
/// The effect of one committed write transaction of a tenant's SQL database, as every replica must apply it: an
/// ordered list of parts, each a changeset of row changes or a statement, in the order they happened on the
/// leader. Applying the parts in order to a database equal to the leader's before the transaction gives a database
/// equal to the leader's after it (<see cref="SqlReplicaApplier"/>); see REPLICATION.md, "SQL replication".
/// </summary>
/// <param name="Parts">The parts in order; empty when the transaction changed nothing.</param>
public sealed record SqlWriteUnit(IReadOnlyList<SqlWritePart> Parts)
{
    /// <summary>The unit of a transaction that changed nothing.</summary>
    public static SqlWriteUnit Empty { get; } = new([]);

    /// <summary>Whether the unit changes nothing (no parts), so there is nothing to replicate.</summary>
    public bool IsEmpty => Parts.Count == 0;
}
