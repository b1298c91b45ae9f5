using System.Collections.Concurrent;
using System.Text;
using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>What a CONFIG parameter is, and so who may read and change it.</summary>
[Flags]
internal enum ConfigScope
{
    /// <summary>Server-wide: every tenant reads it; only the admin role (the default tenant) changes it.</summary>
    Server = 0,

    /// <summary>Fixed at start (Redis' immutable configs): nobody changes it with CONFIG SET.</summary>
    Immutable = 1,

    /// <summary>Each tenant has its own value, stored with the tenant; the server's is the default.</summary>
    Tenant = 2,

    /// <summary>A password: never shown to a tenant other than default.</summary>
    Secret = 4,

    /// <summary>A file-system path of the server: never shown to a tenant other than default.</summary>
    Path = 8,
}

/// <summary>
/// CONFIG GET/SET parameters that clients and tools read. Values that IceFire does not act on are still answered (as
/// Redis would) so tools such as redis-benchmark find what they ask for.
/// </summary>
/// <remarks>
/// Every parameter is in the table with its <see cref="ConfigScope"/>. The <c>default</c> tenant is the operator's
/// admin role, as Redis' default user is: it reads every parameter and sets the server-wide ones. Another tenant sees
/// neither secrets nor paths (they are left out of its CONFIG GET, as parameters that do not exist are), gets Redis'
/// protected-config error for a server-wide CONFIG SET, and sets the per-tenant ones for itself only.
/// </remarks>
internal sealed class ServerConfig
{
    private readonly ConcurrentDictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ConfigScope> _scopes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ClientLimits _limits;

    public ServerConfig(RespServerOptions options, ClientLimits limits)
    {
        _limits = limits;
        Add("port", ConfigScope.Immutable, options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("bind", ConfigScope.Immutable, options.Bind);
        Add("dir", ConfigScope.Immutable | ConfigScope.Path, Path.GetFullPath(options.DataDirectory));
        Add("databases", ConfigScope.Immutable, "16");
        Add("appendonly", ConfigScope.Immutable, "yes");
        Add("appendfsync", ConfigScope.Server, options.Durability == "periodic" ? "everysec" : "always");
        Add("save", ConfigScope.Server, "");
        Add("maxmemory", ConfigScope.Server, "0");
        Add("maxmemory-policy", ConfigScope.Server, "noeviction");
        Add(KeyspaceEventSettings.ConfigName, ConfigScope.Tenant, "");
        Add("proto-max-bulk-len", ConfigScope.Server, options.MaxBulkLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("timeout", ConfigScope.Tenant, "0");
        Add("tcp-keepalive", ConfigScope.Server, "300");
        // Client limits live in ClientLimits, which connections read; these entries list them (CONFIG GET reads the
        // value from ClientLimits).
        Add("maxclients", ConfigScope.Server, "");
        Add("client-output-buffer-limit", ConfigScope.Server, "");
        Add("client-query-buffer-limit", ConfigScope.Server, "");
        // Set at start with --requirepass, and the SQL gateway's default password too: changing it here would leave
        // the two apart, so it is fixed as Redis' immutable configs are.
        Add("requirepass", ConfigScope.Immutable | ConfigScope.Secret, options.RequirePass ?? "");
        Add("hz", ConfigScope.Server, "10");
        Add("lua-time-limit", ConfigScope.Server, "5000");
        Add("slowlog-log-slower-than", ConfigScope.Tenant, "10000");
        Add("slowlog-max-len", ConfigScope.Tenant, "128");
        Add("cluster-enabled", ConfigScope.Immutable, "no");
    }

    /// <summary>Adds a parameter with its scope and its (server-wide, or default per-tenant) value.</summary>
    public void Add(string name, ConfigScope scope, string value)
    {
        _scopes[name] = scope;
        _values[name] = value;
    }

    /// <summary>The scope of a known parameter; false for an unknown one.</summary>
    public bool TryGetScope(string name, out ConfigScope scope) => _scopes.TryGetValue(name, out scope);

    /// <summary>
    /// Parameters whose names match a glob pattern, sorted, as a tenant sees them: per-tenant ones with its own value
    /// (<paramref name="settings"/>, its stored settings), secrets and paths only for the <paramref name="admin"/> role.
    /// </summary>
    public List<KeyValuePair<string, string>> Match(ReadOnlySpan<byte> pattern, bool admin, IReadOnlyDictionary<string, string> settings)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var pair in _values)
        {
            var scope = _scopes[pair.Key];
            if (!admin && (scope & (ConfigScope.Secret | ConfigScope.Path)) != 0)
            {
                continue;
            }
            if (Glob.IsMatch(pattern, Encoding.ASCII.GetBytes(pair.Key), ignoreCase: true))
            {
                var value = (scope & ConfigScope.Tenant) != 0 && settings.TryGetValue(pair.Key, out var own) ? own : _limits.Get(pair.Key) ?? pair.Value;
                result.Add(new KeyValuePair<string, string>(pair.Key, value));
            }
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }

    /// <summary>
    /// Checks that a tenant (with the admin role or not) may set <paramref name="name"/> to <paramref name="value"/>: null and the
    /// value as stored (normalized) when it may, otherwise Redis' error text (an unknown parameter, an immutable or
    /// protected one, or a value the parameter refuses). Changes nothing.
    /// </summary>
    public string? Check(string name, ref string value, bool admin)
    {
        if (!_scopes.TryGetValue(name, out var scope))
        {
            return $"ERR Unknown option or number of arguments for CONFIG SET - '{name}'";
        }
        if ((scope & ConfigScope.Immutable) != 0)
        {
            return $"ERR CONFIG SET failed (possibly related to argument '{name}') - can't set immutable config";
        }
        if ((scope & ConfigScope.Tenant) == 0 && !admin)
        {
            return $"ERR CONFIG SET failed (possibly related to argument '{name}') - can't set protected config";
        }
        if (_limits.TrySet(name, value, apply: false, out var limitError))
        {
            return limitError is null ? null : $"ERR CONFIG SET failed (possibly related to argument '{name}') - {limitError}";
        }
        if (name.Equals(KeyspaceEventSettings.ConfigName, StringComparison.OrdinalIgnoreCase))
        {
            if (!KeyspaceEventSettings.TryParse(value, out var flags))
            {
                return $"ERR CONFIG SET failed (possibly related to argument '{name}') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
            }
            value = KeyspaceEventSettings.Format(flags);
        }
        return null;
    }

    /// <summary>Stores a server-wide value that <see cref="Check"/> accepted.</summary>
    public void SetServerValue(string name, string value)
    {
        if (!_limits.TrySet(name, value, apply: true, out _))
        {
            _values[name] = value;
        }
    }

    /// <summary>The canonical (table) spelling of a known parameter's name.</summary>
    public string CanonicalName(string name)
    {
        foreach (var key in _scopes.Keys)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return key;
            }
        }
        return name;
    }

    /// <summary>The server-wide value (or per-tenant default) of a parameter; empty when unknown.</summary>
    public string Get(string name) => _limits.Get(name) ?? (_values.TryGetValue(name, out var v) ? v : "");

    /// <summary>
    /// The value of a parameter for a tenant whose stored settings are <paramref name="settings"/>: its own for a
    /// per-tenant parameter it set, the server's otherwise.
    /// </summary>
    public string Get(string name, IReadOnlyDictionary<string, string> settings) =>
        _scopes.TryGetValue(name, out var scope) && (scope & ConfigScope.Tenant) != 0 && settings.TryGetValue(CanonicalName(name), out var own) ? own : Get(name);

    /// <summary>True for the tenant that holds the operator's admin role.</summary>
    public static bool IsAdmin(string tenant) => tenant == ITenantDirectory.DefaultTenant;
}
