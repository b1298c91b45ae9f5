using System.Security.Cryptography;

namespace IceFire.Grains.Hosting.Catalog;

/// <summary>A stored password: a salted PBKDF2 hash. The password itself is never stored.</summary>
/// <param name="Algorithm">Always <see cref="TenantPassword.Pbkdf2Sha256"/> in this format.</param>
/// <param name="Iterations">PBKDF2 iterations the hash was made with.</param>
/// <param name="Salt">Random salt, <see cref="TenantPassword.SaltBytes"/> bytes.</param>
/// <param name="Hash">The derived key, <see cref="TenantPassword.HashBytes"/> bytes.</param>
public sealed record PasswordHash(string Algorithm, int Iterations, byte[] Salt, byte[] Hash);

/// <summary>Makes and checks <see cref="PasswordHash"/>es (PBKDF2 with HMAC-SHA-256, RFC 8018).</summary>
public static class TenantPassword
{
    public const string Pbkdf2Sha256 = "pbkdf2-sha256";
    public const int SaltBytes = 16;
    public const int HashBytes = 32;

    /// <summary>
    /// Iterations for new hashes. A check costs tens of milliseconds at this count; the directory remembers a
    /// password it has accepted (in memory only) so that reconnecting clients pay it once.
    /// </summary>
    public const int DefaultIterations = 100_000;

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt.</summary>
    public static PasswordHash Hash(ReadOnlySpan<byte> password, int iterations = DefaultIterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return new PasswordHash(Pbkdf2Sha256, iterations, salt, hash);
    }

    /// <summary>True when <paramref name="password"/> is the one <paramref name="stored"/> was made from. Constant time in the password.</summary>
    public static bool Verify(PasswordHash stored, ReadOnlySpan<byte> password)
    {
        if (stored.Algorithm != Pbkdf2Sha256 || stored.Iterations < 1 || stored.Hash.Length == 0)
        {
            return false;
        }
        Span<byte> derived = stackalloc byte[stored.Hash.Length];
        Rfc2898DeriveBytes.Pbkdf2(password, stored.Salt, derived, stored.Iterations, HashAlgorithmName.SHA256);
        return CryptographicOperations.FixedTimeEquals(derived, stored.Hash);
    }
}
