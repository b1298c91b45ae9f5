using IceFire.Grains.Interfaces.Sql;
using Microsoft.Data.Sqlite;

namespace IceFire.Grains.Sql;

/// <summary>
/// Finds a NULL in a primary key column, which a replicated write must refuse (23502, as PostgreSQL does). SQLite lets
/// a PRIMARY KEY that is neither INTEGER PRIMARY KEY nor in a WITHOUT ROWID table hold NULL, but its session extension
/// records no change to such a row: it would never reach the log, and the write would be acknowledged and lost.
/// One per connection; the tables to check are found again when the schema changes.
/// </summary>
internal sealed class SqlNullKeys
{
    private (long Version, List<(string Table, string Column)> Keys)? _known;

    /// <summary>The violation, if a row of a checked table now has a NULL key; run inside the write's transaction.</summary>
    public SqlError? Find(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA schema_version";
        var version = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (_known is not { } known || known.Version != version)
        {
            var keys = new List<(string, string)>();
            command.CommandText = """
                SELECT t.name, c.name, c.type, (SELECT count(*) FROM pragma_table_info(t.name, 'main') k WHERE k.pk > 0)
                FROM pragma_table_list t JOIN pragma_table_info(t.name, 'main') c
                WHERE t.schema = 'main' AND t.type = 'table' AND t.wr = 0 AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\'
                  AND c.pk > 0 AND c."notnull" = 0
                """;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    // A lone INTEGER PRIMARY KEY is the rowid itself: a NULL there takes the next rowid.
                    if (reader.GetInt64(3) == 1 && string.Equals(reader.GetString(2), "INTEGER", StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }
                    keys.Add((reader.GetString(0), reader.GetString(1)));
                }
            }
            _known = known = (version, keys);
        }
        foreach (var (table, column) in known.Keys)
        {
            command.CommandText = $"SELECT EXISTS (SELECT 1 FROM main.{Quote(table)} WHERE {Quote(column)} IS NULL)";
            if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0)
            {
                return new SqlError(SqlStates.NotNullViolation, $"null value in column \"{column}\" of relation \"{table}\" violates not-null constraint (a primary key column)");
            }
        }
        return null;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
