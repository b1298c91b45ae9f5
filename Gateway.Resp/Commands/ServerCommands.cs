using System.Globalization;
using System.Text;
using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>TIME, CONFIG and INFO.</summary>
internal sealed partial class RespConnection
{
    private void Time()
    {
        var now = DateTimeOffset.UtcNow;
        var micros = now.ToUnixTimeMilliseconds() * 1000 + now.Microsecond;
        _writer.WriteArrayHeader(2);
        _writer.WriteBulk(Encoding.ASCII.GetBytes((micros / 1_000_000).ToString(CultureInfo.InvariantCulture)));
        _writer.WriteBulk(Encoding.ASCII.GetBytes((micros % 1_000_000).ToString(CultureInfo.InvariantCulture)));
    }

    private async ValueTask ConfigAsync(CommandInfo info)
    {
        var sub = ResolveSubcommand(info);
        if (sub is null)
        {
            return;
        }
        switch (sub.Name)
        {
            case "config|get":
            {
                var settings = _server.Tenants.GetSettings(TenantName);
                var found = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 2; i < _args.Count; i++)
                {
                    foreach (var pair in _server.Config.Match(_args[i], ServerConfig.IsAdmin(TenantName), settings))
                    {
                        found[pair.Key] = pair.Value;
                    }
                }
                _writer.WriteMapHeader(found.Count);
                foreach (var pair in found)
                {
                    _writer.WriteBulk(Encoding.UTF8.GetBytes(pair.Key));
                    _writer.WriteBulk(Encoding.UTF8.GetBytes(pair.Value));
                }
                break;
            }
            case "config|set":
                if ((_args.Count & 1) != 0)
                {
                    WrongArity(sub.Name);
                    return;
                }
                await ConfigSetAsync();
                break;
            case "config|resetstat":
                _server.ResetStats();
                _writer.WriteRaw("+OK\r\n"u8);
                break;
            case "config|help":
                WriteHelp("CONFIG",
                    "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                    "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
                    "RESETSTAT", "    Reset statistics reported by the INFO command.");
                break;
        }
    }

    private async ValueTask ConfigSetAsync()
    {
        var pairs = new List<KeyValuePair<string, string>>();
        for (var i = 2; i < _args.Count; i += 2)
        {
            pairs.Add(new KeyValuePair<string, string>(Encoding.UTF8.GetString(_args[i]), Encoding.UTF8.GetString(_args[i + 1])));
        }
        var error = await _server.SetConfigAsync(TenantName, ServerConfig.IsAdmin(TenantName), pairs);
        if (error is null)
        {
            _writer.WriteRaw("+OK\r\n"u8);
        }
        else
        {
            _writer.WriteError(Encoding.UTF8.GetBytes(error));
        }
    }

    private async ValueTask InfoAsync()
    {
        var sections = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < _args.Count; i++)
        {
            sections.Add(Encoding.UTF8.GetString(_args[i]));
        }
        var all = sections.Count == 0 || sections.Contains("all") || sections.Contains("everything") || sections.Contains("default");
        var tenantInfo = await _tenant.GetInfoAsync();
        var text = new StringBuilder();
        void Section(string name, Action<StringBuilder> fill)
        {
            if (!all && !sections.Contains(name))
            {
                return;
            }
            if (text.Length > 0)
            {
                text.Append("\r\n");
            }
            text.Append("# ").Append(name).Append("\r\n");
            fill(text);
        }
        var options = _server.Options;
        var uptime = (long)_server.Uptime.Elapsed.TotalSeconds;
        var process = System.Diagnostics.Process.GetCurrentProcess();
        Section("Server", t => t
            .Line("redis_version", Encoding.ASCII.GetString(RedisCompatibleVersion))
            .Line("icefire_version", options.Version)
            .Line("redis_mode", "standalone")
            .Line("os", System.Runtime.InteropServices.RuntimeInformation.OSDescription)
            .Line("arch_bits", IntPtr.Size * 8)
            .Line("process_id", Environment.ProcessId)
            .Line("tcp_port", options.Port)
            .Line("server_time_usec", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000)
            .Line("uptime_in_seconds", uptime)
            .Line("uptime_in_days", uptime / 86400)
            // A path of the server's: for the admin role only, as CONFIG GET dir.
            .Line("executable", ServerConfig.IsAdmin(TenantName) ? Environment.ProcessPath ?? "" : "")
            .Line("config_file", ""));
        Section("Clients", t => t
            .Line("connected_clients", _server.Clients.Count)
            .Line("maxclients", 10000)
            .Line("blocked_clients", BlockedClientCount()));
        Section("Memory", t => t
            .Line("used_memory", GC.GetTotalMemory(false))
            .Line("used_memory_human", Human(GC.GetTotalMemory(false)))
            .Line("used_memory_rss", process.WorkingSet64)
            .Line("used_memory_rss_human", Human(process.WorkingSet64))
            .Line("used_memory_dataset", tenantInfo.UsedBytes)
            .Line("maxmemory", 0)
            .Line("maxmemory_policy", "noeviction"));
        Section("Persistence", t => t
            .Line("loading", 0)
            .Line("async_loading", 0)
            .Line("rdb_changes_since_last_save", 0)
            .Line("rdb_bgsave_in_progress", 0)
            .Line("rdb_last_save_time", tenantInfo.LastCommitUnixSeconds)
            .Line("aof_enabled", 1)
            .Line("aof_rewrite_in_progress", 0)
            .Line("aof_last_write_status", "ok")
            .Line("icefire_storage", "lmdb")
            .Line("icefire_durability", options.Durability)
            .Line("icefire_commits", tenantInfo.Commits)
            .Line("icefire_data_bytes", tenantInfo.UsedBytes)
            .Line("icefire_checksum_failures", tenantInfo.ChecksumFailures));
        Section("Stats", t => t
            .Line("total_connections_received", _server.TotalConnections)
            .Line("total_commands_processed", _server.TotalCommands)
            .Line("rejected_connections", _server.RejectedConnections)
            .Line("client_query_buffer_limit_disconnections", _server.QueryLimitDisconnections)
            .Line("client_output_buffer_limit_disconnections", _server.OutputLimitDisconnections)
            .Line("expired_keys", tenantInfo.ExpiredKeys)
            .Line("evicted_keys", 0)
            .Line("keyspace_hits", 0)
            .Line("keyspace_misses", 0)
            .Line("pubsub_channels", _pubSub.Channels().Count)
            .Line("pubsub_patterns", _pubSub.NumPat())
            .Line("icefire_auth_failures", options.LoginThrottle.Failures)
            .Line("icefire_auth_throttled", options.LoginThrottle.Throttled));
        var role = all || sections.Contains("replication") ? await CurrentRoleAsync() : null;
        Section("Replication", t => ReplicationSection(t, role!));
        Section("Keyspace", t =>
        {
            foreach (var (db, keys, expires) in tenantInfo.Keyspace)
            {
                t.Append(CultureInfo.InvariantCulture, $"db{db}:keys={keys},expires={expires},avg_ttl=0\r\n");
            }
        });
        _writer.WriteVerbatim("txt"u8, Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static string Human(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2}G"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F2}M"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):F2}K"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes}B"),
    };
}

internal static class InfoText
{
    public static StringBuilder Line(this StringBuilder text, string name, object value) =>
        text.Append(name).Append(':').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append("\r\n");
}
