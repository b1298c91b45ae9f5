using IceFire.Grains.Cluster.Sql;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace IceFire.Grains.Tests.Cluster.Sql;

/// <summary>Orleans' serializer with the codecs of the SQL session calls, as the silos carry them between each other.</summary>
internal static class SqlCallSerialization
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(ISqlCalls).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    /// <summary><paramref name="value"/> after a trip through the serializer: what the other silo reads.</summary>
    public static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;
}
