using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IceFire.Grains.Tests.Support;

/// <summary>Orleans' serializer with the codecs of the calls between silos, as the silos carry those calls.</summary>
internal static class CallSerialization
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(Grains.Cluster.Messaging.INodeService).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    /// <summary><paramref name="value"/> after a trip through bytes: what the other silo reads.</summary>
    public static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;
}
