using System.Text.Json;
using IceFire.Gateway.Resp;
using IceFire.Grains.Interfaces;
using Microsoft.AspNetCore.Http;

namespace IceFire.Silo.Admin;

/// <summary>
/// CONFIG through the admin token, with the admin role's rights: GET /config?tenant=NAME&amp;pattern=GLOB reads every
/// parameter (the tenant's own values of per-tenant ones; <c>default</c> when no tenant is named), PUT /config?tenant=NAME
/// with a JSON object of names and values sets them (server-wide ones on this silo, per-tenant ones for the tenant,
/// replicated with it). GET /stats counts failed logins.
/// </summary>
internal sealed partial class AdminApi
{
    /// <summary>The RESP gateway whose CONFIG table /config reads and writes; /config answers 404 without it.</summary>
    public RespServer? Resp { get; init; }

    /// <summary>The login throttle /stats reports.</summary>
    public LoginThrottle? LoginThrottle { get; init; }

    private async Task GetConfigAsync(HttpContext context)
    {
        if (!Authorized(context))
        {
            await Unauthorized(context);
            return;
        }
        if (await ConfigTenantAsync(context) is not { } tenant)
        {
            return;
        }
        var pattern = context.Request.Query["pattern"].ToString();
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in Resp!.GetConfig(tenant, admin: true, pattern.Length == 0 ? "*" : pattern))
        {
            values[name] = value;
        }
        await Json(context, StatusCodes.Status200OK, values, AdminJson.Readable.SortedDictionaryStringString);
    }

    private async Task SetConfigAsync(HttpContext context)
    {
        if (!Authorized(context))
        {
            await Unauthorized(context);
            return;
        }
        if (await ConfigTenantAsync(context) is not { } tenant)
        {
            return;
        }
        Dictionary<string, string>? changes;
        try
        {
            changes = await JsonSerializer.DeserializeAsync(context.Request.Body, AdminJson.Readable.DictionaryStringString, context.RequestAborted);
        }
        catch (JsonException e)
        {
            await Error(context, StatusCodes.Status400BadRequest, $"the body must be a JSON object of parameter names and string values ({e.Message})");
            return;
        }
        if (changes is null || changes.Count == 0)
        {
            await Error(context, StatusCodes.Status400BadRequest, "the body names no parameter");
            return;
        }
        if (await Resp!.SetConfigAsync(tenant, admin: true, [.. changes]) is { } error)
        {
            await Error(context, StatusCodes.Status400BadRequest, error);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>The tenant named by ?tenant= (default when none), or null once a 404 is written.</summary>
    private async Task<string?> ConfigTenantAsync(HttpContext context)
    {
        if (Resp is null)
        {
            await Error(context, StatusCodes.Status404NotFound, "this silo has no RESP gateway");
            return null;
        }
        var tenant = context.Request.Query["tenant"].ToString();
        if (tenant.Length == 0)
        {
            tenant = ITenantDirectory.DefaultTenant;
        }
        if (_tenants.Find(tenant) is null)
        {
            await Error(context, StatusCodes.Status404NotFound, $"no tenant '{tenant}'");
            return null;
        }
        return tenant;
    }

    private async Task StatsAsync(HttpContext context)
    {
        if (!Authorized(context))
        {
            await Unauthorized(context);
            return;
        }
        var throttle = LoginThrottle;
        await Json(context, StatusCodes.Status200OK,
            new AdminStats(throttle?.Failures ?? 0, throttle?.Throttled ?? 0, throttle?.TrackedSources ?? 0, throttle?.TrackedTenants ?? 0),
            AdminJson.Readable.AdminStats);
    }
}
