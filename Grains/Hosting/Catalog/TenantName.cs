namespace IceFire.Grains.Hosting.Catalog;

/// <summary>The rule for tenant names: 1 to 64 characters of <c>a-z</c>, <c>0-9</c>, <c>_</c> and <c>-</c>.</summary>
/// <remarks>
/// A name is also a directory name under <c>tenants/</c>, so the rule keeps out path separators, dots
/// (hidden and parent directories), upper case (case-insensitive file systems) and anything a shell or URL
/// would need to quote.
/// </remarks>
public static class TenantName
{
    public const int MaxLength = 64;

    /// <summary>True when <paramref name="name"/> is a valid tenant name.</summary>
    public static bool IsValid(ReadOnlySpan<char> name) => Problem(name) is null;

    /// <summary>Why <paramref name="name"/> is not a valid tenant name, or null when it is.</summary>
    public static string? Problem(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return "a tenant name must not be empty";
        }
        if (name.Length > MaxLength)
        {
            return $"a tenant name has at most {MaxLength} characters (this one has {name.Length})";
        }
        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-'))
            {
                return "a tenant name may contain only lower-case letters a-z, digits 0-9, '_' and '-'";
            }
        }
        return null;
    }
}
