using System.Text;
using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>
/// Which tenant a connection reaches. AUTH and HELLO ... AUTH take the Redis 6 ACL form <c>user password</c>
/// with the tenant as the user: <c>default</c> is checked against requirepass here, any other tenant against
/// its stored password hash by the tenant directory. Logging into another tenant is a new login: the
/// database goes back to 0 and the old tenant's watches are dropped. A failed login is counted by the server's
/// <see cref="LoginThrottle"/> and answered after the delay it gives (this connection only waits).
/// </summary>
internal sealed partial class RespConnection
{
    private enum LoginResult
    {
        LoggedIn,
        WrongPassword,
        Subscribed,
    }

    private static ReadOnlySpan<byte> SubscribedTenantSwitch =>
        "-ERR cannot switch to another tenant while subscribed; UNSUBSCRIBE, PUNSUBSCRIBE or RESET first\r\n"u8;

    /// <summary>Called by the dropping thread for every connection.</summary>
    internal void OnTenantDropped(string tenant)
    {
        if (TenantName == tenant)
        {
            _tenantDropped = true;
        }
    }

    private void WriteTenantDropped() =>
        _writer.WriteError(Encoding.UTF8.GetBytes($"ERR tenant '{TenantName}' was dropped"));

    /// <summary>Checks <paramref name="user"/>'s password and, when it matches, makes that tenant the connection's.</summary>
    private async ValueTask<LoginResult> LogInAsync(ReadOnlyMemory<byte> user, ReadOnlyMemory<byte> password)
    {
        var name = Encoding.UTF8.GetString(user.Span);
        var ok = name == ITenantDirectory.DefaultTenant
            ? CheckDefaultPassword(password.Span)
            : await _server.Tenants.CheckPasswordAsync(name, password);
        var throttle = _server.Options.LoginThrottle;
        if (!ok)
        {
            await throttle.DelayAsync(throttle.Failed(LoginThrottle.SourceOf(RemoteEndPoint), name));
            return LoginResult.WrongPassword;
        }
        throttle.Succeeded(name);
        if (name == TenantName && !_tenantDropped)
        {
            Authenticated = true;
            return LoginResult.LoggedIn;
        }
        if (SubscriptionCount > 0)
        {
            // The subscriptions live in the old tenant's namespace; carrying them over would mix two tenants.
            return LoginResult.Subscribed;
        }
        var grain = _server.Tenants.Find(name);
        var pubSub = _server.Tenants.FindPubSub(name);
        if (grain is null || pubSub is null)
        {
            // Dropped between the password check and here.
            return LoginResult.WrongPassword;
        }
        await SwitchTenantAsync(name, grain, pubSub);
        Authenticated = true;
        return LoginResult.LoggedIn;
    }

    private async ValueTask SwitchTenantAsync(string name, ITenantGrain grain, IPubSub pubSub)
    {
        if (!_tenantDropped)
        {
            await ReleaseWatchesAsync();
        }
        _watches = null;
        Db = 0;
        _tenant = grain;
        _pubSub = pubSub;
        TenantName = name;
        _tenantDropped = false;
        // A drop that ran before TenantName changed did not mark this connection: look again.
        if (!ReferenceEquals(_server.Tenants.Find(name), grain))
        {
            _tenantDropped = true;
        }
    }

    /// <summary>RESET: back to the default tenant, as a new connection starts.</summary>
    private async ValueTask ResetTenantAsync()
    {
        if (TenantName == ITenantDirectory.DefaultTenant && !_tenantDropped)
        {
            return;
        }
        await SwitchTenantAsync(ITenantDirectory.DefaultTenant, _server.Tenants.Find(ITenantDirectory.DefaultTenant)!,
            _server.Tenants.FindPubSub(ITenantDirectory.DefaultTenant)!);
    }

    private bool CheckDefaultPassword(ReadOnlySpan<byte> password)
    {
        var required = _server.Options.RequirePass;
        if (string.IsNullOrEmpty(required))
        {
            // The default user has no password: any password is accepted, as in Redis' "nopass".
            return true;
        }
        var expected = Encoding.UTF8.GetBytes(required);
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(expected, password);
    }

    private void WriteLoginFailure(LoginResult result) =>
        _writer.WriteRaw(result == LoginResult.Subscribed ? SubscribedTenantSwitch : Errors.WrongPass);
}
