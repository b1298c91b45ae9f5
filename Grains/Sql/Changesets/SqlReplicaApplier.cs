using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace IceFire.Grains.Sql;

/// <summary>
/// Applies committed <see cref="SqlWriteUnit"/>s to a replica's SQLite database, in log order, each in one
/// transaction together with the log index it came from, so a restarted replica re-applies nothing.
/// </summary>
/// <remarks>
/// <para>
/// Every replica applies the same units in the same order to the same starting database, so applying a changeset can
/// never meet a conflict (a missing row, a row whose old values differ, a duplicate key, a violated constraint). One
/// that does means this replica has diverged: the applier answers SQLite's conflict handler with
/// SQLITE_CHANGESET_ABORT, rolls the whole unit back and throws <see cref="SqlReplicaDivergenceException"/>.
/// </para>
/// <para>
/// The applied index lives in the table <see cref="AppliedTable"/> of the same database, which the constructor creates
/// when it is missing. Foreign key actions are not taken while applying (the leader's cascades are already in the
/// changeset); triggers are the replica connection's business, see REPLICATION.md.
/// </para>
/// <para>Not thread-safe: one applier per connection, used by the thread that applies the tenant's log.</para>
/// </remarks>
public sealed unsafe class SqlReplicaApplier
{
    /// <summary>The table holding the index of the last applied log entry (one row, key 0).</summary>
    public const string AppliedTable = "_icefire_applied";

    private readonly SqliteConnection _connection;

    /// <summary>Binds to an open replica connection and creates <see cref="AppliedTable"/> if it does not exist.</summary>
    public SqlReplicaApplier(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE TABLE IF NOT EXISTS {AppliedTable} (k INTEGER PRIMARY KEY, applied_index INTEGER NOT NULL)";
        command.ExecuteNonQuery();
    }

    /// <summary>The log index of the last unit applied, 0 before the first.</summary>
    public long AppliedIndex
    {
        get
        {
            using var command = _connection.CreateCommand();
            return ReadApplied(command);
        }
    }

    /// <summary>
    /// Applies <paramref name="unit"/>, the entry at log index <paramref name="index"/>, in one transaction that also
    /// records the index. Returns false, changing nothing, when an entry at or after that index is already applied.
    /// </summary>
    /// <exception cref="SqlReplicaDivergenceException">A changeset met a conflict: this replica differs from the leader.</exception>
    /// <exception cref="SqliteException">A schema statement failed, which on a faithful replica is divergence too.</exception>
    public bool TryApply(long index, SqlWriteUnit unit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        ArgumentNullException.ThrowIfNull(unit);
        using var transaction = _connection.BeginTransaction(deferred: false);
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        if (ReadApplied(command) >= index)
        {
            return false;
        }
        for (var i = 0; i < unit.Parts.Count; i++)
        {
            var part = unit.Parts[i];
            if (part.Kind == SqlWritePartKind.Statement)
            {
                command.Parameters.Clear();
                command.CommandText = part.StatementText;
                command.ExecuteNonQuery();
            }
            else
            {
                // What the leader's triggers did is in the changeset already, as indirect changes: firing them again
                // here would do it twice.
                SetTriggers(enabled: false);
                try
                {
                    ApplyChangeset(part.Payload, index, i);
                }
                finally
                {
                    SetTriggers(enabled: true);
                }
            }
        }
        command.Parameters.Clear();
        command.CommandText = $"INSERT OR REPLACE INTO {AppliedTable} (k, applied_index) VALUES (0, $index)";
        command.Parameters.AddWithValue("$index", index);
        command.ExecuteNonQuery();
        transaction.Commit();
        return true;
    }

    private void SetTriggers(bool enabled)
    {
        var rc = SQLitePCL.raw.sqlite3_db_config(
            _connection.Handle, SQLitePCL.raw.SQLITE_DBCONFIG_ENABLE_TRIGGER, enabled ? 1 : 0, out int now);
        if (rc != SqliteNative.Ok || now != (enabled ? 1 : 0))
        {
            throw new SqliteException($"Turning triggers {(enabled ? "on" : "off")} failed (SQLite code {rc}).", rc);
        }
    }

    private static long ReadApplied(SqliteCommand command)
    {
        command.Parameters.Clear();
        command.CommandText = $"SELECT applied_index FROM {AppliedTable} WHERE k = 0";
        return command.ExecuteScalar() is long applied ? applied : 0;
    }

    private void ApplyChangeset(byte[] changeset, long index, int part)
    {
        if (changeset.Length == 0)
        {
            return;
        }
        var database = _connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var db = database.DangerousGetHandle();
        var conflict = new ConflictReport();
        var context = GCHandle.Alloc(conflict);
        int rc;
        try
        {
            fixed (byte* bytes = changeset)
            {
                rc = SqliteNative.ChangesetApply(
                    db, changeset.Length, bytes, null, &OnConflict, GCHandle.ToIntPtr(context), null, null,
                    SqliteNative.ChangesetApplyFkNoAction);
            }
        }
        finally
        {
            context.Free();
        }
        if (conflict.Kind != 0)
        {
            throw new SqlReplicaDivergenceException(
                $"Applying log entry {index} (part {part}) met a {ConflictName(conflict.Kind)} conflict on " +
                $"{OperationName(conflict.Operation)} of table {conflict.Table}: this replica has diverged from the " +
                "leader; the entry was rolled back.");
        }
        if (rc != SqliteNative.Ok)
        {
            throw new SqliteException(
                $"Applying the changeset of log entry {index} (part {part}) failed: {SqliteNative.Describe(db, rc)}", rc);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnConflict(nint context, int kind, nint iterator)
    {
        var report = (ConflictReport)GCHandle.FromIntPtr(context).Target!;
        if (report.Kind == 0)
        {
            report.Kind = kind;
            if (SqliteNative.ChangesetOp(iterator, out var table, out _, out var operation, out _) == SqliteNative.Ok)
            {
                report.Table = Marshal.PtrToStringUTF8(table);
                report.Operation = operation;
            }
        }
        return SqliteNative.ChangesetAbortAnswer;
    }

    private static string ConflictName(int kind) => kind switch
    {
        SqliteNative.ChangesetData => "DATA (the row's old values differ)",
        SqliteNative.ChangesetNotFound => "NOTFOUND (the row is missing)",
        SqliteNative.ChangesetConflict => "CONFLICT (the key exists)",
        SqliteNative.ChangesetConstraint => "CONSTRAINT",
        SqliteNative.ChangesetForeignKey => "FOREIGN_KEY",
        _ => $"kind {kind}",
    };

    // SQLITE_INSERT, SQLITE_DELETE, SQLITE_UPDATE authorizer codes, which changeset iterators report.
    private static string OperationName(int operation) => operation switch
    {
        18 => "an INSERT",
        9 => "a DELETE",
        23 => "an UPDATE",
        _ => $"operation {operation}",
    };

    private sealed class ConflictReport
    {
        public int Kind;
        public int Operation;
        public string? Table;
    }
}

/// <summary>
/// Applying a committed SQL write unit met a conflict: replicas that applied the same log must hold the same rows, so
/// this replica's database has diverged from the leader's and must be rebuilt (from a snapshot), not patched.
/// </summary>
public sealed class SqlReplicaDivergenceException(string message) : Exception(message);
