using IceFire.Grains.Interfaces.Sql;
using SQLitePCL;

namespace IceFire.Grains.Sql;

/// <summary>SQLite result codes as PostgreSQL SQLSTATEs, so drivers raise the exceptions their users catch.</summary>
internal static class SqliteErrors
{
    public const int Interrupt = 9;
    public const int Auth = 23;

    /// <summary>The error SQLite reported last on <paramref name="db"/>, with <paramref name="code"/> as the step or prepare result.</summary>
    public static SqlError FromConnection(sqlite3 db, int code)
    {
        var extended = raw.sqlite3_extended_errcode(db);
        if ((extended & 0xff) != (code & 0xff))
        {
            extended = code;
        }
        var message = raw.sqlite3_errmsg(db).utf8_to_string() ?? raw.sqlite3_errstr(code).utf8_to_string() ?? "SQLite error";
        return new SqlError(SqlState(extended, message), message, extended);
    }

    /// <summary>Maps an extended result code, using the message to split SQLite's generic SQLITE_ERROR.</summary>
    public static string SqlState(int extended, string message) => extended switch
    {
        2067 or 1555 => SqlStates.UniqueViolation, // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
        1299 => SqlStates.NotNullViolation, // SQLITE_CONSTRAINT_NOTNULL
        787 => SqlStates.ForeignKeyViolation, // SQLITE_CONSTRAINT_FOREIGNKEY
        275 => SqlStates.CheckViolation, // SQLITE_CONSTRAINT_CHECK
        3091 => SqlStates.DatatypeMismatch, // SQLITE_CONSTRAINT_DATATYPE (STRICT tables)
        _ => (extended & 0xff) switch
        {
            1 => GenericError(message),
            5 or 6 => SqlStates.LockNotAvailable, // BUSY, LOCKED
            7 => SqlStates.OutOfMemory,
            8 => SqlStates.ReadOnlyTransaction,
            Interrupt => SqlStates.QueryCanceled,
            10 => SqlStates.IoError,
            11 or 26 => SqlStates.DataCorrupted, // CORRUPT, NOTADB
            13 => SqlStates.DiskFull,
            18 => SqlStates.ProgramLimitExceeded, // TOOBIG
            19 => SqlStates.IntegrityConstraintViolation,
            20 => SqlStates.DatatypeMismatch,
            Auth => SqlStates.InsufficientPrivilege,
            25 => SqlStates.ProtocolViolation, // RANGE: a parameter index the statement does not have
            _ => SqlStates.InternalError,
        },
    };

    private static string GenericError(string message)
    {
        if (message.Equals("integer overflow", StringComparison.Ordinal))
        {
            // abs(), sum() and CAST past 64 bits: PostgreSQL's "bigint out of range".
            return SqlStates.NumericValueOutOfRange;
        }
        if (message.StartsWith("malformed JSON", StringComparison.Ordinal))
        {
            return SqlStates.InvalidTextRepresentation;
        }
        if (message.StartsWith("no such table", StringComparison.Ordinal) || message.StartsWith("no such view", StringComparison.Ordinal))
        {
            return SqlStates.UndefinedTable;
        }
        if (message.StartsWith("no such column", StringComparison.Ordinal))
        {
            return SqlStates.UndefinedColumn;
        }
        if (message.StartsWith("no such function", StringComparison.Ordinal) || message.StartsWith("wrong number of arguments", StringComparison.Ordinal))
        {
            return SqlStates.UndefinedFunction;
        }
        if (message.Contains("already exists", StringComparison.Ordinal))
        {
            return SqlStates.DuplicateTable;
        }
        if (message.Contains("syntax error", StringComparison.Ordinal) || message.StartsWith("incomplete input", StringComparison.Ordinal) ||
            message.StartsWith("unrecognized token", StringComparison.Ordinal))
        {
            return SqlStates.SyntaxError;
        }
        if (message.StartsWith("no such savepoint", StringComparison.Ordinal))
        {
            return SqlStates.InvalidSavepointSpecification;
        }
        if (message.StartsWith("no such", StringComparison.Ordinal))
        {
            return SqlStates.UndefinedObject;
        }
        if (message.StartsWith("not authorized", StringComparison.Ordinal))
        {
            return SqlStates.InsufficientPrivilege;
        }
        return SqlStates.SyntaxError;
    }
}
