using System.Diagnostics;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>
/// Blocking pops with several real connections on a real silo; expected frames are those redis-server 7.0
/// sends. A test knows a client is blocked when INFO counts it, never by sleeping.
/// </summary>
public sealed class BlockingTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private SiloProcess? _silo;

    private int Port => _silo!.Port;

    public async Task InitializeAsync() => _silo = await SiloProcess.StartAsync(_temp.Sub("data"));

    public async Task DisposeAsync() => await _silo!.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void BlpopIsServedByAPushFromAnotherConnection()
    {
        using var waiter = RespSocket.Connect(Port);
        using var pusher = RespSocket.Connect(Port);
        waiter.Command("BLPOP", "empty", "q", "0");
        WaitForBlocked(pusher, 1);
        Assert.Equal(":2\r\n", pusher.Call("RPUSH", "q", "a", "b"));
        Assert.Equal("*2\r\n$1\r\nq\r\n$1\r\na\r\n", waiter.ReadReply());
        // The pop happened with the push: nobody could see "a" in between.
        Assert.Equal("*1\r\n$1\r\nb\r\n", pusher.Call("LRANGE", "q", "0", "-1"));
        Assert.Equal(0, BlockedClients(pusher));
        Assert.Equal("+PONG\r\n", waiter.Call("PING"));
    }

    [Fact]
    public void ThreeWaitersOnOneKeyAreServedInArrivalOrder()
    {
        using var first = RespSocket.Connect(Port);
        using var second = RespSocket.Connect(Port);
        using var third = RespSocket.Connect(Port);
        using var pusher = RespSocket.Connect(Port);
        first.Command("BRPOP", "q", "0");
        WaitForBlocked(pusher, 1);
        second.Command("BLPOP", "other", "q", "0");
        WaitForBlocked(pusher, 2);
        third.Command("BLPOP", "q", "0");
        WaitForBlocked(pusher, 3);

        Assert.Equal(":1\r\n", pusher.Call("LPUSH", "q", "1"));
        Assert.Equal("*2\r\n$1\r\nq\r\n$1\r\n1\r\n", first.ReadReply());
        Assert.Equal(2, BlockedClients(pusher));
        Assert.Equal(":2\r\n", pusher.Call("RPUSH", "q", "2", "3"));
        Assert.Equal("*2\r\n$1\r\nq\r\n$1\r\n2\r\n", second.ReadReply());
        Assert.Equal("*2\r\n$1\r\nq\r\n$1\r\n3\r\n", third.ReadReply());
        Assert.Equal(":0\r\n", pusher.Call("EXISTS", "q"));
    }

    [Fact]
    public void TimeoutsAnswerNullInBothProtocols()
    {
        using var client = RespSocket.Connect(Port);
        var clock = Stopwatch.StartNew();
        Assert.Equal("*-1\r\n", client.Call("BLPOP", "q", "0.2"));
        Assert.True(clock.ElapsedMilliseconds >= 190, $"BLPOP 0.2 answered after {clock.ElapsedMilliseconds} ms");
        Assert.Equal("*-1\r\n", client.Call("BRPOP", "q", "r", "0.05"));
        // BLMOVE and BRPOPLPUSH time out with a null array too, unlike LMOVE's null bulk.
        Assert.Equal("*-1\r\n", client.Call("BLMOVE", "q", "d", "LEFT", "RIGHT", "0.05"));
        Assert.Equal("*-1\r\n", client.Call("BRPOPLPUSH", "q", "d", "0.05"));
        Assert.Equal("*-1\r\n", client.Call("BLMPOP", "0.05", "2", "q", "r", "LEFT", "COUNT", "2"));
        Assert.Equal("*-1\r\n", client.Call("BZPOPMIN", "z", "0.05"));
        Assert.Equal("*-1\r\n", client.Call("BZMPOP", "0.05", "1", "z", "MAX"));
        Assert.StartsWith("%7\r\n", client.Call("HELLO", "3"));
        Assert.Equal("_\r\n", client.Call("BZPOPMAX", "z", "0.05"));
        Assert.Equal("_\r\n", client.Call("BLMOVE", "q", "d", "LEFT", "RIGHT", "0.05"));
        Assert.Equal(0, BlockedClients(client));
        Assert.Equal(":0\r\n", client.Call("EXISTS", "d"));
    }

    [Fact]
    public void TimeoutZeroWaitsUntilALaterPush()
    {
        using var waiter = RespSocket.Connect(Port);
        using var pusher = RespSocket.Connect(Port);
        Assert.StartsWith("%7\r\n", waiter.Call("HELLO", "3"));
        waiter.Command("BZPOPMIN", "z1", "z2", "0");
        WaitForBlocked(pusher, 1);
        // Another client's short wait comes and goes; the first one stays.
        Assert.Equal("*-1\r\n", pusher.Call("BLPOP", "nothing", "0.1"));
        Assert.Equal(1, BlockedClients(pusher));
        Assert.Equal(":2\r\n", pusher.Call("ZADD", "z2", "2", "b", "1.5", "a"));
        Assert.Equal("*3\r\n$2\r\nz2\r\n$1\r\na\r\n,1.5\r\n", waiter.ReadReply());

        waiter.Command("BZMPOP", "0", "2", "z1", "z3", "MAX", "COUNT", "5");
        WaitForBlocked(pusher, 1);
        Assert.Equal(":1\r\n", pusher.Call("ZADD", "z1", "7", "x"));
        Assert.Equal("*2\r\n$2\r\nz1\r\n*1\r\n*2\r\n$1\r\nx\r\n,7\r\n", waiter.ReadReply());
        Assert.Equal("*2\r\n$1\r\nb\r\n$1\r\n2\r\n", pusher.Call("ZRANGE", "z2", "0", "-1", "WITHSCORES"));
    }

    [Fact]
    public void ATransactionWakesWaitersOnlyAfterExec()
    {
        using var waiter = RespSocket.Connect(Port);
        using var other = RespSocket.Connect(Port);
        waiter.Command("BLPOP", "q", "0");
        WaitForBlocked(other, 1);
        // Pushed and popped inside one EXEC: the key is empty when the waiter could look.
        Assert.Equal("+OK\r\n", other.Call("MULTI"));
        Assert.Equal("+QUEUED\r\n", other.Call("RPUSH", "q", "x"));
        Assert.Equal("+QUEUED\r\n", other.Call("LPOP", "q"));
        Assert.Equal("*2\r\n:1\r\n$1\r\nx\r\n", other.Call("EXEC"));
        Assert.Equal(1, BlockedClients(other));

        Assert.Equal("+OK\r\n", other.Call("MULTI"));
        Assert.Equal("+QUEUED\r\n", other.Call("RPUSH", "q", "x", "y"));
        Assert.Equal("+QUEUED\r\n", other.Call("LPOP", "q"));
        Assert.Equal("*2\r\n:2\r\n$1\r\nx\r\n", other.Call("EXEC"));
        Assert.Equal("*2\r\n$1\r\nq\r\n$1\r\ny\r\n", waiter.ReadReply());
        Assert.Equal(":0\r\n", other.Call("EXISTS", "q"));
    }

    [Fact]
    public void BlockingCommandsInsideMultiAnswerAtOnce()
    {
        using var client = RespSocket.Connect(Port);
        Assert.Equal("+OK\r\n", client.Call("MULTI"));
        Assert.Equal("+QUEUED\r\n", client.Call("BLPOP", "q", "0"));
        Assert.Equal("+QUEUED\r\n", client.Call("BLMOVE", "q", "d", "LEFT", "LEFT", "0"));
        Assert.Equal("+QUEUED\r\n", client.Call("BZPOPMIN", "z", "0"));
        Assert.Equal("+QUEUED\r\n", client.Call("RPUSH", "q", "v"));
        Assert.Equal("+QUEUED\r\n", client.Call("BRPOP", "q", "0"));
        Assert.Equal("*5\r\n*-1\r\n$-1\r\n*-1\r\n:1\r\n*2\r\n$1\r\nq\r\n$1\r\nv\r\n", client.Call("EXEC"));
        Assert.Equal(0, BlockedClients(client));
    }

    [Fact]
    public void BlmoveMovesAtomicallyAndWakesTheNextWaiter()
    {
        using var mover = RespSocket.Connect(Port);
        using var reader = RespSocket.Connect(Port);
        using var pusher = RespSocket.Connect(Port);
        mover.Command("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0");
        WaitForBlocked(pusher, 1);
        reader.Command("BLPOP", "dst", "0");
        WaitForBlocked(pusher, 2);
        Assert.Equal(":1\r\n", pusher.Call("RPUSH", "src", "v"));
        Assert.Equal("$1\r\nv\r\n", mover.ReadReply());
        Assert.Equal("*2\r\n$3\r\ndst\r\n$1\r\nv\r\n", reader.ReadReply());
        // Push, move and pop were one step: neither list ever showed the element to anyone else.
        Assert.Equal("*2\r\n:0\r\n:0\r\n", Exists(pusher, "src", "dst"));

        mover.Command("BRPOPLPUSH", "src", "dst", "0");
        WaitForBlocked(pusher, 1);
        Assert.Equal(":2\r\n", pusher.Call("RPUSH", "src", "a", "b"));
        Assert.Equal("$1\r\nb\r\n", mover.ReadReply());
        Assert.Equal("*1\r\n$1\r\na\r\n", pusher.Call("LRANGE", "src", "0", "-1"));
        Assert.Equal("*1\r\n$1\r\nb\r\n", pusher.Call("LRANGE", "dst", "0", "-1"));
    }

    [Fact]
    public void ADisconnectedWaiterIsForgotten()
    {
        using var observer = RespSocket.Connect(Port);
        using (var waiter = RespSocket.Connect(Port))
        {
            waiter.Command("BLPOP", "q", "0");
            WaitForBlocked(observer, 1);
        }
        WaitForBlocked(observer, 0);
        Assert.Equal(":1\r\n", observer.Call("RPUSH", "q", "kept"));
        Assert.Equal("*1\r\n$4\r\nkept\r\n", observer.Call("LRANGE", "q", "0", "-1"));
    }

    [Fact]
    public void WrongTypesAnswerWrongTypeOrKeepWaiting()
    {
        using var client = RespSocket.Connect(Port);
        using var other = RespSocket.Connect(Port);
        const string wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
        Assert.Equal("+OK\r\n", client.Call("SET", "s", "x"));
        Assert.Equal(wrongType, client.Call("BLPOP", "empty", "s", "0"));
        Assert.Equal(wrongType, client.Call("BZPOPMIN", "s", "0"));
        Assert.Equal(wrongType, client.Call("BLMPOP", "0", "1", "s", "LEFT"));

        // A key that becomes another type does not serve the waiter; it keeps waiting, as in Redis 7.0.
        client.Command("BLPOP", "k", "0");
        WaitForBlocked(other, 1);
        Assert.Equal(":1\r\n", other.Call("ZADD", "k", "1", "m"));
        Assert.Equal(1, BlockedClients(other));
        Assert.Equal(":1\r\n", other.Call("DEL", "k"));
        Assert.Equal(":1\r\n", other.Call("RPUSH", "k", "v"));
        Assert.Equal("*2\r\n$1\r\nk\r\n$1\r\nv\r\n", client.ReadReply());

        // BLMOVE whose destination turned into a string wakes with WRONGTYPE and leaves the element.
        client.Command("BLMOVE", "src", "s", "LEFT", "LEFT", "0");
        WaitForBlocked(other, 1);
        Assert.Equal(":1\r\n", other.Call("RPUSH", "src", "v"));
        Assert.Equal(wrongType, client.ReadReply());
        Assert.Equal("*1\r\n$1\r\nv\r\n", other.Call("LRANGE", "src", "0", "-1"));
    }

    [Fact]
    public void ClientUnblockEndsAWaitWithATimeoutOrAnError()
    {
        using var waiter = RespSocket.Connect(Port);
        using var admin = RespSocket.Connect(Port);
        var id = waiter.Call("CLIENT", "ID")[1..^2];
        Assert.Equal(":0\r\n", admin.Call("CLIENT", "UNBLOCK", id));
        waiter.Command("BLPOP", "q", "0");
        WaitForBlocked(admin, 1);
        Assert.Contains("flags=b", admin.Call("CLIENT", "LIST"));
        Assert.Equal(":1\r\n", admin.Call("CLIENT", "UNBLOCK", id));
        Assert.Equal("*-1\r\n", waiter.ReadReply());

        waiter.Command("BLMOVE", "q", "d", "LEFT", "LEFT", "0");
        WaitForBlocked(admin, 1);
        Assert.Equal("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n", admin.Call("CLIENT", "UNBLOCK", id, "NOW"));
        Assert.Equal(":1\r\n", admin.Call("CLIENT", "UNBLOCK", id, "error"));
        Assert.Equal("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", waiter.ReadReply());
        Assert.Equal(":0\r\n", admin.Call("CLIENT", "UNBLOCK", id, "TIMEOUT"));
        Assert.Equal("+PONG\r\n", waiter.Call("PING"));
    }

    [Fact]
    public void PipelinedCommandsAfterAWaitRunWhenItIsServed()
    {
        using var client = RespSocket.Connect(Port);
        using var pusher = RespSocket.Connect(Port);
        client.Send("*3\r\n$5\r\nRPUSH\r\n$1\r\nx\r\n$1\r\n1\r\n*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*2\r\n$4\r\nLLEN\r\n$1\r\nq\r\n");
        // The reply before the wait arrives while the client waits.
        Assert.Equal(":1\r\n", client.ReadReply());
        WaitForBlocked(pusher, 1);
        Assert.Equal(":2\r\n", pusher.Call("RPUSH", "q", "a", "b"));
        Assert.Equal("*2\r\n$1\r\nq\r\n$1\r\na\r\n", client.ReadReply());
        Assert.Equal(":1\r\n", client.ReadReply());
    }

    [Fact]
    public async Task AServedPopSurvivesKillMinus9()
    {
        using (var waiter = RespSocket.Connect(Port))
        using (var pusher = RespSocket.Connect(Port))
        {
            waiter.Command("BLPOP", "q", "0");
            WaitForBlocked(pusher, 1);
            Assert.Equal(":2\r\n", pusher.Call("RPUSH", "q", "first", "second"));
            Assert.Equal("*2\r\n$1\r\nq\r\n$5\r\nfirst\r\n", waiter.ReadReply());
        }
        await _silo!.KillHardAsync();
        await _silo.DisposeAsync();
        _silo = await SiloProcess.StartAsync(_temp.Sub("data"));
        using var client = RespSocket.Connect(Port);
        Assert.Equal("*1\r\n$6\r\nsecond\r\n", client.Call("LRANGE", "q", "0", "-1"));
    }

    private static string Exists(RespSocket client, string a, string b)
    {
        client.Command("EXISTS", a);
        client.Command("EXISTS", b);
        return $"*2\r\n{client.ReadReply()}{client.ReadReply()}";
    }

    private static int BlockedClients(RespSocket client)
    {
        var info = client.Call("INFO", "clients");
        var at = info.IndexOf("blocked_clients:", StringComparison.Ordinal);
        Assert.True(at >= 0, "INFO clients has blocked_clients");
        var start = at + "blocked_clients:".Length;
        return int.Parse(info.AsSpan(start, info.IndexOf('\r', start) - start), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void WaitForBlocked(RespSocket observer, int expected)
    {
        var current = -1;
        Eventually.WaitUntil(() => (current = BlockedClients(observer)) == expected, $"INFO clients shows blocked_clients:{expected}", detail: () => $"still {current}");
    }
}
