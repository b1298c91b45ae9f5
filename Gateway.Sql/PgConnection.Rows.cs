using IceFire.Gateway.Sql.Protocol;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql;

internal sealed partial class PgConnection
{
    /// <summary>Rows to fetch per chunk when a portal asks for all of them, so output is flushed as it grows.</summary>
    private const int ChunkRows = 1024;

    /// <summary>Writes each row as a DataRow in the portal's types and formats.</summary>
    private sealed class RowWriter(PgMessageBuffer output, PgType[] types, short[] formats) : ISqlRowSink
    {
        public string? ConversionError { get; private set; }

        public void WriteRow(ReadOnlySpan<SqlValue> row)
        {
            output.Begin((byte)'D');
            output.Int16((short)row.Length);
            for (var i = 0; i < row.Length; i++)
            {
                var lengthAt = output.Position;
                if (!PgValues.TryWrite(output, row[i], types[i], formats[i] == 1))
                {
                    // A value the column's described type cannot carry (a row past the ones read ahead, or a statement
                    // described before it ran): sent as null, and the statement ends with an error naming it.
                    ConversionError ??= $"column {i + 1} was described as {types[i].Name} but holds the {row[i].Kind.ToString().ToLowerInvariant()} value '{row[i]}'";
                    output.PatchInt32(lengthAt, -1);
                    output.Advance(lengthAt + 4 - output.Position);
                }
            }
            output.End();
        }
    }

    /// <summary>
    /// Sends up to <paramref name="maxRows"/> rows (0 for all) of <paramref name="cursor"/>, then PortalSuspended or
    /// CommandComplete, or an ErrorResponse. Returns the error, if any.
    /// </summary>
    private async Task<(bool Suspended, SqlError? Error)> SendRowsAsync(ISqlCursor cursor, PgType[] types, short[] formats, int maxRows, CancellationToken cancellationToken)
    {
        var writer = new RowWriter(_out, types, formats);
        while (true)
        {
            var chunk = maxRows > 0 ? maxRows : ChunkRows;
            var result = await cursor.FetchAsync(chunk, writer, cancellationToken);
            if (writer.ConversionError is { } conversion)
            {
                var error = new SqlError(SqlStates.DatatypeMismatch, conversion);
                WriteError(error);
                return (false, error);
            }
            if (result.Error is { } failed)
            {
                ThrowIfStopped(cancellationToken);
                WriteError(failed);
                return (false, failed);
            }
            if (!result.Suspended)
            {
                PgMessages.CommandComplete(_out, PgMessages.Tag(result.CommandVerb, result.Rows, result.Changes));
                return (false, null);
            }
            if (maxRows > 0)
            {
                PgMessages.Empty(_out, 's');
                return (true, null);
            }
            if (_out.Length > 64 * 1024)
            {
                await _out.FlushAsync(_output, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Reads the first chunk of <paramref name="cursor"/>'s rows and chooses the types announced for them
    /// (<see cref="PgType.ForRows"/>). A result that fits in the chunk is described by all its values; rows after it
    /// that do not fit the types chosen fail the statement (42804) rather than reach the client mistyped.
    /// </summary>
    private static async Task<PgType[]> ReadAheadTypesAsync(LookaheadCursor cursor, CancellationToken cancellationToken)
    {
        if (cursor.Columns.Count == 0)
        {
            return [];
        }
        await cursor.ReadAheadAsync(ChunkRows, cancellationToken);
        return PgType.ForRows(cursor.Columns, cursor.Rows);
    }

    private static PgType[] TypesOf(IReadOnlyList<SqlColumn> columns)
    {
        var types = new PgType[columns.Count];
        for (var i = 0; i < types.Length; i++)
        {
            types[i] = PgType.ForColumn(columns[i]);
        }
        return types;
    }

    private static string[] NamesOf(IReadOnlyList<SqlColumn> columns)
    {
        var names = new string[columns.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = columns[i].Name;
        }
        return names;
    }
}
