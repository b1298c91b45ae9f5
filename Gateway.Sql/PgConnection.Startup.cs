using System.Text;
using IceFire.Gateway.Sql.Dialect;
using IceFire.Gateway.Sql.Protocol;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql;

internal sealed partial class PgConnection
{
    private readonly Dictionary<string, string> _parameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["server_encoding"] = "UTF8",
        ["client_encoding"] = "UTF8",
        ["DateStyle"] = "ISO, MDY",
        ["integer_datetimes"] = "on",
        ["standard_conforming_strings"] = "on",
        ["TimeZone"] = "UTC",
        ["IntervalStyle"] = "postgres",
        ["is_superuser"] = "off",
        ["application_name"] = "",
        ["search_path"] = "public",
        [FollowerReadsSetting] = "off",
        ["transaction_isolation"] = "serializable",
        ["default_transaction_isolation"] = "serializable",
        ["max_identifier_length"] = "63",
        ["lc_collate"] = "C",
        ["lc_ctype"] = "C",
        [StatementTimeoutSetting] = "0",
        [IdleSessionTimeoutSetting] = "0",
    };

    /// <summary>SSLRequest, GSSENCRequest, CancelRequest, then StartupMessage and authentication. False closes the connection.</summary>
    private async Task<bool> StartUpAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var message = await ReadMessageAsync(startup: true, cancellationToken);
            if (message is not { } m)
            {
                return false;
            }
            var reader = new PgMessageReader(m.Body);
            var code = reader.Int32();
            switch (code)
            {
                case PgMessages.SslRequestCode or PgMessages.GssEncRequestCode:
                    // Not yet: the client goes on in plaintext or gives up, as with a PostgreSQL built without TLS.
                    await _output.WriteAsync("N"u8.ToArray(), cancellationToken);
                    continue;
                case PgMessages.CancelRequestCode:
                    var processId = reader.Int32();
                    var secret = reader.Int32();
                    _server.Cancel(processId, secret);
                    return false;
                case PgMessages.ProtocolVersion3:
                    return await StartSessionAsync(ReadStartupParameters(m.Body), cancellationToken);
                default:
                    await SendFatalAsync(SqlStates.FeatureNotSupported,
                        $"unsupported frontend protocol {code >> 16}.{code & 0xffff}: server supports 3.0");
                    return false;
            }
        }
    }

    private static Dictionary<string, string> ReadStartupParameters(byte[] body)
    {
        var reader = new PgMessageReader(body);
        reader.Int32();
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            var name = reader.String();
            if (name.Length == 0)
            {
                return parameters;
            }
            parameters[name] = reader.String();
        }
    }

    /// <summary>
    /// Settings a client gives at start-up: as parameters of their own (statement_timeout=...), or in "options" as
    /// PostgreSQL's command-line switches (-c statement_timeout=1s, --idle_session_timeout=5min).
    /// </summary>
    private static IEnumerable<(string Name, string Value)> StartupSettings(Dictionary<string, string> startup)
    {
        foreach (var (name, value) in startup)
        {
            if (name != "options")
            {
                yield return (name, value);
                continue;
            }
            var words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < words.Length; i++)
            {
                var setting = words[i] == "-c" && i + 1 < words.Length ? words[++i]
                    : words[i].StartsWith("--", StringComparison.Ordinal) ? words[i][2..]
                    : words[i].StartsWith("-c", StringComparison.Ordinal) ? words[i][2..]
                    : null;
                var eq = setting?.IndexOf('=') ?? -1;
                if (eq > 0)
                {
                    yield return (setting![..eq].Replace('-', '_'), setting[(eq + 1)..]);
                }
            }
        }
    }

    private async Task<bool> StartSessionAsync(Dictionary<string, string> startup, CancellationToken cancellationToken)
    {
        if (!startup.TryGetValue("user", out var user) || user.Length == 0)
        {
            await SendFatalAsync(SqlStates.InvalidAuthorization, "no PostgreSQL user name specified in startup packet");
            return false;
        }
        // A tenant is both the user and the database: another tenant's database is not this user's to open.
        if (startup.TryGetValue("database", out var database) && database.Length > 0 && database != user)
        {
            await SendFatalAsync(SqlStates.InvalidCatalogName, $"database \"{database}\" does not exist (the database is the tenant, named like the user)");
            return false;
        }
        // An unknown tenant is asked for its password like a known one and fails the same way, at the same cost.
        var tenant = _server.Tenants.Find(user);
        var login = await AuthenticateAsync(user, cancellationToken);
        if (login == Login.Abandoned)
        {
            // No password came (psql asks for one only after the server wanted it): not a failed guess.
            return false;
        }
        var throttle = _server.Options.LoginThrottle;
        if (login == Login.Failed || tenant is null)
        {
            await throttle.DelayAsync(throttle.Failed(LoginThrottle.SourceOf(_connection.RemoteEndPoint), user), cancellationToken);
            await SendFatalAsync(SqlStates.InvalidPassword, $"password authentication failed for user \"{user}\"");
            return false;
        }
        throttle.Succeeded(user);
        try
        {
            _session = await tenant.OpenSessionAsync(PgCatalog.SessionOptions(user, _server.Options.Version), cancellationToken);
        }
        catch (Exception e) when (e is TenantUnavailableException or ObjectDisposedException)
        {
            // Gone for good (dropped meanwhile) is 3D000; anything else (no leader yet) passes, and clients retry 57P03.
            if (_server.Tenants.Find(user) is null)
            {
                await SendFatalAsync(SqlStates.InvalidCatalogName, $"database \"{user}\" does not exist: {e.Message}");
            }
            else
            {
                await SendFatalAsync(SqlStates.CannotConnectNow, $"the database system is not accepting connections for \"{user}\" now: {e.Message}");
            }
            return false;
        }
        _tenant = user;
        foreach (var (name, value) in startup)
        {
            if (name is "application_name" or "client_encoding" or "DateStyle" or "TimeZone" or "search_path")
            {
                _parameters[name] = value;
            }
        }
        foreach (var (name, value) in StartupSettings(startup))
        {
            if (TrySetTimeout(name, value, out var invalid) && invalid is not null)
            {
                await SendFatalAsync(invalid.SqlState, invalid.Message);
                return false;
            }
        }
        _parameters["server_version"] = $"16.0 (IceFire {_server.Options.Version})";
        _parameters["session_authorization"] = user;
        _parameters[IdleTimeoutSetting] = ((long)_server.Options.IdleInTransactionTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        PgMessages.AuthenticationOk(_out);
        foreach (var name in (ReadOnlySpan<string>)["server_version", "server_encoding", "client_encoding", "DateStyle", "integer_datetimes",
                     "standard_conforming_strings", "TimeZone", "IntervalStyle", "is_superuser", "application_name", "session_authorization"])
        {
            PgMessages.ParameterStatus(_out, name, _parameters[name]);
        }
        (_processId, var secret) = _server.Register(this);
        SecretKey = secret;
        PgMessages.BackendKeyData(_out, _processId, secret);
        PgMessages.ReadyForQuery(_out, SqlTransactionState.Idle);
        await _out.FlushAsync(_output, cancellationToken);
        return true;
    }

    /// <summary>
    /// Asks for the tenant's password: SCRAM-SHA-256 by default, cleartext when configured. The default tenant
    /// without requirepass is let in at once, as RESP lets it in without AUTH.
    /// </summary>
    private async Task<Login> AuthenticateAsync(string user, CancellationToken cancellationToken)
    {
        var isDefault = user == ITenantDirectory.DefaultTenant;
        if (isDefault && _server.DefaultSecret is null)
        {
            return Login.Ok;
        }
        if (_server.Options.Authentication == SqlAuthentication.Password)
        {
            PgMessages.Authentication(_out, 3);
            await _out.FlushAsync(_output, cancellationToken);
            var reply = await ReadPasswordMessageAsync(cancellationToken);
            if (reply is null)
            {
                return Login.Abandoned;
            }
            var password = new PgMessageReader(reply).String();
            var bytes = Encoding.UTF8.GetBytes(password);
            var ok = isDefault
                ? System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(bytes, Encoding.UTF8.GetBytes(_server.Options.RequirePass!))
                : await _server.Tenants.CheckPasswordAsync(user, bytes);
            return ok ? Login.Ok : Login.Failed;
        }
        var secret = isDefault ? _server.DefaultSecret : _server.Tenants.FindScramSecret(user);
        if (secret is null)
        {
            return Login.Failed;
        }
        var scram = new ScramExchange(secret);
        PgMessages.Authentication(_out, 10, Encoding.ASCII.GetBytes(ScramExchange.Mechanism + "\0\0"));
        await _out.FlushAsync(_output, cancellationToken);
        var initial = await ReadPasswordMessageAsync(cancellationToken);
        if (initial is null)
        {
            return Login.Abandoned;
        }
        string clientFirst;
        {
            var reader = new PgMessageReader(initial);
            if (reader.String() != ScramExchange.Mechanism)
            {
                return Login.Failed;
            }
            var length = reader.Int32();
            clientFirst = length < 0 ? "" : Encoding.UTF8.GetString(reader.Bytes(length));
        }
        var serverFirst = scram.Start(clientFirst);
        if (serverFirst is null)
        {
            return Login.Failed;
        }
        PgMessages.Authentication(_out, 11, Encoding.UTF8.GetBytes(serverFirst));
        await _out.FlushAsync(_output, cancellationToken);
        var final = await ReadPasswordMessageAsync(cancellationToken);
        if (final is null)
        {
            return Login.Abandoned;
        }
        var serverFinal = scram.Finish(Encoding.UTF8.GetString(final));
        if (serverFinal is null)
        {
            return Login.Failed;
        }
        PgMessages.Authentication(_out, 12, Encoding.UTF8.GetBytes(serverFinal));
        return Login.Ok;
    }

    /// <summary>How a login ended.</summary>
    private enum Login
    {
        Ok,

        /// <summary>A wrong password (or none that could match): counted by the login throttle.</summary>
        Failed,

        /// <summary>The client went away before it sent a password.</summary>
        Abandoned,
    }

    private async Task<byte[]?> ReadPasswordMessageAsync(CancellationToken cancellationToken)
    {
        var message = await ReadMessageAsync(startup: false, cancellationToken);
        if (message is not { } m)
        {
            return null;
        }
        if (m.Type != (byte)'p')
        {
            throw new PgProtocolException($"expected a password message, got '{(char)m.Type}'");
        }
        return m.Body;
    }
}
