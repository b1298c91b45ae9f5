using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace IceFire.Grains.Sql;

/// <summary>
/// A SQLite session (the session extension's <c>sqlite3_session</c>) recording every change made to the tables of the
/// connection's "main" database from the moment it is created: all tables, including those created later, and tables
/// without an explicit PRIMARY KEY by their rowid. Disposal deletes the session.
/// </summary>
/// <remarks>
/// Not thread-safe: use it only on the thread that owns the connection, and dispose it before the connection closes
/// (it holds a reference on the connection's native handle so the handle outlives it). A changeset holds the net
/// effect of the recorded changes on each row, computed when <see cref="Changeset"/> is called, so changes undone by
/// a failed statement or a rolled-back savepoint leave nothing.
/// </remarks>
public sealed unsafe class SqliteSession : SafeHandle
{
    private readonly SafeHandle _database;
    private bool _databaseReferenced;

    private SqliteSession(SafeHandle database)
        : base(0, ownsHandle: true)
    {
        _database = database;
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <summary>Creates a session on the open <paramref name="connection"/>, attached to every table of "main".</summary>
    /// <exception cref="SqliteException">SQLite refused to create or attach the session.</exception>
    public static SqliteSession Attach(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var database = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var session = new SqliteSession(database);
        database.DangerousAddRef(ref session._databaseReferenced);
        var db = database.DangerousGetHandle();
        ReadOnlySpan<byte> main = "main\0"u8;
        int rc;
        fixed (byte* name = main)
        {
            rc = SqliteNative.SessionCreate(db, name, out var raw);
            session.SetHandle(raw);
        }
        if (rc == SqliteNative.Ok)
        {
            var rowid = 1;
            rc = SqliteNative.SessionObjectConfig(session.handle, SqliteNative.SessionObjConfigRowid, &rowid);
        }
        if (rc == SqliteNative.Ok)
        {
            // A NULL table name attaches every table, and tables created while the session lives.
            rc = SqliteNative.SessionAttach(session.handle, null);
        }
        if (rc != SqliteNative.Ok)
        {
            var message = SqliteNative.Describe(db, rc);
            if (session.IsInvalid)
            {
                // No session to delete, so ReleaseHandle will not run: give the connection's reference back here.
                database.DangerousRelease();
                session._databaseReferenced = false;
            }
            session.Dispose();
            throw new SqliteException("Creating a SQLite session failed: " + message, rc);
        }
        return session;
    }

    /// <summary>Whether no change has been recorded (a changeset would be empty).</summary>
    public bool IsEmpty
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return SqliteNative.SessionIsEmpty(handle) != 0;
        }
    }

    /// <summary>The changeset of what the session recorded so far, in a new array owned by the caller.</summary>
    /// <exception cref="SqliteException">SQLite could not build it (for example a recorded table's schema changed).</exception>
    public byte[] Changeset()
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        var rc = SqliteNative.SessionChangeset(handle, out var length, out var buffer);
        try
        {
            if (rc != SqliteNative.Ok)
            {
                throw new SqliteException(
                    "Building a changeset failed: " + SqliteNative.Describe(_database.DangerousGetHandle(), rc), rc);
            }
            return length == 0 ? [] : new ReadOnlySpan<byte>((void*)buffer, length).ToArray();
        }
        finally
        {
            if (buffer != 0)
            {
                SqliteNative.Free(buffer);
            }
        }
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        SqliteNative.SessionDelete(handle);
        if (_databaseReferenced)
        {
            _database.DangerousRelease();
        }
        return true;
    }
}
