using System.Globalization;
using IceFire.Gateway.Resp.Protocol;

namespace IceFire.Gateway.Resp;

/// <summary>
/// One class of clients' output limit (Redis' client-output-buffer-limit): past <see cref="Hard"/> bytes of
/// pending output the client is closed at once; past <see cref="Soft"/> bytes for <see cref="SoftSeconds"/>
/// seconds, too. Zero turns a limit off.
/// </summary>
internal sealed record OutputLimit(long Hard, long Soft, int SoftSeconds)
{
    public string Format() => string.Create(CultureInfo.InvariantCulture, $"{Hard} {Soft} {SoftSeconds}");
}

/// <summary>
/// The per-client limits of the RESP gateway, under Redis' CONFIG names, read by every connection and
/// changed by CONFIG SET. Each value is replaced whole, so a reader sees an old or a new setting, never half.
/// </summary>
internal sealed class ClientLimits
{
    /// <summary>Redis' client-query-buffer-limit default: 1gb.</summary>
    public const long DefaultQueryBufferLimit = 1L << 30;

    /// <summary>Redis' client-output-buffer-limit default for the pubsub class: 32mb hard, 8mb soft for 60 s.</summary>
    public static readonly OutputLimit DefaultPubSub = new(32L << 20, 8L << 20, 60);

    /// <summary>Redis' maxclients default.</summary>
    public const int DefaultMaxClients = 10000;

    private OutputLimit _normal = new(0, 0, 0);
    private OutputLimit _replica = new(256L << 20, 64L << 20, 60);
    private OutputLimit _pubSub = DefaultPubSub;
    private RespLimits _parser;
    private long _queryBufferLimit = DefaultQueryBufferLimit;
    private int _maxClients = DefaultMaxClients;

    public ClientLimits(long maxBulkLength)
    {
        _parser = new RespLimits { MaxBulkLength = maxBulkLength };
    }

    /// <summary>The normal class: Redis' default 0 0 0 (no limit; read backpressure bounds such a client instead).</summary>
    public OutputLimit Normal => Volatile.Read(ref _normal);

    /// <summary>The pubsub class: Redis' default 32mb 8mb 60.</summary>
    public OutputLimit PubSub => Volatile.Read(ref _pubSub);

    /// <summary>The parser's limits, proto-max-bulk-len among them.</summary>
    public RespLimits Parser => Volatile.Read(ref _parser);

    /// <summary>client-query-buffer-limit: the most bytes of one unfinished request a client may make the server hold.</summary>
    public long QueryBufferLimit => Volatile.Read(ref _queryBufferLimit);

    /// <summary>maxclients.</summary>
    public int MaxClients => Volatile.Read(ref _maxClients);

    /// <summary>The CONFIG GET value of a parameter this class owns, or null for another parameter.</summary>
    public string? Get(string name) => name.ToLowerInvariant() switch
    {
        "client-output-buffer-limit" => $"normal {Normal.Format()} slave {_replica.Format()} pubsub {PubSub.Format()}",
        "client-query-buffer-limit" => QueryBufferLimit.ToString(CultureInfo.InvariantCulture),
        "proto-max-bulk-len" => Parser.MaxBulkLength.ToString(CultureInfo.InvariantCulture),
        "maxclients" => MaxClients.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>
    /// CONFIG SET of a parameter this class owns: false when <paramref name="name"/> is another parameter; otherwise true
    /// with <paramref name="error"/> null when the value is valid (and, when <paramref name="apply"/>, now in force) or the
    /// reason Redis gives for refusing it. With <paramref name="apply"/> false it only checks, so a multi-pair CONFIG SET
    /// can check every pair before it changes any.
    /// </summary>
    public bool TrySet(string name, string value, bool apply, out string? error)
    {
        error = null;
        switch (name.ToLowerInvariant())
        {
            case "client-output-buffer-limit":
                error = SetOutputLimits(value, apply);
                return true;
            case "client-query-buffer-limit":
                if (!TryParseMemory(value, out var query) || query < 1L << 20)
                {
                    error = "argument must be between 1048576 and 9223372036854775807 inclusive";
                    return true;
                }
                if (apply)
                {
                    Volatile.Write(ref _queryBufferLimit, query);
                }
                return true;
            case "proto-max-bulk-len":
                if (!TryParseMemory(value, out var bulk) || bulk < 1L << 20)
                {
                    error = "argument must be between 1048576 and 9223372036854775807 inclusive";
                    return true;
                }
                if (apply)
                {
                    Volatile.Write(ref _parser, Parser with { MaxBulkLength = bulk });
                }
                return true;
            case "maxclients":
                if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var clients))
                {
                    error = "argument couldn't be parsed into an integer";
                    return true;
                }
                if (clients < 1)
                {
                    error = "argument must be between 1 and 2147483647 inclusive";
                    return true;
                }
                if (apply)
                {
                    Volatile.Write(ref _maxClients, clients);
                }
                return true;
            default:
                return false;
        }
    }

    /// <summary>Redis' "class hard soft seconds" groups; every class named must be valid before any changes.</summary>
    private string? SetOutputLimits(string value, bool apply)
    {
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length % 4 != 0)
        {
            return "Wrong number of arguments in buffer limit configuration.";
        }
        var normal = Normal;
        var replica = _replica;
        var pubSub = PubSub;
        for (var i = 0; i < parts.Length; i += 4)
        {
            if (!TryParseMemory(parts[i + 1], out var hard) || !TryParseMemory(parts[i + 2], out var soft)
                || !int.TryParse(parts[i + 3], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            }
            var limit = new OutputLimit(hard, soft, seconds);
            switch (parts[i].ToLowerInvariant())
            {
                case "normal":
                    normal = limit;
                    break;
                case "slave" or "replica":
                    replica = limit;
                    break;
                case "pubsub":
                    pubSub = limit;
                    break;
                default:
                    return "Invalid client class specified in buffer limit configuration.";
            }
        }
        if (apply)
        {
            Volatile.Write(ref _normal, normal);
            Volatile.Write(ref _replica, replica);
            Volatile.Write(ref _pubSub, pubSub);
        }
        return null;
    }

    /// <summary>Redis' memtoull: a number with an optional unit b, k, kb, m, mb, g or gb (k = 1000, kb = 1024), case-insensitive.</summary>
    internal static bool TryParseMemory(string text, out long bytes)
    {
        bytes = 0;
        var s = text.Trim().ToLowerInvariant();
        var digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
        {
            digits++;
        }
        long unit = s[digits..] switch
        {
            "" or "b" => 1,
            "k" => 1000,
            "kb" => 1024,
            "m" => 1000 * 1000,
            "mb" => 1024 * 1024,
            "g" => 1000L * 1000 * 1000,
            "gb" => 1024L * 1024 * 1024,
            _ => 0,
        };
        if (digits == 0 || unit == 0 || !long.TryParse(s.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number > long.MaxValue / unit)
        {
            return false;
        }
        bytes = number * unit;
        return true;
    }
}
