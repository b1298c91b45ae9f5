using IceFire.Gateway.Sql.Dialect;
using IceFire.Gateway.Sql.Protocol;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql;

internal sealed partial class PgConnection
{
    /// <summary>
    /// A Query message: each statement in turn, results in text format; the first error ends the message
    /// (PostgreSQL docs, "Simple Query"). An empty message answers EmptyQueryResponse.
    /// </summary>
    private async Task SimpleQueryAsync(string text, CancellationToken cancellationToken)
    {
        var sql = PgRewriter.Rewrite(text);
        var position = PgRewriter.SkipBlank(sql, 0);
        if (position >= sql.Length)
        {
            PgMessages.Empty(_out, 'I');
            return;
        }
        while (position < sql.Length)
        {
            if (SessionCommandAt(sql, position, out var end) is { } command)
            {
                RunSessionCommand(command, describe: true, text: true);
                position = PgRewriter.SkipBlank(sql, end);
                continue;
            }
            var prepared = await _session!.PrepareAsync(Normalize(sql, position, out var consumed), cancellationToken);
            if (prepared.Error is { } error)
            {
                WriteError(error);
                _session.Fail();
                return;
            }
            if (prepared.Statement is not { } statement)
            {
                return;
            }
            using (statement)
            {
                position = PgRewriter.SkipBlank(sql, consumed >= 0 ? consumed : position + prepared.TailOffset);
                var started = _server.Metrics.StartStatement();
                var executed = await _session.ExecuteAsync(statement, ReadOnlyMemory<SqlValue>.Empty, cancellationToken);
                _server.Metrics.EndStatement(started);
                if (executed.Error is { } failed)
                {
                    ThrowIfStopped(cancellationToken);
                    WriteError(failed);
                    return;
                }
                await using var cursor = new LookaheadCursor(executed.Cursor!);
                var types = await ReadAheadTypesAsync(cursor, cancellationToken);
                var formats = new short[types.Length];
                if (types.Length > 0)
                {
                    PgMessages.RowDescription(_out, NamesOf(cursor.Columns), types, formats);
                }
                var (_, rowError) = await SendRowsAsync(cursor, types, formats, 0, cancellationToken);
                if (rowError is not null)
                {
                    return;
                }
            }
            if (_out.Length > 64 * 1024)
            {
                await _out.FlushAsync(_output, cancellationToken);
            }
        }
    }

    /// <summary>A session command (SET, SHOW, ...) starting at <paramref name="position"/>, with the end of its statement.</summary>
    private static SessionCommand? SessionCommandAt(string sql, int position, out int end)
    {
        end = PgRewriter.StatementEnd(sql, position);
        return SessionCommand.Parse(sql[position..end]);
    }

    /// <summary>
    /// The text to prepare from <paramref name="position"/>: PostgreSQL's transaction spellings become SQLite's
    /// (START TRANSACTION / BEGIN ISOLATION LEVEL ... → BEGIN, ABORT → ROLLBACK). <paramref name="consumed"/> is
    /// where the next statement starts when the text was replaced, else -1 (the session reports the tail).
    /// </summary>
    private static string Normalize(string sql, int position, out int consumed)
    {
        consumed = -1;
        var word = FirstWord(sql, position);
        if (word is "START" or "BEGIN" or "ABORT")
        {
            consumed = PgRewriter.StatementEnd(sql, position);
            return word == "ABORT" ? "ROLLBACK" : "BEGIN";
        }
        return sql[position..];
    }

    private static string FirstWord(string sql, int position)
    {
        var end = position;
        while (end < sql.Length && char.IsLetter(sql[end]))
        {
            end++;
        }
        return sql[position..end].ToUpperInvariant();
    }
}
