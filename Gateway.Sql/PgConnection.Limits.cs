using System.Globalization;
using IceFire.Gateway.Sql.Protocol;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql;

/// <summary>
/// PostgreSQL's time limits on a session: statement_timeout (enforced by the session, <see cref="ISqlSession.StatementTimeout"/>)
/// and idle_session_timeout (enforced here: a session idle outside a transaction that long is closed with FATAL
/// 57P05). Both are off (0) by default, as in PostgreSQL, and take PostgreSQL's units in SET: '1s', '500ms', '2min'.
/// </summary>
internal sealed partial class PgConnection
{
    internal const string StatementTimeoutSetting = "statement_timeout";
    internal const string IdleSessionTimeoutSetting = "idle_session_timeout";

    private long _idleSessionTimeoutMs;

    /// <summary>
    /// Handles SET of a time-limit setting. False when <paramref name="name"/> is not one; otherwise true, with
    /// <paramref name="error"/> set when the value is not a valid time.
    /// </summary>
    private bool TrySetTimeout(string name, string? value, out SqlError? error)
    {
        error = null;
        var setting = name.Equals(StatementTimeoutSetting, StringComparison.OrdinalIgnoreCase) ? StatementTimeoutSetting
            : name.Equals(IdleSessionTimeoutSetting, StringComparison.OrdinalIgnoreCase) ? IdleSessionTimeoutSetting
            : null;
        if (setting is null)
        {
            return false;
        }
        error = CheckTimeout(setting, value, out var ms);
        if (error is null)
        {
            ApplyTimeout(setting, ms);
        }
        return true;
    }

    /// <summary>
    /// <paramref name="value"/> for the time setting <paramref name="setting"/> in milliseconds, or PostgreSQL's error
    /// (22023): "invalid value" when it is not a time or not an int32, "outside the valid range" when it is negative.
    /// </summary>
    internal static SqlError? CheckTimeout(string setting, string? value, out long ms)
    {
        ms = 0;
        if (ParseTime(value) is not { } time || time is < int.MinValue or > int.MaxValue)
        {
            return new SqlError(SqlStates.InvalidParameterValue, $"invalid value for parameter \"{setting}\": \"{value}\"");
        }
        if (time < 0)
        {
            return new SqlError(SqlStates.InvalidParameterValue,
                string.Create(CultureInfo.InvariantCulture, $"{time} ms is outside the valid range for parameter \"{setting}\" (0 .. {int.MaxValue})"));
        }
        ms = (long)time;
        return null;
    }

    private void ApplyTimeout(string setting, long ms)
    {
        _parameters[setting] = FormatMilliseconds(ms);
        if (setting == StatementTimeoutSetting)
        {
            _session!.StatementTimeout = TimeSpan.FromMilliseconds(ms);
        }
        else
        {
            _idleSessionTimeoutMs = ms;
        }
    }

    /// <summary>RESET of one setting (or ALL): the time limits go back to off.</summary>
    private void ResetTimeouts(string name)
    {
        var all = name.Equals("ALL", StringComparison.OrdinalIgnoreCase);
        if (all || name.Equals(StatementTimeoutSetting, StringComparison.OrdinalIgnoreCase))
        {
            ApplyTimeout(StatementTimeoutSetting, 0);
        }
        if (all || name.Equals(IdleSessionTimeoutSetting, StringComparison.OrdinalIgnoreCase))
        {
            ApplyTimeout(IdleSessionTimeoutSetting, 0);
        }
    }

    /// <summary>
    /// A time as PostgreSQL reads one for a setting in milliseconds: a signed number with an optional unit (us, ms,
    /// s, min, h, d; ms when none), or DEFAULT (0), in milliseconds rounded, of any size. Null when it is not one.
    /// </summary>
    private static double? ParseTime(string? value)
    {
        var text = (value ?? "").Trim().Trim('\'').Trim();
        if (text.Equals("DEFAULT", StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] is '.' or '+' or '-'))
        {
            end++;
        }
        if (!double.TryParse(text.AsSpan(0, end), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }
        double? scale = text[end..].Trim().ToLowerInvariant() switch
        {
            "" or "ms" => 1,
            "us" => 0.001,
            "s" => 1000,
            "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => null,
        };
        if (scale is not { } factor)
        {
            return null;
        }
        return Math.Round(number * factor);
    }

    /// <summary>Milliseconds as SHOW prints them: in the largest unit that divides them (0, 500ms, 1s, 2min, 1h, 1d).</summary>
    internal static string FormatMilliseconds(long ms)
    {
        if (ms == 0)
        {
            return "0";
        }
        foreach (var (unit, size) in (ReadOnlySpan<(string, long)>)[("d", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1000)])
        {
            if (ms % size == 0)
            {
                return (ms / size).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }
        return ms.ToString(CultureInfo.InvariantCulture) + "ms";
    }

    /// <summary>The next message of a session idle outside a transaction; past idle_session_timeout, FATAL 57P05 and no message.</summary>
    private async Task<(byte Type, byte[] Body)?> ReadIdleAsync(CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(_idleSessionTimeoutMs));
        try
        {
            return await ReadMessageAsync(startup: false, timeout.Token);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            await SendFatalAsync(SqlStates.IdleSessionTimeout, "terminating connection due to idle-session timeout");
            return null;
        }
    }

    /// <summary>
    /// After a statement failed: when the connection's token fired meanwhile (the client went away, the silo stops),
    /// the statement was stopped for it, and the connection ends here rather than report it.
    /// </summary>
    private static void ThrowIfStopped(CancellationToken cancellationToken) => cancellationToken.ThrowIfCancellationRequested();

    /// <summary>What a client hears when the silo stops under it, as from PostgreSQL's fast shutdown.</summary>
    private async Task SendShutdownAsync()
    {
        _out.Reset();
        await SendFatalAsync(SqlStates.AdminShutdown, "terminating connection due to administrator command");
    }
}
