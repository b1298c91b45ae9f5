namespace IceFire.Grains.Storage.Keyspace;

/// <summary>
/// Hears of the keyspace changes that happen below the commands: a key coming into existence and a key removed
/// because its time was up (lazily by a write, or by the active sweep). Called on the writer's thread inside
/// the write transaction; the key span is valid only during the call.
/// </summary>
public interface IKeyspaceObserver
{
    void KeyCreated(int db, ReadOnlySpan<byte> key);

    void KeyExpired(int db, ReadOnlySpan<byte> key);
}
