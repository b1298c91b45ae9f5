using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using IceFire.Raft.Transport;

namespace IceFire.Raft.Tests.Hosting;

/// <summary>The transport on its own: message round trips, and connections handed over by another listener.</summary>
[Collection("tcp")]
public sealed class TcpTransportTests
{
    [Fact]
    public async Task ConnectionsAcceptedByAnotherListenerCarryTrafficBothWays()
    {
        var at1 = new ConcurrentQueue<(ulong, Message)>();
        var at2 = new ConcurrentQueue<(ulong, Message)>();
        await using var t1 = new TcpTransport(1, new IPEndPoint(IPAddress.Loopback, 0), (g, m) => at1.Enqueue((g, m)));
        await using var t2 = new TcpTransport(2, null, (g, m) => at2.Enqueue((g, m)));
        // The process's own listener (a silo's cluster port) accepts and hands the connection to the transport.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var handOver = Task.Run(async () =>
        {
            var socket = await listener.AcceptSocketAsync();
            await t2.AcceptConnectionAsync(new NetworkStream(socket, ownsSocket: true));
        });
        t1.Start();
        t2.Start();
        t1.SetPeer(2, (IPEndPoint)listener.LocalEndpoint);
        t2.SetPeer(1, t1.LocalEndPoint);
        await handOver.WaitAsync(TimeSpan.FromSeconds(10));
        listener.Stop();
        await TcpCluster.WaitUntil(() => t1.OpenConnections == 1 && t2.OpenConnections == 1, "the link to come up");
        var entries = new[] { new Entry(5, 2, EntryType.Normal, [1, 2, 3]), new Entry(6, 2, EntryType.Config, new ConfState([1, 2], [3]).Encode()) };
        t1.Send(7, new Message { Type = MessageType.Append, From = 1, To = 2, Term = 2, Index = 4, LogTerm = 1, Entries = entries, Commit = 3 });
        t1.Send(8, new Message { Type = MessageType.Heartbeat, From = 1, To = 2, Term = 2, Commit = 6, Context = 9, Quiesce = true });
        t2.Send(7, new Message { Type = MessageType.AppendResponse, From = 2, To = 1, Term = 2, Index = 6 });
        await TcpCluster.WaitUntil(() => at2.Count == 2 && at1.Count == 1, "messages both ways");
        var byGroup = at2.ToDictionary(x => x.Item1, x => x.Item2);
        var append = byGroup[7];
        Assert.Equal((MessageType.Append, 1UL, 2UL, 2UL, 4UL, 1UL, 3UL), (append.Type, append.From, append.To, append.Term, append.Index, append.LogTerm, append.Commit));
        Assert.Equal(entries, append.Entries, new EntryComparer());
        var hb = byGroup[8];
        Assert.Equal((MessageType.Heartbeat, 6UL, 9UL, true), (hb.Type, hb.Commit, hb.Context, hb.Quiesce));
        Assert.Equal(6UL, at1.Single().Item2.Index);
    }

    private sealed class EntryComparer : IEqualityComparer<Entry>
    {
        public bool Equals(Entry? x, Entry? y) =>
            x is not null && y is not null && (x.Index, x.Term, x.Type) == (y.Index, y.Term, y.Type) && x.Data.AsSpan().SequenceEqual(y.Data);

        public int GetHashCode(Entry obj) => obj.Index.GetHashCode();
    }
}
