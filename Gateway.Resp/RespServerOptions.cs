using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>Settings of the RESP gateway.</summary>
public sealed record RespServerOptions
{
    /// <summary>Password of the default user (Redis' requirepass); null or empty means none.</summary>
    public string? RequirePass { get; init; }

    /// <summary>Address and port the gateway listens on, reported by INFO.</summary>
    public string Bind { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 6379;

    /// <summary>The data directory, reported by INFO and CONFIG GET dir.</summary>
    public string DataDirectory { get; init; } = "data";

    /// <summary>always or periodic, reported as appendfsync always/everysec.</summary>
    public string Durability { get; init; } = "always";

    /// <summary>IceFire's version, reported by INFO.</summary>
    public string Version { get; init; } = "0.1.0";

    /// <summary>Counts failed logins and delays their answers; shared with the silo's other gateways.</summary>
    public LoginThrottle LoginThrottle { get; init; } = new();

    /// <summary>proto-max-bulk-len.</summary>
    public long MaxBulkLength { get; init; } = 512L * 1024 * 1024;
}
