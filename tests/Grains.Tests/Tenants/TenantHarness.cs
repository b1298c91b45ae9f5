using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants;
using IceFire.Grains.Tests.Support;

namespace IceFire.Grains.Tests.Tenants;

/// <summary>A tenant grain in a temporary directory with a fake clock; runs commands and returns their RESP2 replies.</summary>
public sealed class TenantHarness : IDisposable
{
    private readonly TempDirectory _dir = new("icefire-tenant");

    public TenantHarness(TenantOptions? options = null)
    {
        Options = (options ?? new TenantOptions { Durability = DurabilityMode.Periodic }) with { Time = Clock };
        Grain = TenantGrain.Open("default", _dir.Path, Options, create: true);
    }

    public ManualTimeProvider Clock { get; } = new();

    public TenantOptions Options { get; }

    public TenantGrain Grain { get; private set; }

    public string Directory => _dir.Path;

    /// <summary>Closes the grain (flushing it) and opens the same directory again.</summary>
    public void Reopen()
    {
        Grain.Dispose();
        Grain = TenantGrain.Open("default", _dir.Path, Options, create: false);
    }

    public static ReadOnlyMemory<byte>[] Args(params string[] args)
    {
        var result = new ReadOnlyMemory<byte>[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            result[i] = Encoding.Latin1.GetBytes(args[i]);
        }
        return result;
    }

    /// <summary>Runs one command in database 0 and returns its reply as text.</summary>
    public Task<string> Run(params string[] args) => RunIn(0, args);

    public Task<string> RunIn(int db, params string[] args) => RunBatch(db, [Args(args)]);

    /// <summary>Runs several commands as one batch and returns their replies, concatenated.</summary>
    public async Task<string> RunBatch(int db, params ReadOnlyMemory<byte>[][] commands)
    {
        var replies = new RecordingReplyWriter();
        var batch = new CommandBatch(replies);
        foreach (var args in commands)
        {
            var info = CommandTable.Find(args[0].Span) ?? throw new ArgumentException("unknown command " + Encoding.Latin1.GetString(args[0].Span));
            batch.Add(info, db, args);
        }
        await Grain.ExecuteAsync(batch);
        return replies.Text;
    }

    public async Task<long> DbSize(int db = 0)
    {
        var reply = await RunIn(db, "DBSIZE");
        return long.Parse(reply.AsSpan(1, reply.Length - 3), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        Grain.Dispose();
        _dir.Dispose();
    }
}

/// <summary>Builders for expected RESP2 replies.</summary>
public static class Resp
{
    public const string Ok = "+OK\r\n";
    public const string Null = "$-1\r\n";

    public static string Bulk(string value) => $"${Encoding.Latin1.GetByteCount(value)}\r\n{value}\r\n";

    public static string Int(long value) => $":{value}\r\n";

    public static string Array(params string[] bulks) => $"*{bulks.Length}\r\n" + string.Concat(bulks.Select(Bulk));
}
