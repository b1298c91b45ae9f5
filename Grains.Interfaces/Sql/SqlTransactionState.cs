namespace IceFire.Grains.Interfaces.Sql;

/// <summary>Where a session stands between statements, as PostgreSQL's ReadyForQuery reports it.</summary>
public enum SqlTransactionState : byte
{
    /// <summary>No transaction open: each statement commits on its own.</summary>
    Idle = (byte)'I',

    /// <summary>Inside BEGIN ... COMMIT; the session holds its tenant's write lock.</summary>
    InTransaction = (byte)'T',

    /// <summary>A statement failed inside the transaction: everything but ROLLBACK is refused (SQLSTATE 25P02).</summary>
    Failed = (byte)'E',
}
