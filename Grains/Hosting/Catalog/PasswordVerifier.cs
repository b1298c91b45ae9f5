using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace IceFire.Grains.Hosting.Catalog;

/// <summary>
/// Checks tenants' passwords against their stored hashes for a silo's tenant table (single silo or cluster member).
/// Thread-safe.
/// </summary>
/// <remarks>
/// <para>An unknown tenant costs what a wrong password costs: the password is run through the same PBKDF2, against a
/// dummy hash made at start with the iteration count of new tenants' hashes, so the time of a failure does not tell
/// whether the tenant exists.</para>
/// <para>A password accepted once is remembered (memory only) as HMAC-SHA-256 keyed by the stored salt, with the
/// stored hash it was checked against: a client that reconnects skips the key-derivation function, and a new hash (a
/// tenant dropped and created again, with its new salt) or <see cref="Forget"/> invalidates the entry.</para>
/// <para>Key derivations run off the caller's thread, at most half the cores at once, so logins in parallel cannot
/// take every core from the commands.</para>
/// </remarks>
public sealed class PasswordVerifier
{
    private readonly ConcurrentDictionary<string, (PasswordHash Hash, byte[] Digest)> _accepted = new(StringComparer.Ordinal);
    private readonly PasswordHash _dummy;
    private readonly SemaphoreSlim _derivations = new(Math.Max(1, Environment.ProcessorCount / 2));
    private long _derived;

    /// <summary>A verifier whose dummy hash has <paramref name="iterations"/> iterations, as new tenants' hashes do.</summary>
    public PasswordVerifier(int iterations = TenantPassword.DefaultIterations)
    {
        _dummy = TenantPassword.Hash(RandomNumberGenerator.GetBytes(16), iterations);
    }

    /// <summary>Key derivations run since start (accepted passwords remembered cost none).</summary>
    public long Derivations => Interlocked.Read(ref _derived);

    /// <summary>
    /// True when <paramref name="password"/> is the one <paramref name="stored"/> (tenant <paramref name="name"/>'s
    /// hash) was made from; false, after the same work, when <paramref name="stored"/> is null (no such tenant).
    /// </summary>
    public async ValueTask<bool> VerifyAsync(string name, PasswordHash? stored, ReadOnlyMemory<byte> password)
    {
        ArgumentNullException.ThrowIfNull(name);
        var hash = stored ?? _dummy;
        var digest = HMACSHA256.HashData(hash.Salt, password.Span);
        if (stored is not null && _accepted.TryGetValue(name, out var known) && SameHash(known.Hash, stored) &&
            CryptographicOperations.FixedTimeEquals(known.Digest, digest))
        {
            return true;
        }
        await _derivations.WaitAsync().ConfigureAwait(false);
        bool ok;
        try
        {
            Interlocked.Increment(ref _derived);
            // Tens of milliseconds: off the connection's (socket) thread.
            ok = await Task.Run(() => TenantPassword.Verify(hash, password.Span)).ConfigureAwait(false);
        }
        finally
        {
            _derivations.Release();
        }
        if (stored is null)
        {
            return false;
        }
        if (ok)
        {
            _accepted[name] = (stored, digest);
        }
        return ok;
    }

    /// <summary>
    /// The same stored hash, by value: a cluster's tenant table makes new objects with every change, and a tenant made
    /// again under the same name has a new salt.
    /// </summary>
    private static bool SameHash(PasswordHash a, PasswordHash b) =>
        ReferenceEquals(a, b) || (a.Iterations == b.Iterations && a.Algorithm == b.Algorithm && a.Salt.AsSpan().SequenceEqual(b.Salt) && a.Hash.AsSpan().SequenceEqual(b.Hash));

    /// <summary>Forgets the accepted password of a dropped tenant.</summary>
    public void Forget(string name) => _accepted.TryRemove(name, out _);
}
