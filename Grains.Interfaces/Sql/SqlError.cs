namespace IceFire.Grains.Interfaces.Sql;

/// <summary>A statement's failure as a client sees it: SQLSTATE, message, and SQLite's own result code.</summary>
/// <param name="SqlState">Five-character SQLSTATE (PostgreSQL's codes, e.g. 42P01 for an unknown table).</param>
/// <param name="Message">The message, SQLite's own where SQLite produced it.</param>
/// <param name="SqliteCode">SQLite's extended result code, 0 when the error did not come from SQLite.</param>
public sealed record SqlError(string SqlState, string Message, int SqliteCode = 0)
{
    /// <summary>25P02: a statement sent while the transaction is in the failed state.</summary>
    public static SqlError InFailedTransaction { get; } =
        new(SqlStates.InFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block");
}
