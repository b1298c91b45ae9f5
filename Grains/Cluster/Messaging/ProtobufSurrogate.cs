using Google.Protobuf;
using IceFire.Grains.Cluster.Wire;
using Orleans;

namespace IceFire.Grains.Cluster.Messaging;

/// <summary>
/// A protobuf message of the cluster's schema (cluster.proto) as an argument of a call between silos: its own encoding
/// carried as bytes, so the message keeps one wire format (append-only field numbers) in the Raft log and in calls alike.
/// </summary>
[GenerateSerializer, Immutable, Alias("IceFire.Protobuf")]
public readonly record struct ProtobufSurrogate([property: Id(0)] byte[] Bytes);

/// <summary>Converts messages of <typeparamref name="T"/> to and from <see cref="ProtobufSurrogate"/>.</summary>
public abstract class ProtobufConverter<T> : IConverter<T, ProtobufSurrogate>
    where T : IMessage<T>, new()
{
    private static readonly MessageParser<T> Parser = new(() => new T());

    public T ConvertFromSurrogate(in ProtobufSurrogate surrogate) => Parser.ParseFrom(surrogate.Bytes);

    public ProtobufSurrogate ConvertToSurrogate(in T value) => new(value.ToByteArray());
}

[RegisterConverter]
public sealed class TenantChangeRequestConverter : ProtobufConverter<TenantChangeRequestProto>;

[RegisterConverter]
public sealed class TenantChangeResponseConverter : ProtobufConverter<TenantChangeResponseProto>;

[RegisterConverter]
public sealed class ReplicaStatusListConverter : ProtobufConverter<ReplicaStatusListProto>;
