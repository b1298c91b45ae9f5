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

    /// <summary>IceFire's version, reported in server_version and version().</summary>
    public string Version { get; init; } = "0.1.0";
}
