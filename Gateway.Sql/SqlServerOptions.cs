namespace IceFire.Gateway.Sql;

/// <summary>How the SQL gateway asks clients for their password.</summary>
public enum SqlAuthentication
{
    /// <summary>SCRAM-SHA-256 (RFC 7677): the password never crosses the wire.</summary>
    Scram = 0,

    /// <summary>Cleartext password, for clients without SCRAM; use only on trusted networks until TLS exists.</summary>
    Password = 1,
}

/// <summary>Settings of the PostgreSQL-protocol gateway.</summary>
public sealed record SqlServerOptions
{
    /// <summary>Password of the default tenant (requirepass); null or empty lets clients in without one.</summary>
    public string? RequirePass { get; init; }

    public SqlAuthentication Authentication { get; init; } = SqlAuthentication.Scram;

    /// <summary>The largest protocol message accepted; a larger one is refused (08P01) before it is read.</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>
    /// How long a session may sit idle inside a transaction before its connection is closed (25P03) and the
    /// transaction rolled back; a session changes it with SET idle_in_transaction_session_timeout (milliseconds,
    /// 0 for none). Not off by default as in PostgreSQL: a write transaction holds its tenant's write lock, so one
    /// forgotten client would stop every writer of the tenant.
    /// </summary>
    public TimeSpan IdleInTransactionTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Counts failed logins and delays their answers; shared with the silo's other gateways.</summary>
    public IceFire.Grains.Interfaces.LoginThrottle LoginThrottle { get; init; } = new();

    /// <summary>IceFire's version, reported in server_version and version().</summary>
    public string Version { get; init; } = "0.1.0";
}
