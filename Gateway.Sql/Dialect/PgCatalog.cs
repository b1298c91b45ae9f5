using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using IceFire.Gateway.Sql.Protocol;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql.Dialect;

/// <summary>
/// The slice of PostgreSQL's system catalog clients read on connect (Npgsql's type loading) and for psql's \dt and
/// \d: TEMP tables and views in each session, filled from the built-in types and SQLite's schema, plus the
/// catalog functions those queries call.
/// </summary>
internal static partial class PgCatalog
{
    public const uint PublicNamespace = 2200;
    public const uint CatalogNamespace = 11;

    /// <summary>Tables get OIDs from here up, by their row in sqlite_schema.</summary>
    public const long FirstTableOid = 16384;

    public static SqlSessionOptions SessionOptions(string tenant, string version) => new()
    {
        Functions = Functions(tenant, version),
        SetupSql = SetupSql,
    };

    private static readonly string SetupSql = BuildSetupSql();

    private static string BuildSetupSql()
    {
        var sql = new StringBuilder();
        sql.Append("CREATE TEMP TABLE pg_namespace(oid INTEGER PRIMARY KEY, nspname TEXT, nspowner INTEGER);");
        sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO temp.pg_namespace VALUES ({CatalogNamespace},'pg_catalog',10),({PublicNamespace},'public',10),(13000,'information_schema',10),(99,'pg_toast',10);");
        sql.Append("CREATE TEMP TABLE pg_type(oid INTEGER PRIMARY KEY, typname TEXT, typnamespace INTEGER, typowner INTEGER, typlen INTEGER, typtype TEXT, typrelid INTEGER, typnotnull BOOLEAN, typelem INTEGER, typarray INTEGER, typreceive INTEGER, typbasetype INTEGER, typtypmod INTEGER, typcategory TEXT, typcollation INTEGER);");
        foreach (var type in PgType.BaseTypes)
        {
            var category = type.Oid switch { 16 => "B", 20 or 21 or 23 or 26 or 700 or 701 or 1700 => "N", 1082 or 1083 or 1114 or 1184 => "D", 17 => "U", _ => "S" };
            sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO temp.pg_type VALUES ({type.Oid},'{type.Name}',{CatalogNamespace},10,{type.Length},'{(type.Oid == 705 ? "p" : "b")}',0,0,0,0,0,0,-1,'{category}',{(category == "S" ? 100 : 0)});");
        }
        sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO temp.pg_type VALUES ({PgType.Record.Oid},'record',{CatalogNamespace},10,-1,'p',0,0,0,0,0,0,-1,'P',0),({PgType.Void.Oid},'void',{CatalogNamespace},10,4,'p',0,0,0,0,0,0,-1,'P',0);");
        // Rowid tables answer to "oid" too; the tables without a real oid column are WITHOUT ROWID so that an
        // unqualified oid in clients' queries (Npgsql's "ORDER BY oid") is not ambiguous.
        sql.Append("CREATE TEMP TABLE pg_proc(oid INTEGER PRIMARY KEY, proname TEXT);");
        sql.Append("CREATE TEMP TABLE pg_range(rngtypid INTEGER PRIMARY KEY, rngsubtype INTEGER, rngmultitypid INTEGER) WITHOUT ROWID;");
        sql.Append("CREATE TEMP TABLE pg_enum(enumtypid INTEGER, enumsortorder REAL, enumlabel TEXT, PRIMARY KEY(enumtypid, enumsortorder)) WITHOUT ROWID;");
        sql.Append("CREATE TEMP TABLE pg_am(oid INTEGER PRIMARY KEY, amname TEXT);INSERT INTO temp.pg_am VALUES (2,'heap'),(403,'btree');");
        sql.Append("CREATE TEMP TABLE pg_description(objoid INTEGER, classoid INTEGER, objsubid INTEGER, description TEXT);");
        AppendRelations(sql);
        sql.Append("CREATE TEMP VIEW pg_tables AS SELECT 'public' AS schemaname, name AS tablename, 'default' AS tableowner FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_icefire\\_%' ESCAPE '\\';");
        return sql.ToString();
    }

    private static IReadOnlyList<SqlScalarFunction> Functions(string tenant, string version)
    {
        var versionText = $"PostgreSQL 16.0 (IceFire {version}) on SQLite, {Environment.Is64BitProcess switch { true => "64-bit", false => "32-bit" }}";
        return
        [
            new("version", 0, _ => SqlValue.FromText(versionText)),
            new("current_database", 0, _ => SqlValue.FromText(tenant)),
            new("current_schema", 0, _ => SqlValue.FromText("public")),
            new("current_user", 0, _ => SqlValue.FromText(tenant)),
            new("session_user", 0, _ => SqlValue.FromText(tenant)),
            new("pg_backend_pid", 0, _ => SqlValue.FromInteger(Environment.ProcessId)),
            new("pg_get_userbyid", 1, _ => SqlValue.FromText(tenant)),
            new("pg_advisory_unlock_all", 0, _ => SqlValue.Null),
            new("pg_table_is_visible", 1, _ => SqlValue.FromInteger(1)),
            new("pg_type_is_visible", 1, _ => SqlValue.FromInteger(1)),
            new("has_table_privilege", -1, _ => SqlValue.FromInteger(1)),
            new("obj_description", -1, _ => SqlValue.Null),
            new("col_description", -1, _ => SqlValue.Null),
            // SQLite has no partitions: a relation's only ancestor is itself (pg_partition_ancestors includes it).
            new("pg_partition_ancestors", 1, args => args[0]),
            new("pg_relation_is_publishable", 1, _ => SqlValue.FromInteger(0)),
            new("pg_get_statisticsobjdef_columns", 1, _ => SqlValue.Null),
            new("array_upper", 2, _ => SqlValue.Null),
            // Arrays are not emulated; ARRAY(subquery) becomes a scalar subquery (see PgRewriter), so this is its value.
            new("array_to_string", -1, args => args.Length > 0 ? args[0] : SqlValue.Null),
            // Sizes are not tracked per table: unknown, shown blank.
            new("pg_table_size", 1, _ => SqlValue.Null),
            new("pg_relation_size", -1, _ => SqlValue.Null),
            new("pg_total_relation_size", 1, _ => SqlValue.Null),
            new("pg_indexes_size", 1, _ => SqlValue.Null),
            new("pg_size_pretty", 1, args => args[0].Kind == SqlStorageClass.Null ? SqlValue.Null : SqlValue.FromText(SizePretty(args[0].AsText()))),
            new("pg_encoding_to_char", 1, _ => SqlValue.FromText("UTF8")),
            new("pg_get_expr", -1, args => args.Length > 0 ? args[0] : SqlValue.Null),
            new("quote_ident", 1, args => SqlValue.FromText("\"" + args[0].AsText()?.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")),
            new("format_type", 2, args => SqlValue.FromText(FormatType(args[0]))),
            new("pg_type_oid", 1, args => SqlValue.FromInteger(args[0].AsText() is { Length: > 0 } declared ? PgType.FromDeclared(declared).Oid : PgType.Text.Oid)),
            new("regexp", 2, args => SqlValue.FromInteger(
                args[0].AsText() is { } pattern && args[1].AsText() is { } text && Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)) ? 1 : 0)),
        ];
    }

    /// <summary>pg_size_pretty: bytes below 10 kB, then kB, MB, GB and TB, each rounded, as PostgreSQL prints them.</summary>
    private static string SizePretty(string? text)
    {
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var size))
        {
            return text ?? "";
        }
        if (Math.Abs(size) < 10 * 1024)
        {
            return size.ToString(CultureInfo.InvariantCulture) + " bytes";
        }
        var value = (double)size;
        foreach (var unit in (ReadOnlySpan<string>)["kB", "MB", "GB"])
        {
            value /= 1024;
            if (Math.Abs(value) < 10 * 1024)
            {
                return Math.Round(value, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture) + " " + unit;
            }
        }
        return Math.Round(value / 1024, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture) + " TB";
    }

    private static string FormatType(in SqlValue oid) =>
        oid.Kind == SqlStorageClass.Integer && PgType.FromOid((uint)oid.Integer) is { } type ? TypeDisplayName(type) : "text";

    /// <summary>The name psql shows for a type, as format_type() gives it.</summary>
    private static string TypeDisplayName(PgType type) => type.Oid switch
    {
        16 => "boolean",
        20 => "bigint",
        21 => "smallint",
        23 => "integer",
        700 => "real",
        701 => "double precision",
        1043 => "character varying",
        1114 => "timestamp without time zone",
        1184 => "timestamp with time zone",
        _ => type.Name,
    };
}
