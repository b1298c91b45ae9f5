namespace IceFire.Grains.Interfaces.Sql;

/// <summary>
/// Finds the SQL database of a tenant by name and answers for the tenant's password. Thread-safe.
/// </summary>
/// <remarks>
/// Isolation: a tenant's database is reachable only through its name, and a session opened on it sees only that
/// tenant's file. The <c>default</c> tenant's password (requirepass) is checked by the gateway itself, as RESP does.
/// </remarks>
public interface ISqlTenantDirectory
{
    /// <summary>The SQL database of <paramref name="name"/>, or null when there is no such tenant.</summary>
    ISqlTenant? Find(string name);

    /// <summary>
    /// The SCRAM-SHA-256 verifier of tenant <paramref name="name"/>'s password; for an unknown tenant a mock one that no
    /// password matches (so the exchange does not tell which tenants exist); null for <c>default</c> and for a tenant
    /// whose stored password cannot be turned into one.
    /// </summary>
    ScramSecret? FindScramSecret(string name);

    /// <summary>
    /// True when <paramref name="password"/> is tenant <paramref name="name"/>'s password (cleartext authentication); an
    /// unknown tenant takes as long as a wrong password.
    /// </summary>
    ValueTask<bool> CheckPasswordAsync(string name, ReadOnlyMemory<byte> password);
}

/// <summary>
/// What a server keeps to verify SCRAM-SHA-256 (RFC 5802, RFC 7677) without the password: the salt and iteration
/// count of Hi(), StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword, "Server Key").
/// </summary>
public sealed record ScramSecret(byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey)
{
    /// <summary>The verifier of a password whose SaltedPassword (PBKDF2-HMAC-SHA256, 32 bytes) is known.</summary>
    public static ScramSecret FromSaltedPassword(byte[] salt, int iterations, ReadOnlySpan<byte> saltedPassword)
    {
        var clientKey = System.Security.Cryptography.HMACSHA256.HashData(saltedPassword, "Client Key"u8);
        var storedKey = System.Security.Cryptography.SHA256.HashData(clientKey);
        var serverKey = System.Security.Cryptography.HMACSHA256.HashData(saltedPassword, "Server Key"u8);
        return new ScramSecret(salt, iterations, storedKey, serverKey);
    }

    /// <summary>The verifier of <paramref name="password"/> with a fresh random salt.</summary>
    public static ScramSecret FromPassword(ReadOnlySpan<byte> password, int iterations = 4096)
    {
        var salt = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        Span<byte> salted = stackalloc byte[32];
        System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(password, salt, salted, iterations, System.Security.Cryptography.HashAlgorithmName.SHA256);
        return FromSaltedPassword(salt, iterations, salted);
    }
}
