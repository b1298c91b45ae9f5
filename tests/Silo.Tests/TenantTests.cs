using System.Net;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>Tenants end to end: created over the admin API, reached with AUTH over real sockets, isolated from each other.</summary>
public sealed class TenantTests : IAsyncLifetime, IDisposable
{
    private const string WrongPass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    private readonly TempDirectory _temp = new();
    private SiloProcess? _silo;
    private AdminClient? _admin;

    private int Port => _silo!.Port;

    private AdminClient Admin => _admin!;

    public async Task InitializeAsync()
    {
        _silo = await SiloProcess.StartWithAdminAsync(_temp.Sub("data"));
        _admin = new AdminClient(_silo);
    }

    public async Task DisposeAsync()
    {
        _admin?.Dispose();
        await _silo!.DisposeAsync();
    }

    public void Dispose() => _temp.Dispose();

    private RespSocket Login(string tenant, string password)
    {
        var socket = RespSocket.Connect(Port);
        Assert.Equal("+OK\r\n", socket.Call("AUTH", tenant, password));
        return socket;
    }

    [Fact]
    public async Task TheSameKeyInTwoTenantsHoldsTwoValues()
    {
        await Admin.CreateOrFailAsync("iso-a", "pa");
        await Admin.CreateOrFailAsync("iso-b", "pb");
        using var a = Login("iso-a", "pa");
        using var b = Login("iso-b", "pb");
        using var d = RespSocket.Connect(Port);
        Assert.Equal("+OK\r\n", a.Call("SET", "k", "from-a"));
        Assert.Equal("+OK\r\n", b.Call("SET", "k", "from-b"));
        Assert.Equal(":1\r\n", b.Call("SADD", "only-b", "m"));
        Assert.Equal("$6\r\nfrom-a\r\n", a.Call("GET", "k"));
        Assert.Equal("$6\r\nfrom-b\r\n", b.Call("GET", "k"));
        Assert.Equal("$-1\r\n", d.Call("GET", "k"));
        Assert.Equal(":1\r\n", a.Call("DBSIZE"));
        Assert.Equal(":2\r\n", b.Call("DBSIZE"));
        Assert.Equal("*1\r\n$1\r\nk\r\n", a.Call("KEYS", "*"));
        Assert.Equal(":0\r\n", a.Call("EXISTS", "only-b"));

        // FLUSHALL empties one tenant's databases, not the others'.
        Assert.Equal("+OK\r\n", a.Call("FLUSHALL"));
        Assert.Equal(":0\r\n", a.Call("DBSIZE"));
        Assert.Equal(":2\r\n", b.Call("DBSIZE"));
        Assert.Equal("$6\r\nfrom-b\r\n", b.Call("GET", "k"));

        Assert.Contains("user=iso-b ", b.Call("CLIENT", "INFO"));
        // CLIENT LIST shows a tenant's own connections only.
        var list = a.Call("CLIENT", "LIST");
        Assert.Contains("user=iso-a ", list);
        Assert.DoesNotContain("user=iso-b", list);
        Assert.DoesNotContain("user=default", list);
    }

    [Fact]
    public async Task WrongPasswordsAndUnknownTenantsGetRedisWrongPass()
    {
        await Admin.CreateOrFailAsync("pw-t", "right");
        using var socket = RespSocket.Connect(Port);
        Assert.Equal(WrongPass, socket.Call("AUTH", "pw-t", "wrong"));
        Assert.Equal(WrongPass, socket.Call("AUTH", "no-such-tenant", "right"));
        Assert.Equal(WrongPass, socket.Call("HELLO", "3", "AUTH", "pw-t", "wrong"));
        // The failed logins left the connection where it was.
        Assert.Contains("user=default ", socket.Call("CLIENT", "INFO"));
        Assert.Equal("+OK\r\n", socket.Call("AUTH", "pw-t", "right"));
        Assert.Contains("user=pw-t ", socket.Call("CLIENT", "INFO"));
    }

    [Fact]
    public async Task HelloAuthSelectsTheTenantAndALoginResetsTheDatabase()
    {
        await Admin.CreateOrFailAsync("hello-t", "pw");
        using var socket = RespSocket.Connect(Port);
        Assert.Equal("+OK\r\n", socket.Call("SELECT", "5"));
        Assert.Equal("+OK\r\n", socket.Call("SET", "in5", "default"));
        var hello = socket.Call("HELLO", "3", "AUTH", "hello-t", "pw");
        Assert.StartsWith("%7\r\n", hello);
        Assert.Contains("db=0 ", socket.Call("CLIENT", "INFO"));
        Assert.Equal("_\r\n", socket.Call("GET", "in5"));
        Assert.Equal("+OK\r\n", socket.Call("SELECT", "5"));
        Assert.Equal("_\r\n", socket.Call("GET", "in5"));
        // AUTH default (any password: no requirepass) goes back; RESET too.
        Assert.Equal("+OK\r\n", socket.Call("AUTH", "default", "x"));
        Assert.Equal("+OK\r\n", socket.Call("SELECT", "5"));
        Assert.Equal("$7\r\ndefault\r\n", socket.Call("GET", "in5"));
        Assert.Equal("+OK\r\n", socket.Call("AUTH", "hello-t", "pw"));
        Assert.Equal("+RESET\r\n", socket.Call("RESET"));
        Assert.Contains("user=default ", socket.Call("CLIENT", "INFO"));
    }

    [Fact]
    public async Task PublishReachesOnlyTheTenantsOwnSubscribers()
    {
        await Admin.CreateOrFailAsync("ps-a", "pa");
        await Admin.CreateOrFailAsync("ps-b", "pb");
        using var subA = Login("ps-a", "pa");
        using var subB = Login("ps-b", "pb");
        using var pubA = Login("ps-a", "pa");
        using var pubB = Login("ps-b", "pb");
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", subA.Call("SUBSCRIBE", "news"));
        Assert.Equal("*3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:1\r\n", subB.Call("PSUBSCRIBE", "*"));

        Assert.Equal(":1\r\n", pubA.Call("PUBLISH", "news", "for-a"));
        Assert.Equal(":1\r\n", pubB.Call("PUBLISH", "news", "for-b"));
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nfor-a\r\n", subA.ReadReply());
        Assert.Equal("*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$4\r\nnews\r\n$5\r\nfor-b\r\n", subB.ReadReply());
        // Neither got the other's message: the next frame is the reply to its own PING.
        Assert.Equal("*2\r\n$4\r\npong\r\n$0\r\n\r\n", subA.Call("PING"));
        Assert.Equal("*2\r\n$4\r\npong\r\n$0\r\n\r\n", subB.Call("PING"));

        Assert.Equal("*1\r\n$4\r\nnews\r\n", pubA.Call("PUBSUB", "CHANNELS"));
        Assert.Equal("*0\r\n", pubB.Call("PUBSUB", "CHANNELS"));
        Assert.Equal(":0\r\n", pubA.Call("PUBSUB", "NUMPAT"));
        Assert.Equal(":1\r\n", pubB.Call("PUBSUB", "NUMPAT"));
        using var d = RespSocket.Connect(Port);
        Assert.Equal(":0\r\n", d.Call("PUBLISH", "news", "for-nobody"));
    }

    [Fact]
    public async Task KeyspaceNotificationsStayInTheirTenant()
    {
        await Admin.CreateOrFailAsync("ks-a", "pa");
        await Admin.CreateOrFailAsync("ks-b", "pb");
        using var sub = Login("ks-a", "pa");
        using var a = Login("ks-a", "pa");
        using var b = Login("ks-b", "pb");
        Assert.Equal("+OK\r\n", a.Call("CONFIG", "SET", "notify-keyspace-events", "KA"));
        try
        {
            Assert.Equal("*3\r\n$10\r\npsubscribe\r\n$11\r\n__keyspace*\r\n:1\r\n", sub.Call("PSUBSCRIBE", "__keyspace*"));
            Assert.Equal("+OK\r\n", b.Call("SET", "from-b", "1"));
            Assert.Equal("+OK\r\n", a.Call("SET", "from-a", "1"));
            Assert.Equal("*4\r\n$8\r\npmessage\r\n$11\r\n__keyspace*\r\n$21\r\n__keyspace@0__:from-a\r\n$3\r\nset\r\n", sub.ReadReply());
        }
        finally
        {
            a.Call("CONFIG", "SET", "notify-keyspace-events", "");
        }
    }

    [Fact]
    public async Task DroppingATenantFailsItsConnectedClientsAndDeletesItsData()
    {
        await Admin.CreateOrFailAsync("doomed", "pw");
        using var client = Login("doomed", "pw");
        using var subscriber = Login("doomed", "pw");
        Assert.Equal("+OK\r\n", client.Call("SET", "k", "v"));
        subscriber.Call("SUBSCRIBE", "ch");
        var directory = SiloProcess.TenantDirectory(_temp.Sub("data"), "doomed");
        Assert.NotNull(directory);

        var (status, _) = await Admin.DropAsync("doomed");
        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal("-ERR tenant 'doomed' was dropped\r\n", client.Call("GET", "k"));
        Assert.True(client.IsClosedByServer());
        Assert.Equal("-ERR tenant 'doomed' was dropped\r\n", subscriber.Call("PING"));
        Assert.False(Directory.Exists(directory));

        using var again = RespSocket.Connect(Port);
        Assert.Equal(WrongPass, again.Call("AUTH", "doomed", "pw"));
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.DropAsync("doomed")).Status);
        // The name is free again, with an empty dataset.
        await Admin.CreateOrFailAsync("doomed", "pw2");
        using var reborn = Login("doomed", "pw2");
        Assert.Equal(":0\r\n", reborn.Call("DBSIZE"));
    }

    [Fact]
    public async Task TenantsAndTheirDataSurviveARestart()
    {
        var data = _temp.Sub("restart");
        await using (var silo = await SiloProcess.StartWithAdminAsync(data))
        {
            using var admin = new AdminClient(silo);
            await admin.CreateOrFailAsync("kept", "pw");
            await admin.CreateOrFailAsync("gone", "pw");
            using var socket = RespSocket.Connect(silo.Port);
            Assert.Equal("+OK\r\n", socket.Call("AUTH", "kept", "pw"));
            Assert.Equal("+OK\r\n", socket.Call("SET", "k", "kept-value"));
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DropAsync("gone")).Status);
            silo.Terminate();
            Assert.Equal(0, await silo.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
        await using (var silo = await SiloProcess.StartWithAdminAsync(data))
        {
            Assert.Contains("2 tenants", silo.StandardOutput);
            using var socket = RespSocket.Connect(silo.Port);
            Assert.Equal(WrongPass, socket.Call("AUTH", "kept", "wrong"));
            Assert.Equal("+OK\r\n", socket.Call("AUTH", "kept", "pw"));
            Assert.Equal("$10\r\nkept-value\r\n", socket.Call("GET", "k"));
            Assert.Equal(WrongPass, socket.Call("AUTH", "gone", "pw"));
            using var admin = new AdminClient(silo);
            var (_, body) = await admin.GetAsync("/tenants");
            Assert.Contains("\"name\":\"kept\"", body);
            Assert.DoesNotContain("\"gone\"", body);
        }
        // The tenant table lives in the system group's log and snapshots: hashes only, never the password itself.
        foreach (var file in Directory.GetFiles(Path.Combine(data, "cluster"), "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain("\"pw\"", await File.ReadAllTextAsync(file));
        }
    }
}
