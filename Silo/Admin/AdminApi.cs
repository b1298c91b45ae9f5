using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using IceFire.Grains.Hosting;
using IceFire.Grains.Hosting.Catalog;
using IceFire.Grains.Interfaces;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IceFire.Silo.Admin;

/// <summary>
/// The admin HTTP API: probes for Kubernetes (/healthz, /readyz, no token), the tenant table (/tenants), the
/// cluster view (/cluster), CONFIG (/config) and statistics (/stats), all behind the admin token when one is set. Handlers are plain request delegates
/// writing source-generated JSON: no reflection, nothing compiled at start.
/// </summary>
internal sealed partial class AdminApi
{
    private readonly ITenantAdmin _admin;
    private readonly ITenantDirectory _tenants;
    private readonly byte[]? _token;
    private readonly Func<CancellationToken, Task<ClusterView>> _cluster;
    private volatile bool _ready;

    /// <param name="admin">Creates, drops and lists tenants.</param>
    /// <param name="tenants">Finds a tenant's grain, for its key count.</param>
    /// <param name="token">The bearer token /tenants and /cluster require; none when null or empty.</param>
    /// <param name="cluster">Builds GET /cluster's answer.</param>
    public AdminApi(ITenantAdmin admin, ITenantDirectory tenants, string? token, Func<CancellationToken, Task<ClusterView>> cluster)
    {
        _admin = admin;
        _tenants = tenants;
        _token = string.IsNullOrEmpty(token) ? null : Encoding.UTF8.GetBytes("Bearer " + token);
        _cluster = cluster;
    }

    /// <summary>True once the tenants are open and the RESP listener accepts; false again when the silo stops.</summary>
    public bool Ready
    {
        get => _ready;
        set => _ready = value;
    }

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", HealthAsync);
        routes.MapGet("/readyz", ReadyAsync);
        routes.MapGet("/tenants", ListTenantsAsync);
        routes.MapPost("/tenants", CreateTenantAsync);
        routes.MapDelete("/tenants/{name}", DropTenantAsync);
        routes.MapGet("/cluster", ClusterAsync);
        routes.MapGet("/config", GetConfigAsync);
        routes.MapPut("/config", SetConfigAsync);
        routes.MapGet("/stats", StatsAsync);
    }

    private Task HealthAsync(HttpContext context) => Text(context, StatusCodes.Status200OK, "ok");

    private Task ReadyAsync(HttpContext context) =>
        _ready ? Text(context, StatusCodes.Status200OK, "ready") : Text(context, StatusCodes.Status503ServiceUnavailable, "not ready");

    private async Task ListTenantsAsync(HttpContext context)
    {
        if (!Authorized(context))
        {
            await Unauthorized(context);
            return;
        }
        var list = new List<TenantSummary>();
        foreach (var record in _admin.ListTenants())
        {
            list.Add(new TenantSummary(record.Name, record.Created, await CountKeysAsync(record.Name)));
        }
        if (WantsText(context.Request))
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{"NAME",-24} {"CREATED",-28} KEYS\n");
            foreach (var t in list)
            {
                text.Append(CultureInfo.InvariantCulture, $"{t.Name,-24} {t.Created.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),-28} {t.Keys}\n");
            }
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(text.ToString());
            return;
        }
        await Json(context, StatusCodes.Status200OK, list, AdminJson.Readable.ListTenantSummary);
    }

    private async Task CreateTenantAsync(HttpContext context)
    {
        if (!Authorized(context))
        {
            await Unauthorized(context);
            return;
        }
        CreateTenantRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, AdminJson.Readable.CreateTenantRequest, context.RequestAborted);
        }
        catch (JsonException e)
        {
            await Error(context, StatusCodes.Status400BadRequest, $"the body must be JSON like {{\"name\":\"...\",\"password\":\"...\"}} ({e.Message})");
            return;
        }
        if (request?.Name is not { } name)
        {
            await Error(context, StatusCodes.Status400BadRequest, "the body needs a \"name\"");
            return;
        }
        if (TenantName.Problem(name) is { } problem)
        {
            await Error(context, StatusCodes.Status400BadRequest, $"invalid tenant name '{name}': {problem}");
            return;
        }
        if (string.IsNullOrEmpty(request.Password))
        {
            await Error(context, StatusCodes.Status400BadRequest, "the body needs a non-empty \"password\"");
            return;
        }
        TenantChangeStatus status;
        try
        {
            status = await _admin.CreateAsync(name, request.Password, context.RequestAborted);
        }
        catch (TenantUnavailableException e)
        {
            await Error(context, StatusCodes.Status503ServiceUnavailable, e.Reply);
            return;
        }
        switch (status)
        {
            case TenantChangeStatus.Done:
                var created = _admin.ListTenants().FirstOrDefault(t => t.Name == name)?.Created ?? DateTimeOffset.UtcNow;
                context.Response.Headers.Location = "/tenants/" + name;
                await Json(context, StatusCodes.Status201Created, new TenantSummary(name, created, 0), AdminJson.Readable.TenantSummary);
                break;
            case TenantChangeStatus.Exists:
                await Error(context, StatusCodes.Status409Conflict, $"tenant '{name}' already exists");
                break;
            default:
                await Error(context, StatusCodes.Status400BadRequest, $"invalid tenant name '{name}'");
                break;
        }
    }

    private async Task DropTenantAsync(HttpContext context)
    {
        if (!Authorized(context))
        {
            await Unauthorized(context);
            return;
        }
        var name = context.Request.RouteValues["name"] as string ?? "";
        TenantChangeStatus status;
        try
        {
            status = await _admin.DropAsync(name, context.RequestAborted);
        }
        catch (TenantUnavailableException e)
        {
            await Error(context, StatusCodes.Status503ServiceUnavailable, e.Reply);
            return;
        }
        switch (status)
        {
            case TenantChangeStatus.Done:
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            case TenantChangeStatus.Protected:
                await Error(context, StatusCodes.Status400BadRequest, "the default tenant cannot be dropped");
                break;
            default:
                await Error(context, StatusCodes.Status404NotFound, $"no tenant '{name}'");
                break;
        }
    }

    private async Task ClusterAsync(HttpContext context)
    {
        if (!Authorized(context))
        {
            await Unauthorized(context);
            return;
        }
        var view = await _cluster(context.RequestAborted);
        if (WantsText(context.Request))
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(Render(view));
            return;
        }
        await Json(context, StatusCodes.Status200OK, view, AdminJson.Readable.ClusterView);
    }

    /// <summary>GET /cluster for a person: a table of members, then one of tenants with leader and lag per replica
    /// ("learner": still catching up, no vote yet).</summary>
    private static string Render(ClusterView view)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{"MEMBER",-8} {"STATE",-12} ADDRESSES\n");
        foreach (var m in view.Members)
        {
            var addresses = string.Join(" ", m.Addresses.Select(a => $"{a.Key}={a.Value}"));
            text.Append(CultureInfo.InvariantCulture, $"{m.Id,-8} {m.State,-12} {addresses}\n");
        }
        text.Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"{"TENANT",-24} {"LEADER",-8} {"COMMIT",-10} REPLICAS (lag)\n");
        foreach (var t in view.Tenants)
        {
            var replicas = string.Join(" ", t.Replicas.Select(r =>
            {
                var learner = t.Learners?.Contains(r) == true ? ",learner" : "";
                return t.Lag is { } lag ? $"{r}({(lag.TryGetValue(r, out var l) ? l.ToString(CultureInfo.InvariantCulture) : "?")}{learner})" : r + learner;
            }));
            text.Append(CultureInfo.InvariantCulture, $"{t.Name,-24} {t.Leader ?? "-",-8} {t.CommitIndex,-10} {replicas}\n");
        }
        return text.ToString();
    }

    private async ValueTask<long?> CountKeysAsync(string name)
    {
        if (_tenants.Find(name) is not { } grain)
        {
            return null;
        }
        try
        {
            var info = await grain.GetInfoAsync();
            long keys = 0;
            foreach (var (_, count, _) in info.Keyspace)
            {
                keys += count;
            }
            return keys;
        }
        catch (Exception e) when (e is ObjectDisposedException or TenantUnavailableException)
        {
            return null;
        }
    }

    private bool Authorized(HttpContext context)
    {
        if (_token is null)
        {
            return true;
        }
        var given = context.Request.Headers.Authorization.ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _token);
    }

    private static Task Unauthorized(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Error(context, StatusCodes.Status401Unauthorized, "this admin API needs \"Authorization: Bearer TOKEN\" with the silo's --admin-token");
    }

    private static bool WantsText(HttpRequest request)
    {
        var accept = request.Headers.Accept.ToString();
        return accept.Contains("text/plain", StringComparison.OrdinalIgnoreCase) && !accept.Contains("application/json", StringComparison.OrdinalIgnoreCase);
    }

    private static Task Text(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n");
    }

    private static Task Error(HttpContext context, int status, string message) =>
        Json(context, status, new AdminError(message), AdminJson.Readable.AdminError);

    private static async Task Json<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }
}
