using System.Text.Json;
using System.Text.Json.Serialization;

namespace IceFire.Silo.Admin;

/// <summary>POST /tenants.</summary>
internal sealed class CreateTenantRequest
{
    public string? Name { get; set; }

    public string? Password { get; set; }
}

/// <summary>One entry of GET /tenants, and the body of a 201 from POST /tenants.</summary>
internal sealed record TenantSummary(string Name, DateTimeOffset Created, long? Keys);

/// <summary>Every non-2xx answer: what went wrong, in one sentence.</summary>
internal sealed record AdminError(string Error);

/// <summary>GET /cluster: the silos and, for each tenant, where its replicas are.</summary>
internal sealed record ClusterView(IReadOnlyList<ClusterMember> Members, IReadOnlyList<TenantPlacement> Tenants);

/// <summary>A silo: its id, where it listens (by protocol), and whether it is up.</summary>
internal sealed record ClusterMember(string Id, IReadOnlyDictionary<string, string> Addresses, string State);

/// <summary>
/// A tenant's replica group: the silos holding it, the one leading it, its commit index, and (in a cluster) how many
/// committed entries each replica has still to apply.
/// </summary>
/// <summary>A tenant's replicas; <paramref name="Learners"/> are those still catching up, without a vote yet (as the leader sees it).</summary>
internal sealed record TenantPlacement(string Name, IReadOnlyList<string> Replicas, string? Leader, long CommitIndex, IReadOnlyDictionary<string, long>? Lag = null, IReadOnlyList<string>? Learners = null);

/// <summary>GET /stats: failed logins (RESP and SQL) and how many of them the login throttle delayed.</summary>
internal sealed record AdminStats(long AuthFailures, long AuthThrottled, int AuthTrackedSources, int AuthTrackedTenants);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateTenantRequest))]
[JsonSerializable(typeof(TenantSummary))]
[JsonSerializable(typeof(List<TenantSummary>))]
[JsonSerializable(typeof(AdminError))]
[JsonSerializable(typeof(ClusterView))]
[JsonSerializable(typeof(AdminStats))]
[JsonSerializable(typeof(SortedDictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class AdminJson : JsonSerializerContext
{
    /// <summary>As <see cref="JsonSerializerContext"/>'s default, but writing quotes and non-ASCII letters as they are, for people and shell scripts reading the answers.</summary>
    public static AdminJson Readable { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
