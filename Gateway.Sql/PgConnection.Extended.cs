using IceFire.Gateway.Sql.Dialect;
using IceFire.Gateway.Sql.Protocol;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql;

internal sealed partial class PgConnection
{
    /// <summary>A prepared statement: SQLite's compiled form, or a session command; its parameter types; its result types once described.</summary>
    private sealed class PgStatement(ISqlStatement? sql, SessionCommand? command, uint[] parameterOids)
    {
        public ISqlStatement? Sql { get; } = sql;
        public SessionCommand? Command { get; } = command;
        public uint[] ParameterOids { get; } = parameterOids;
        public PgType[]? ResultTypes { get; set; }
    }

    /// <summary>A bound statement: parameters, result formats, and its cursor once started.</summary>
    private sealed class PgPortal(PgStatement statement, SqlValue[] parameters, short[] resultFormats)
    {
        public PgStatement Statement { get; } = statement;
        public SqlValue[] Parameters { get; } = parameters;
        public short[] ResultFormats { get; } = resultFormats;
        public ISqlCursor? Cursor { get; set; }
        public PgType[]? Types { get; set; }
        public bool Done { get; set; }
    }

    private readonly Dictionary<string, PgStatement> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PgPortal> _portals = new(StringComparer.Ordinal);

    private async Task ParseAsync(byte[] body)
    {
        string name, text;
        uint[] oids;
        {
            var reader = new PgMessageReader(body);
            name = reader.String();
            text = reader.String();
            var count = reader.Int16();
            oids = new uint[Math.Max((int)count, 0)];
            for (var i = 0; i < oids.Length; i++)
            {
                oids[i] = (uint)reader.Int32();
            }
        }
        if (name.Length > 0 && _statements.ContainsKey(name))
        {
            FailExtended(new SqlError(SqlStates.DuplicatePreparedStatement, $"prepared statement \"{name}\" already exists"));
            return;
        }
        var sql = PgRewriter.Rewrite(text);
        var start = PgRewriter.SkipBlank(sql, 0);
        PgStatement statement;
        if (start < sql.Length && SessionCommandAt(sql, start, out _) is { } command)
        {
            statement = new PgStatement(null, command, oids);
        }
        else if (start >= sql.Length)
        {
            statement = new PgStatement(null, null, oids);
        }
        else
        {
            var prepared = await _session!.PrepareAsync(Normalize(sql, start, out var consumed), CancellationToken.None);
            if (prepared.Error is { } error)
            {
                FailExtended(error);
                return;
            }
            var rest = consumed >= 0 ? consumed : start + prepared.TailOffset;
            if (PgRewriter.SkipBlank(sql, rest) < sql.Length)
            {
                prepared.Statement?.Dispose();
                FailExtended(new SqlError(SqlStates.SyntaxError, "cannot insert multiple commands into a prepared statement"));
                return;
            }
            statement = new PgStatement(prepared.Statement, null, oids);
        }
        if (_statements.Remove(name, out var replaced))
        {
            replaced.Sql?.Dispose();
        }
        _statements[name] = statement;
        PgMessages.Empty(_out, '1');
        await Task.CompletedTask;
    }

    private void Bind(byte[] body)
    {
        var reader = new PgMessageReader(body);
        var portalName = reader.String();
        var statementName = reader.String();
        var formatCount = reader.Int16();
        var formats = new short[Math.Max((int)formatCount, 0)];
        for (var i = 0; i < formats.Length; i++)
        {
            formats[i] = reader.Int16();
        }
        var parameterCount = reader.Int16();
        if (!_statements.TryGetValue(statementName, out var statement))
        {
            FailExtended(new SqlError(SqlStates.InvalidSqlStatementName, $"prepared statement \"{statementName}\" does not exist"));
            return;
        }
        var expected = statement.Sql?.ParameterCount ?? 0;
        if (parameterCount != expected && !(statement.Sql is null && parameterCount == 0))
        {
            FailExtended(new SqlError(SqlStates.ProtocolViolation, $"bind message supplies {parameterCount} parameters, but prepared statement \"{statementName}\" requires {expected}"));
            return;
        }
        if (formats.Length > 1 && formats.Length != parameterCount)
        {
            FailExtended(new SqlError(SqlStates.ProtocolViolation, $"bind message has {formats.Length} parameter formats but {parameterCount} parameters"));
            return;
        }
        foreach (var format in formats)
        {
            if (format is not (0 or 1))
            {
                FailExtended(new SqlError(SqlStates.InvalidParameterValue, $"unsupported format code: {format}"));
                return;
            }
        }
        var values = new SqlValue[Math.Max((int)parameterCount, 0)];
        for (var i = 0; i < values.Length; i++)
        {
            var length = reader.Int32();
            if (length < 0)
            {
                values[i] = SqlValue.Null;
                continue;
            }
            var data = reader.Bytes(length);
            var binary = (formats.Length == 1 ? formats[0] : i < formats.Length ? formats[i] : 0) == 1;
            var oid = i < statement.ParameterOids.Length ? statement.ParameterOids[i] : 0;
            if (PgParameters.Decode(data, oid, binary, i, out values[i]) is { } invalid)
            {
                FailExtended(invalid);
                return;
            }
        }
        var resultCount = reader.Int16();
        var resultFormats = new short[Math.Max((int)resultCount, 0)];
        for (var i = 0; i < resultFormats.Length; i++)
        {
            resultFormats[i] = reader.Int16();
        }
        if (portalName.Length > 0 && _portals.ContainsKey(portalName))
        {
            FailExtended(new SqlError("42P03", $"cursor \"{portalName}\" already exists"));
            return;
        }
        if (_portals.Remove(portalName, out var old) && old.Cursor is { } oldCursor)
        {
            _ = oldCursor.DisposeAsync();
        }
        _portals[portalName] = new PgPortal(statement, values, resultFormats);
        PgMessages.Empty(_out, '2');
    }

    private async Task DescribeAsync(byte[] body, CancellationToken cancellationToken)
    {
        var reader = new PgMessageReader(body);
        var kind = reader.Byte();
        var name = reader.String();
        if (kind == 'S')
        {
            if (!_statements.TryGetValue(name, out var statement))
            {
                FailExtended(new SqlError(SqlStates.InvalidSqlStatementName, $"prepared statement \"{name}\" does not exist"));
                return;
            }
            var count = statement.Sql?.ParameterCount ?? 0;
            var oids = new uint[count];
            for (var i = 0; i < count; i++)
            {
                oids[i] = i < statement.ParameterOids.Length && statement.ParameterOids[i] != 0 ? statement.ParameterOids[i] : PgType.Text.Oid;
            }
            PgMessages.ParameterDescription(_out, oids);
            if (statement.Command is { Kind: SessionCommandKind.Show } show)
            {
                PgMessages.RowDescription(_out, [show.Name], [PgType.Text], [0]);
                return;
            }
            if (statement.Sql is not { Columns.Count: > 0 } sql)
            {
                PgMessages.Empty(_out, 'n');
                return;
            }
            statement.ResultTypes ??= await DescribeResultTypesAsync(sql, cancellationToken);
            PgMessages.RowDescription(_out, NamesOf(sql.Columns), statement.ResultTypes, new short[sql.Columns.Count]);
            return;
        }
        if (kind != 'P')
        {
            throw new PgProtocolException($"invalid Describe kind '{(char)kind}'");
        }
        if (!_portals.TryGetValue(name, out var portal))
        {
            FailExtended(new SqlError(SqlStates.InvalidCursorName, $"portal \"{name}\" does not exist"));
            return;
        }
        if (portal.Statement.Command is { Kind: SessionCommandKind.Show } command)
        {
            PgMessages.RowDescription(_out, [command.Name], [PgType.Text], [portal.ResultFormats.Length > 0 ? portal.ResultFormats[0] : (short)0]);
            return;
        }
        if (portal.Statement.Sql is not { Columns.Count: > 0 } || !await StartPortalAsync(portal, cancellationToken))
        {
            if (!_skipUntilSync)
            {
                PgMessages.Empty(_out, 'n');
            }
            return;
        }
        PgMessages.RowDescription(_out, NamesOf(portal.Cursor!.Columns), portal.Types, Formats(portal.ResultFormats, portal.Types!.Length));
    }

    /// <summary>
    /// Result types of a statement described before it runs: from declared types, and for expressions from a trial
    /// run of a read with null parameters (its first row's storage classes); text when neither tells.
    /// </summary>
    private async Task<PgType[]> DescribeResultTypesAsync(ISqlStatement sql, CancellationToken cancellationToken)
    {
        var columns = sql.Columns;
        var complete = true;
        foreach (var column in columns)
        {
            complete &= column.DeclaredType is { Length: > 0 };
        }
        if (!complete && sql.IsReadOnly && sql.CommandVerb == "SELECT" && _session!.TransactionState != SqlTransactionState.Failed)
        {
            var trial = await _session.ExecuteAsync(sql, new SqlValue[sql.ParameterCount], cancellationToken);
            if (trial.Cursor is { } cursor)
            {
                columns = cursor.Columns;
                await cursor.DisposeAsync();
            }
        }
        return TypesOf(columns);
    }

    private static short[] Formats(short[] requested, int count)
    {
        var formats = new short[count];
        for (var i = 0; i < count; i++)
        {
            formats[i] = requested.Length == 1 ? requested[0] : i < requested.Length ? requested[i] : (short)0;
        }
        return formats;
    }

    /// <summary>Runs a portal's statement up to its first row; false (with the error sent) when it failed.</summary>
    private async Task<bool> StartPortalAsync(PgPortal portal, CancellationToken cancellationToken)
    {
        if (portal.Cursor is not null || portal.Done)
        {
            return portal.Cursor is not null;
        }
        var started = _server.Metrics.StartStatement();
        var executed = await _session!.ExecuteAsync(portal.Statement.Sql!, portal.Parameters, cancellationToken);
        _server.Metrics.EndStatement(started);
        if (executed.Error is { } error)
        {
            ThrowIfStopped(cancellationToken);
            portal.Done = true;
            WriteError(error);
            _skipUntilSync = true;
            return false;
        }
        var cursor = new LookaheadCursor(executed.Cursor!);
        portal.Cursor = cursor;
        // A statement described before it ran keeps the types it was described with (the client holds them).
        portal.Types = portal.Statement.ResultTypes is { } described && described.Length == cursor.Columns.Count
            ? described
            : await ReadAheadTypesAsync(cursor, cancellationToken);
        return true;
    }

    private async Task ExecuteAsync(byte[] body, CancellationToken cancellationToken)
    {
        string name;
        int maxRows;
        {
            var reader = new PgMessageReader(body);
            name = reader.String();
            maxRows = reader.Int32();
        }
        if (!_portals.TryGetValue(name, out var portal))
        {
            FailExtended(new SqlError(SqlStates.InvalidCursorName, $"portal \"{name}\" does not exist"));
            return;
        }
        if (portal.Statement.Command is { } command)
        {
            RunSessionCommand(command, describe: false, text: false, portal.ResultFormats);
            await ApplyDeferredAsync();
            return;
        }
        if (portal.Statement.Sql is null)
        {
            PgMessages.Empty(_out, 'I');
            return;
        }
        if (portal.Done && portal.Cursor is null)
        {
            // Executing a completed portal again returns no more rows (PostgreSQL docs, "Extended Query").
            PgMessages.CommandComplete(_out, PgMessages.Tag(portal.Statement.Sql.CommandVerb, 0, 0));
            return;
        }
        if (!await StartPortalAsync(portal, cancellationToken))
        {
            return;
        }
        var (suspended, error) = await SendRowsAsync(portal.Cursor!, portal.Types!, Formats(portal.ResultFormats, portal.Types!.Length), Math.Max(maxRows, 0), cancellationToken);
        if (!suspended)
        {
            await portal.Cursor!.DisposeAsync();
            portal.Cursor = null;
            portal.Done = true;
        }
        if (error is not null)
        {
            _skipUntilSync = true;
        }
    }

    private async Task CloseAsync(byte[] body)
    {
        var reader = new PgMessageReader(body);
        var kind = reader.Byte();
        var name = reader.String();
        if (kind == 'S')
        {
            if (_statements.Remove(name, out var statement))
            {
                statement.Sql?.Dispose();
            }
        }
        else if (kind == 'P')
        {
            if (_portals.Remove(name, out var portal) && portal.Cursor is { } cursor)
            {
                await cursor.DisposeAsync();
            }
        }
        else
        {
            throw new PgProtocolException($"invalid Close kind '{(char)kind}'");
        }
        PgMessages.Empty(_out, '3');
    }

    private async Task ClosePortalsAsync()
    {
        foreach (var portal in _portals.Values)
        {
            if (portal.Cursor is { } cursor)
            {
                await cursor.DisposeAsync();
            }
        }
        _portals.Clear();
        await ApplyDeferredAsync();
    }

    private async Task CloseStatementsAsync()
    {
        foreach (var portal in _portals.Values)
        {
            if (portal.Cursor is { } cursor)
            {
                await cursor.DisposeAsync();
            }
        }
        _portals.Clear();
        foreach (var statement in _statements.Values)
        {
            statement.Sql?.Dispose();
        }
        _statements.Clear();
    }
}
