using SQLitePCL;

namespace IceFire.Grains.Sql;

/// <summary>
/// SQLite's authorizer for client statements: no ATTACH or DETACH (another file), no load_extension, only the
/// pragmas that read the schema or set per-connection behaviour, and no access to the server's own tables
/// (<c>_icefire_*</c>, such as the applied index of a replica). A denied statement fails with SQLITE_AUTH, which
/// clients see as SQLSTATE 42501.
/// </summary>
internal static class SqliteAuthorizer
{
    private const int Ok = 0;
    private const int Deny = 1;
    private const int CreateIndexAction = 1;
    private const int CreateTableAction = 2;
    private const int DeleteAction = 9;
    private const int DropIndexAction = 10;
    private const int DropTableAction = 11;
    private const int InsertAction = 18;
    private const int ReadAction = 20;
    private const int UpdateAction = 23;
    private const int AlterTableAction = 26;

    /// <summary>Tables whose names start so belong to the server.</summary>
    public const string ReservedPrefix = "_icefire_";
    private const int PragmaAction = 19;
    private const int AttachAction = 24;
    private const int DetachAction = 25;
    private const int FunctionAction = 31;

    /// <summary>Pragmas a tenant may run: schema introspection and per-connection switches; none touches files or durability.</summary>
    private static readonly HashSet<string> AllowedPragmas = new(StringComparer.OrdinalIgnoreCase)
    {
        "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list",
        "foreign_keys", "foreign_key_check", "defer_foreign_keys", "recursive_triggers", "case_sensitive_like",
        "integrity_check", "quick_check", "collation_list", "function_list", "pragma_list", "compile_options",
        "user_version", "application_id", "schema_version", "data_version", "freelist_count", "page_count",
        "page_size", "encoding", "query_only", "reverse_unordered_selects", "automatic_index", "optimize",
    };

    private static readonly delegate_authorizer Callback = Authorize;

    public static void Install(sqlite3 db)
    {
        raw.sqlite3_set_authorizer(db, Callback, null!);
        // Belt and braces: even an authorizer bug could not attach a file.
        raw.sqlite3_limit(db, 7 /* SQLITE_LIMIT_ATTACHED */, 0);
    }

    private static int Authorize(object userData, int action, utf8z param0, utf8z param1, utf8z database, utf8z trigger) => action switch
    {
        AttachAction or DetachAction => Deny,
        FunctionAction => string.Equals(param1.utf8_to_string(), "load_extension", StringComparison.OrdinalIgnoreCase) ? Deny : Ok,
        PragmaAction => AllowedPragmas.Contains(param0.utf8_to_string() ?? "") ? Ok : Deny,
        // The capture's own scratch table for CREATE TABLE ... AS SELECT lives in temp and is not reserved.
        CreateTableAction or DeleteAction or DropTableAction or InsertAction or ReadAction or UpdateAction => Reserved(param0, database) ? Deny : Ok,
        CreateIndexAction or DropIndexAction or AlterTableAction => Reserved(param1, database) ? Deny : Ok,
        _ => Ok,
    };

    private static bool Reserved(utf8z table, utf8z database) =>
        table.utf8_to_string() is { } name && name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase)
        && !string.Equals(database.utf8_to_string(), "temp", StringComparison.Ordinal);
}
