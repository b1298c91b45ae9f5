using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants;
using IceFire.Grains.Tenants.Replication;
using IceFire.Raft;
using IceFire.Raft.Hosting;
using IceFire.Raft.Transport;
using IceFire.Grains.Tests.Support;

namespace IceFire.Grains.Tests.Tenants;

/// <summary>
/// A tenant in a temporary directory with a fake clock, as a single silo runs it: a replicated tenant whose group has
/// one voter, this process. Runs commands and returns their RESP2 replies.
/// </summary>
public sealed class TenantHarness : IDisposable
{
    private const ulong GroupId = 100;
    private readonly TempDirectory _dir = new("icefire-tenant");
    private RaftHost _host;
    private bool _closed;

    public TenantHarness(TenantOptions? options = null)
    {
        Options = (options ?? new TenantOptions { Durability = DurabilityMode.Periodic }) with { Time = Clock };
        (_host, Grain) = Open();
    }

    public ManualTimeProvider Clock { get; } = new();

    public TenantOptions Options { get; }

    public ReplicatedTenant Grain { get; private set; }

    public string Directory => _dir.Path;

    private (RaftHost, ReplicatedTenant) Open()
    {
        _closed = false;
        var host = new RaftHost(new RaftHostOptions { NodeId = 1, TickInterval = TimeSpan.FromMilliseconds(20) }, NoPeers.Instance);
        var tenant = ReplicatedTenant.Open("default", _dir.Path, Options, nodeId: 1);
        var group = host.AddGroup(GroupId, new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 1 }, tenant.OpenLog(GroupId, new ConfState([1], [])), tenant);
        tenant.Attach(group);
        host.Start();
        group.Campaign();
        Eventually.WaitUntilAsync(() => tenant.IsLeader && group.Role == RaftRole.Leader, "the tenant's only replica to lead its group")
            .GetAwaiter().GetResult();
        return (host, tenant);
    }

    /// <summary>Closes the tenant (its group first) and opens the same directory again.</summary>
    public void Reopen()
    {
        Close();
        (_host, Grain) = Open();
    }

    /// <summary>
    /// Closes the tenant as its silo does: the group leaves its host (no more applies), then the environment closes.
    /// Writes in flight complete or fail. Closing twice does nothing.
    /// </summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Grain.Dispose();
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
        Close();
        _dir.Dispose();
    }

    /// <summary>The transport of a group with no other members: nothing to send.</summary>
    private sealed class NoPeers : IRaftTransport
    {
        public static readonly NoPeers Instance = new();

        public void Send(ulong group, Message message)
        {
        }
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
