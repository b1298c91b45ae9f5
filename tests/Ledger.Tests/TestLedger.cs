using IceFire.Ledger.Building;
using IceFire.Ledger.Crypto;
using IceFire.Ledger.Families;
using IceFire.Ledger.Protocol;

namespace IceFire.Ledger.Tests;

/// <summary>A ledger in a fresh directory, with the keys and genesis that made it.</summary>
internal sealed class TestLedger : IDisposable
{
    /// <summary>Three Ed25519 node keys and one secp256k1 node key, all allowed by <see cref="Setup"/>.</summary>
    public static readonly ISigningKey[] Nodes =
    [
        Ed25519Scheme.Instance.Generate(),
        Ed25519Scheme.Instance.Generate(),
        Ed25519Scheme.Instance.Generate(),
        Secp256k1Scheme.Instance.Generate(),
    ];

    /// <summary>A client key signing transactions.</summary>
    public static readonly ISigningKey Client = Ed25519Scheme.Instance.Generate();

    /// <summary>Nests "main" and "side" hold intkey; "extra" holds the family "other".</summary>
    public static readonly Setup Setup = BuildSetup();

    public static readonly byte[] Genesis = Families.Genesis.Create(Setup, Nodes[0]);

    /// <summary>The intkey handler, a small map, no fsync.</summary>
    public static readonly DagLedgerOptions FastOptions = new() { Handlers = [new IntKeyHandler()], MapSize = 64L << 20, SyncOnCommit = false };

    private static int _counter;

    public TestLedger(DagLedgerOptions? options = null, byte[]? genesis = null)
    {
        Directory = NewDirectory();
        Options = options ?? FastOptions;
        Ledger = DagLedger.Create(Directory, genesis ?? Genesis, Options);
    }

    public string Directory { get; }

    public DagLedgerOptions Options { get; }

    public DagLedger Ledger { get; private set; }

    public static string NewDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "icefire-ledger-tests", $"{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}");
        if (System.IO.Directory.Exists(path))
        {
            System.IO.Directory.Delete(path, true);
        }
        return path;
    }

    /// <summary>Closes and opens the ledger again from its directory.</summary>
    public void Reopen()
    {
        Ledger.Dispose();
        Ledger = DagLedger.Open(Directory, Options);
    }

    private static Setup BuildSetup()
    {
        var builder = new SetupBuilder("test-ledger")
            .Family(IntKeyHandler.Name, IntKeyHandler.Version)
            .Family("other", "1.0")
            .Nest("main", IntKeyHandler.Name)
            .Nest("side", IntKeyHandler.Name)
            .Nest("extra", "other");
        foreach (var node in Nodes)
        {
            builder.Allow(node);
        }
        return builder.Build();
    }

    /// <summary>An intkey transaction by <see cref="Client"/> with a fresh random nonce.</summary>
    public static Transaction IntKey(string verb, string name, ulong value, ISigningKey? signer = null) =>
        IntKeyHandler.Transaction(signer ?? Client, verb, name, value, Guid.NewGuid().ToByteArray());

    public void Dispose()
    {
        Ledger.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, true);
        }
        catch (IOException)
        {
        }
    }
}
