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
          -h, --help                 Show this help.

        Stop with Ctrl-C or SIGTERM: the silo stops accepting, finishes commands in flight, and closes
        the data files cleanly.
        """;

    /// <summary>Parses the arguments after `serve`; on failure returns null and sets <paramref name="error"/>.</summary>
    public static SiloOptions? Parse(IReadOnlyList<string> args, out string? error, out bool help)
    {
        error = null;
        help = false;
        var options = new SiloOptions { RequirePass = Environment.GetEnvironmentVariable("ICEFIRE_REQUIREPASS") };
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
                        var text = Value();
                        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
                        {
                            throw new FormatException($"--resp-port must be a port number (0-65535), not '{text}'");
                        }
                        options = options with { RespPort = port };
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
        return options;
    }
}
