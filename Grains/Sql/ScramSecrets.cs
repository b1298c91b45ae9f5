using System.Collections.Concurrent;
using IceFire.Grains.Hosting.Catalog;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Sql;

/// <summary>
/// The SCRAM-SHA-256 verifiers of tenants' stored passwords, derived once per stored hash. Thread-safe.
/// </summary>
internal sealed class ScramSecrets
{
    private readonly ConcurrentDictionary<string, (PasswordHash Hash, ScramSecret Secret)> _secrets = new(StringComparer.Ordinal);

    /// <summary>
    /// The verifier of tenant <paramref name="name"/>'s password as <paramref name="stored"/>; null for <c>default</c>
    /// (its password is the gateway's requirepass) and for a hash SCRAM cannot use.
    /// </summary>
    public ScramSecret? For(string name, PasswordHash? stored)
    {
        if (name == ITenantDirectory.DefaultTenant || stored is not { Algorithm: TenantPassword.Pbkdf2Sha256 } || stored.Hash.Length != 32)
        {
            return null;
        }
        // The stored hash is PBKDF2-HMAC-SHA256(password, salt, iterations): SCRAM's SaltedPassword (RFC 5802).
        if (_secrets.TryGetValue(name, out var known) && ReferenceEquals(known.Hash, stored))
        {
            return known.Secret;
        }
        var secret = ScramSecret.FromSaltedPassword(stored.Salt, stored.Iterations, stored.Hash);
        _secrets[name] = (stored, secret);
        return secret;
    }

    /// <summary>Forgets a dropped tenant's verifier.</summary>
    public void Forget(string name) => _secrets.TryRemove(name, out _);
}
