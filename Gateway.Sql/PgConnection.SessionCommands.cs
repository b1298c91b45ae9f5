using IceFire.Gateway.Sql.Dialect;
using IceFire.Gateway.Sql.Protocol;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql;

internal sealed partial class PgConnection
{
    /// <summary>Parameters whose change a client hears about through ParameterStatus, as PostgreSQL reports them.</summary>
    private static readonly HashSet<string> Reported = new(StringComparer.OrdinalIgnoreCase)
    {
        "application_name", "client_encoding", "DateStyle", "TimeZone", "IntervalStyle", "search_path",
    };

    /// <summary>
    /// Answers SHOW, SET, RESET, DISCARD, DEALLOCATE and the commands without effect here. SET stores the value
    /// for SHOW; only UTF8 is accepted as client_encoding.
    /// </summary>
    private void RunSessionCommand(SessionCommand command, bool describe, bool text, short[]? formats = null)
    {
        switch (command.Kind)
        {
            case SessionCommandKind.Show:
                var name = command.Name == "all" ? "server_version" : command.Name;
                var key = _parameters.Keys.FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase));
                if (key is null)
                {
                    WriteError(SqlStates.UndefinedObject, $"unrecognized configuration parameter \"{command.Name}\"");
                    _skipUntilSync = !text;
                    return;
                }
                if (describe)
                {
                    PgMessages.RowDescription(_out, [name], [PgType.Text], [formats is { Length: > 0 } ? formats[0] : (short)0]);
                }
                _out.Begin((byte)'D');
                _out.Int16(1);
                var value = System.Text.Encoding.UTF8.GetBytes(_parameters[key]);
                _out.Int32(value.Length);
                _out.Bytes(value);
                _out.End();
                PgMessages.CommandComplete(_out, "SHOW");
                return;
            case SessionCommandKind.Set:
                if (command.Name == "client_encoding" && !command.Value!.Equals("UTF8", StringComparison.OrdinalIgnoreCase) &&
                    !command.Value.Equals("UNICODE", StringComparison.OrdinalIgnoreCase))
                {
                    WriteError(SqlStates.FeatureNotSupported, $"client_encoding {command.Value} is not supported: use UTF8");
                    _skipUntilSync = !text;
                    return;
                }
                if (command.Name.Equals(FollowerReadsSetting, StringComparison.OrdinalIgnoreCase))
                {
                    if (ParseBool(command.Value) is not { } on)
                    {
                        WriteError(SqlStates.InvalidParameterValue, $"parameter \"{FollowerReadsSetting}\" requires a Boolean value");
                        _skipUntilSync = !text;
                        return;
                    }
                    _session!.FollowerReads = on;
                    _parameters[FollowerReadsSetting] = on ? "on" : "off";
                    break;
                }
                if (TrySetTimeout(command.Name, command.Value, out var invalid))
                {
                    if (invalid is not null)
                    {
                        WriteError(invalid);
                        _skipUntilSync = !text;
                        return;
                    }
                    break;
                }
                if (command.Name.Equals(IdleTimeoutSetting, StringComparison.OrdinalIgnoreCase) &&
                    !long.TryParse(command.Value?.Trim('\''), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                {
                    WriteError(SqlStates.InvalidParameterValue, $"invalid value for parameter \"{IdleTimeoutSetting}\": \"{command.Value}\" (milliseconds)");
                    _skipUntilSync = !text;
                    return;
                }
                var setting = _parameters.Keys.FirstOrDefault(k => k.Equals(command.Name, StringComparison.OrdinalIgnoreCase)) ?? command.Name;
                _parameters[setting] = setting == IdleTimeoutSetting ? command.Value!.Trim('\'') : command.Value ?? "";
                if (Reported.Contains(setting))
                {
                    PgMessages.ParameterStatus(_out, setting, _parameters[setting]);
                }
                break;
            case SessionCommandKind.Reset:
                if (command.Name.Equals(FollowerReadsSetting, StringComparison.OrdinalIgnoreCase) || command.Name.Equals("ALL", StringComparison.OrdinalIgnoreCase))
                {
                    _session!.FollowerReads = false;
                    _parameters[FollowerReadsSetting] = "off";
                }
                ResetTimeouts(command.Name);
                break;
            case SessionCommandKind.Discard when command.Name == "ALL":
                _discardRequested = true;
                break;
            case SessionCommandKind.Deallocate:
                _deallocate = command.Name;
                break;
        }
        PgMessages.CommandComplete(_out, command.Tag);
    }

    /// <summary>
    /// Opts the session into follower reads (<see cref="ISqlSession.FollowerReads"/>): reads outside a transaction
    /// answered by this silo's replica of the tenant, possibly stale. Off by default; RESET turns it off.
    /// </summary>
    internal const string FollowerReadsSetting = "icefire.follower_reads";

    /// <summary>Milliseconds a session may sit idle in a transaction (<see cref="SqlServerOptions.IdleInTransactionTimeout"/>).</summary>
    internal const string IdleTimeoutSetting = "idle_in_transaction_session_timeout";

    /// <summary>PostgreSQL's spellings of a Boolean setting (on, off, true, false, yes, no, 1, 0 and their prefixes).</summary>
    private static bool? ParseBool(string? value)
    {
        var v = (value ?? "").Trim().Trim('\'').ToLowerInvariant();
        if (v.Length == 0 || v == "o")
        {
            return null; // "o" could be on or off
        }
        if (v is "on" or "1" || "true".StartsWith(v, StringComparison.Ordinal) || "yes".StartsWith(v, StringComparison.Ordinal))
        {
            return true;
        }
        if (v is "0" || "off".StartsWith(v, StringComparison.Ordinal) || "false".StartsWith(v, StringComparison.Ordinal) || "no".StartsWith(v, StringComparison.Ordinal))
        {
            return false;
        }
        return null;
    }

    private bool _discardRequested;
    private string? _deallocate;

    /// <summary>DISCARD ALL and DEALLOCATE take effect once the message that asked for them is done with its statement.</summary>
    private async Task ApplyDeferredAsync()
    {
        if (_discardRequested)
        {
            _discardRequested = false;
            await CloseStatementsAsync();
        }
        if (_deallocate is { } name)
        {
            _deallocate = null;
            if (name.Equals("ALL", StringComparison.OrdinalIgnoreCase))
            {
                await CloseStatementsAsync();
            }
            else if (_statements.Remove(name.Trim('"'), out var statement))
            {
                statement.Sql?.Dispose();
            }
        }
    }

}
