using System.Security.Cryptography;
using System.Text;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql.Protocol;

/// <summary>
/// The server side of SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash) as PostgreSQL runs it: no channel binding, and
/// the user name inside the exchange ignored (the startup message names the user).
/// </summary>
internal sealed class ScramExchange(ScramSecret secret)
{
    public const string Mechanism = "SCRAM-SHA-256";

    private string? _clientFirstBare;
    private string? _serverFirst;
    private string? _nonce;
    private string? _gs2Header;

    /// <summary>Reads client-first-message and returns server-first-message, or null when the message is malformed.</summary>
    public string? Start(string clientFirst)
    {
        // gs2-header: "n,," (no channel binding) or "y,," (client could but thinks the server cannot); "p=" is refused.
        if (!(clientFirst.StartsWith("n,", StringComparison.Ordinal) || clientFirst.StartsWith("y,", StringComparison.Ordinal)))
        {
            return null;
        }
        var second = clientFirst.IndexOf(',', 2);
        if (second < 0)
        {
            return null;
        }
        _gs2Header = clientFirst[..(second + 1)];
        _clientFirstBare = clientFirst[(second + 1)..];
        string? clientNonce = null;
        foreach (var attribute in _clientFirstBare.Split(','))
        {
            if (attribute.StartsWith("r=", StringComparison.Ordinal))
            {
                clientNonce = attribute[2..];
            }
        }
        if (string.IsNullOrEmpty(clientNonce))
        {
            return null;
        }
        _nonce = clientNonce + Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(secret.Salt)},i={secret.Iterations}";
        return _serverFirst;
    }

    /// <summary>
    /// Checks client-final-message; returns server-final-message ("v=...") when the proof holds, else null.
    /// </summary>
    public string? Finish(string clientFinal)
    {
        if (_serverFirst is null)
        {
            return null;
        }
        var proofAt = clientFinal.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            return null;
        }
        var withoutProof = clientFinal[..proofAt];
        string? channel = null;
        string? nonce = null;
        foreach (var attribute in withoutProof.Split(','))
        {
            if (attribute.StartsWith("c=", StringComparison.Ordinal))
            {
                channel = attribute[2..];
            }
            else if (attribute.StartsWith("r=", StringComparison.Ordinal))
            {
                nonce = attribute[2..];
            }
        }
        if (nonce != _nonce || channel != Convert.ToBase64String(Encoding.ASCII.GetBytes(_gs2Header!)))
        {
            return null;
        }
        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(clientFinal[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            return null;
        }
        if (proof.Length != 32)
        {
            return null;
        }
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        var clientSignature = HMACSHA256.HashData(secret.StoredKey, authMessage);
        var clientKey = new byte[32];
        for (var i = 0; i < 32; i++)
        {
            clientKey[i] = (byte)(proof[i] ^ clientSignature[i]);
        }
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(clientKey), secret.StoredKey))
        {
            return null;
        }
        return "v=" + Convert.ToBase64String(HMACSHA256.HashData(secret.ServerKey, authMessage));
    }
}
