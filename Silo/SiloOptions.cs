using System.Globalization;
using IceFire.Grains.Tenants;

namespace IceFire.Silo;

/// <summary>What `icefire serve` was asked to do.</summary>
internal sealed record SiloOptions
{
    public string Data { get; init; } = "data";
    public string Bind { get; init; } = "127.0.0.1";
    public int RespPort { get; init; } = 6379;
    public string? RequirePass { get; init; }
    public DurabilityMode Durability { get; init; } = DurabilityMode.Always;

    /// <summary>Port of the admin HTTP API; null leaves it off, 0 picks a free port.</summary>
    public int? AdminPort { get; init; }

    /// <summary>Bearer token the admin API's tenant and cluster endpoints require; none when null or empty.</summary>
    public string? AdminToken { get; init; }

    public const string Usage = """
        Usage: icefire serve [options]

        Runs one IceFire silo: a Redis-compatible server (RESP2/RESP3) whose data lives in LMDB.

        Options:
          --data DIR                 Data directory (default: ./data). Created when absent; a directory
                                     that is not IceFire's is refused and left untouched.
          --bind ADDR                Address to listen on (default: 127.0.0.1; 0.0.0.0 for all).
          --resp-port N              RESP port (default: 6379).
          --requirepass PASS         Password clients must give with AUTH or HELLO ... AUTH (default: none).
                                     The ICEFIRE_REQUIREPASS environment variable sets it too.
          --durability MODE          always (default): a write is fsynced before its reply.
                                     periodic: fsync at most once a second (like appendfsync everysec).
          --admin-port N             Serve the admin HTTP API on this port, on the --bind address (default:
                                     off; 9090 is what `icefire tenant` looks for; 0 picks a free port).
                                     GET /healthz /readyz /cluster /tenants, POST /tenants,
                                     DELETE /tenants/NAME.
          --admin-token TOKEN        Require "Authorization: Bearer TOKEN" on /tenants and /cluster
                                     (default: none). The ICEFIRE_ADMIN_TOKEN environment variable sets it too.
          -h, --help                 Show this help.

        Stop with Ctrl-C or SIGTERM: the silo stops accepting, finishes commands in flight, and closes
        the data files cleanly.
        """;

    /// <summary>Parses the arguments after `serve`; on failure returns null and sets <paramref name="error"/>.</summary>
    public static SiloOptions? Parse(IReadOnlyList<string> args, out string? error, out bool help)
    {
        error = null;
        help = false;
        var options = new SiloOptions
        {
            RequirePass = Environment.GetEnvironmentVariable("ICEFIRE_REQUIREPASS"),
            AdminToken = Environment.GetEnvironmentVariable("ICEFIRE_ADMIN_TOKEN"),
        };
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inlineValue = null;
            var eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inlineValue = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }
                if (i + 1 >= args.Count)
                {
                    throw new FormatException($"{arg} needs a value");
                }
                return args[++i];
            }
            try
            {
                switch (arg)
                {
                    case "-h" or "--help":
                        help = true;
                        return null;
                    case "--data":
                        options = options with { Data = Value() };
                        break;
                    case "--bind":
                        options = options with { Bind = Value() };
                        break;
                    case "--resp-port":
                        options = options with { RespPort = Port(arg, Value()) };
                        break;
                    case "--admin-port":
                        options = options with { AdminPort = Port(arg, Value()) };
                        break;
                    case "--admin-token":
                        options = options with { AdminToken = Value() };
                        break;
                    case "--requirepass":
                        options = options with { RequirePass = Value() };
                        break;
                    case "--durability":
                        options = Value() switch
                        {
                            "always" => options with { Durability = DurabilityMode.Always },
                            "periodic" => options with { Durability = DurabilityMode.Periodic },
                            var other => throw new FormatException($"--durability must be always or periodic, not '{other}'"),
                        };
                        break;
                    default:
                        throw new FormatException($"unknown option '{args[i]}'");
                }
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }
        }
        if (options.AdminPort is { } admin && admin != 0 && admin == options.RespPort)
        {
            error = $"--admin-port and --resp-port must differ (both are {admin})";
            return null;
        }
        return options;
    }

    private static int Port(string option, string text)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
        {
            throw new FormatException($"{option} must be a port number (0-65535), not '{text}'");
        }
        return port;
    }
}
