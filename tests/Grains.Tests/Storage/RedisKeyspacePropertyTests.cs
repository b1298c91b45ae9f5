using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using IceFire.Grains.Storage.Keyspace;
using Xunit;

namespace IceFire.Grains.Tests.Storage;

public sealed class RedisKeyspacePropertyTests : IDisposable
{
    private static readonly byte[] SharedPrefix = RandomNumberGenerator.GetBytes(KeyEncoding.MaxInlineKey);
    private readonly KeyspaceFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    /// <summary>Random keys of 0..2000 bytes, often sharing their first 400 bytes so the hashed form is exercised.</summary>
    private static Gen<byte[]> KeyGen()
    {
        var bytes = Gen.Choose(0, 255).Select(i => (byte)i);
        var random = Gen.Choose(0, 2000).SelectMany(n => Gen.ArrayOf(bytes, n));
        var small = Gen.Choose(0, 8).SelectMany(n => Gen.ArrayOf(Gen.Elements((byte)'a', (byte)'b', (byte)0), n));
        var sharingPrefix = Gen.Choose(0, 1600).SelectMany(n => Gen.ArrayOf(bytes, n)).Select(suffix => SharedPrefix.Concat(suffix).ToArray());
        var nearTheLimit = Gen.Choose(KeyEncoding.MaxInlineKey - 2, KeyEncoding.MaxInlineKey + 2).Select(n => SharedPrefix.Concat(new byte[2]).Take(n).ToArray());
        return Gen.Frequency((3, random), (2, small), (3, sharingPrefix), (2, nearTheLimit));
    }

    [Fact]
    public void PutThenTryGetAndCursorDecodingRoundTripEveryKey()
    {
        var keysGen = Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(KeyGen(), n));
        Prop.ForAll(keysGen.ToArbitrary(), keys =>
        {
            var distinct = new Dictionary<string, (byte[] Key, byte[] Payload)>();
            for (var i = 0; i < keys.Length; i++)
            {
                distinct[Convert.ToHexString(keys[i])] = (keys[i], SHA256.HashData(keys[i]).Concat(BitConverter.GetBytes(i)).ToArray());
            }
            _fx.Write(txn =>
            {
                _fx.Keyspace.Clear(txn, 0);
                foreach (var (key, payload) in distinct.Values)
                {
                    _fx.Keyspace.Put(txn, 0, key, ValueKind.String, 0, payload);
                }
            });
            using var read = _fx.Env.BeginRead();
            foreach (var (key, payload) in distinct.Values)
            {
                if (!_fx.Keyspace.TryGet(read, 0, key, 0, out var value) || !value.Payload.SequenceEqual(payload))
                {
                    return false;
                }
            }
            var walked = new HashSet<string>();
            using (var cursor = read.OpenCursor(_fx.Keyspace.KeysOf(0)))
            {
                for (var more = cursor.First(); more; more = cursor.Next())
                {
                    var value = StoredValue.Read(cursor.Key, cursor.Value, 0);
                    walked.Add(Convert.ToHexString(RedisKeyspace.DecodeKey(cursor.Key, value)));
                }
            }
            return walked.SetEquals(distinct.Keys) && _fx.Keyspace.Count(read, 0) == distinct.Count;
        }).QuickCheckThrowOnFailure();
    }
}
