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
    private readonly byte[] _mockKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
    private readonly int _iterations;

    /// <param name="iterations">The iteration count of new tenants' hashes, which a mock verifier announces too.</param>
    public ScramSecrets(int iterations = TenantPassword.DefaultIterations) => _iterations = iterations;

    /// <summary>
    /// A verifier no password matches, for a tenant that does not exist: the exchange runs to its end as for a real
    /// tenant (PostgreSQL's mock authentication), with a salt that is the same for every attempt at the same name and
    /// the iteration count real tenants have, so neither the messages nor their timing tell which tenants exist.
    /// </summary>
    public ScramSecret Mock(string name)
    {
        var salt = System.Security.Cryptography.HMACSHA256.HashData(_mockKey, System.Text.Encoding.UTF8.GetBytes(name))[..16];
        return new ScramSecret(salt, _iterations, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32),
            System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    }

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
