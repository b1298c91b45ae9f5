namespace IceFire.Grains.Interfaces;

/// <summary>The silo asked holds no replica of the tenant: it was dropped, or its replica here is not open yet.</summary>
public sealed class TenantNotFoundException(string message) : Exception(message);
