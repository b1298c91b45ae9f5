using System.Runtime.InteropServices;

namespace IceFire.Grains.Sql;

/// <summary>
/// The parts of SQLite's C API that Microsoft.Data.Sqlite does not expose: the session extension, reached in the same
/// native library (<c>e_sqlite3</c>, SQLite 3.50 built with sessions and the pre-update hook).
/// </summary>
internal static unsafe partial class SqliteNative
{
    private const string Library = "e_sqlite3";

    public const int Ok = 0;
    public const int Abort = 4;

    /// <summary>Conflict kinds passed to the conflict handler (SQLITE_CHANGESET_DATA ...).</summary>
    public const int ChangesetData = 1;
    public const int ChangesetNotFound = 2;
    public const int ChangesetConflict = 3;
    public const int ChangesetConstraint = 4;
    public const int ChangesetForeignKey = 5;

    /// <summary>Conflict handler answer: roll back what the apply did and return SQLITE_ABORT.</summary>
    public const int ChangesetAbortAnswer = 2;

    /// <summary>SQLITE_SESSION_OBJCONFIG_ROWID: record tables without an explicit PRIMARY KEY by their rowid.</summary>
    public const int SessionObjConfigRowid = 2;

    /// <summary>SQLITE_CHANGESETAPPLY_FKNOACTION: foreign key actions (CASCADE, SET NULL) are not taken on apply.</summary>
    public const int ChangesetApplyFkNoAction = 0x0008;

    [LibraryImport(Library, EntryPoint = "sqlite3_set_last_insert_rowid")]
    public static partial void SetLastInsertRowid(nint db, long rowid);

    [LibraryImport(Library, EntryPoint = "sqlite3session_create")]
    public static partial int SessionCreate(nint db, byte* databaseName, out nint session);

    [LibraryImport(Library, EntryPoint = "sqlite3session_object_config")]
    public static partial int SessionObjectConfig(nint session, int op, int* value);

    [LibraryImport(Library, EntryPoint = "sqlite3session_attach")]
    public static partial int SessionAttach(nint session, byte* tableName);

    [LibraryImport(Library, EntryPoint = "sqlite3session_isempty")]
    public static partial int SessionIsEmpty(nint session);

    [LibraryImport(Library, EntryPoint = "sqlite3session_changeset")]
    public static partial int SessionChangeset(nint session, out int length, out nint changeset);

    [LibraryImport(Library, EntryPoint = "sqlite3session_delete")]
    public static partial void SessionDelete(nint session);

    [LibraryImport(Library, EntryPoint = "sqlite3_free")]
    public static partial void Free(nint memory);

    [LibraryImport(Library, EntryPoint = "sqlite3_errmsg")]
    public static partial nint ErrorMessage(nint db);

    [LibraryImport(Library, EntryPoint = "sqlite3_errstr")]
    public static partial nint ErrorString(int code);

    [LibraryImport(Library, EntryPoint = "sqlite3changeset_apply_v2")]
    public static partial int ChangesetApply(
        nint db,
        int length,
        byte* changeset,
        delegate* unmanaged[Cdecl]<nint, byte*, int> filter,
        delegate* unmanaged[Cdecl]<nint, int, nint, int> conflict,
        nint context,
        nint* rebase,
        int* rebaseLength,
        int flags);

    [LibraryImport(Library, EntryPoint = "sqlite3changeset_op")]
    public static partial int ChangesetOp(nint iterator, out nint tableName, out int columnCount, out int op, out int indirect);

    /// <summary>The message of a failed call: the connection's last error when it has one, else the code's text.</summary>
    public static string Describe(nint db, int code)
    {
        var text = db != 0 ? Marshal.PtrToStringUTF8(ErrorMessage(db)) : null;
        if (string.IsNullOrEmpty(text) || text == "not an error")
        {
            text = Marshal.PtrToStringUTF8(ErrorString(code));
        }
        return $"{text} (SQLite code {code})";
    }
}
