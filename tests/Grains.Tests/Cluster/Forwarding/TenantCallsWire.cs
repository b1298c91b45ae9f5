using IceFire.Grains.Cluster.Forwarding;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IceFire.Grains.Tests.Cluster.Forwarding;

/// <summary>Orleans' serializer as silos use it, for values that cross between them.</summary>
internal static class TenantCallsWire
{
    private static readonly ServiceProvider Services = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(ForwardedBatch).Assembly))
        .BuildServiceProvider();

    public static Serializer Serializer { get; } = Services.GetRequiredService<Serializer>();

    /// <summary><paramref name="value"/> after a trip through bytes, as another silo receives it.</summary>
    public static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;
}
