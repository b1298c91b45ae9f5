using System.Collections.Concurrent;
using System.Text;
using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>
/// CONFIG GET/SET parameters that clients and tools read. Values that IceFire does not act on are still
/// answered (as Redis would) so tools such as redis-benchmark find what they ask for.
/// </summary>
internal sealed class ServerConfig
{
    private readonly ConcurrentDictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly KeyspaceEventSettings _keyspaceEvents;
    private readonly ClientLimits _limits;
    private readonly HashSet<string> _readOnly = new(StringComparer.OrdinalIgnoreCase) { "port", "bind", "dir", "databases", "appendonly" };

    public ServerConfig(RespServerOptions options, ClientLimits limits)
    {
        _limits = limits;
        _keyspaceEvents = options.KeyspaceEvents;
        _values["port"] = options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _values["bind"] = options.Bind;
        _values["dir"] = Path.GetFullPath(options.DataDirectory);
        _values["databases"] = "16";
        _values["appendonly"] = "yes";
        _values["appendfsync"] = options.Durability == "periodic" ? "everysec" : "always";
        _values["save"] = "";
        _values["maxmemory"] = "0";
        _values["maxmemory-policy"] = "noeviction";
        _values["notify-keyspace-events"] = KeyspaceEventSettings.Format(options.KeyspaceEvents.Flags);
        _values["proto-max-bulk-len"] = options.MaxBulkLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _values["timeout"] = "0";
        _values["tcp-keepalive"] = "300";
        // Client limits live in ClientLimits, which connections read; these entries make CONFIG GET list them.
        _values["maxclients"] = "";
        _values["client-output-buffer-limit"] = "";
        _values["client-query-buffer-limit"] = "";
        _values["requirepass"] = options.RequirePass ?? "";
        _values["hz"] = "10";
        _values["lua-time-limit"] = "5000";
        _values["slowlog-log-slower-than"] = "10000";
        _values["slowlog-max-len"] = "128";
        _values["cluster-enabled"] = "no";
    }

    /// <summary>Parameters whose names match a glob pattern, sorted.</summary>
    public List<KeyValuePair<string, string>> Match(ReadOnlySpan<byte> pattern)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var pair in _values)
        {
            if (Grains.Interfaces.Glob.IsMatch(pattern, Encoding.ASCII.GetBytes(pair.Key), ignoreCase: true))
            {
                result.Add(new(pair.Key, _limits.Get(pair.Key) ?? pair.Value));
            }
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }

    /// <summary>
    /// Sets a known, writable parameter: null on success, otherwise Redis' error text (an unknown or read-only
    /// parameter, or a value the parameter refuses).
    /// </summary>
    public string? TrySet(string name, string value)
    {
        if (!_values.ContainsKey(name) || _readOnly.Contains(name))
        {
            return $"ERR Unknown option or number of arguments for CONFIG SET - '{name}'";
        }
        if (_limits.TrySet(name, value, out var limitError))
        {
            return limitError is null ? null : $"ERR CONFIG SET failed (possibly related to argument '{name}') - {limitError}";
        }
        if (name.Equals("notify-keyspace-events", StringComparison.OrdinalIgnoreCase))
        {
            if (!KeyspaceEventSettings.TryParse(value, out var flags))
            {
                return $"ERR CONFIG SET failed (possibly related to argument '{name}') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
            }
            _keyspaceEvents.Flags = flags;
            value = KeyspaceEventSettings.Format(flags);
        }
        _values[name] = value;
        return null;
    }

    public string Get(string name) => _limits.Get(name) ?? (_values.TryGetValue(name, out var v) ? v : "");
}
