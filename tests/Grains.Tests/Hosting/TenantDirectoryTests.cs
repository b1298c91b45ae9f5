using System.Text;
using IceFire.Grains.Hosting;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Hosting;

public sealed class TenantDirectoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string DataPath => _temp.Sub("data");

    private TenantDirectory Open(out DataDirectory data)
    {
        data = DataDirectory.Open(DataPath);
        return TenantDirectory.Open(data, new TenantOptions { Durability = DurabilityMode.Periodic }, passwordIterations: 1000);
    }

    private static async Task<string> RunAsync(ITenantGrain grain, params string[] args)
    {
        var writer = new RecordingReplyWriter();
        var batch = new CommandBatch(writer);
        var memory = args.Select(a => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(a)).ToArray();
        batch.Add(CommandTable.Find(memory[0].Span)!, 0, memory);
        await grain.ExecuteAsync(batch);
        return writer.Text;
    }

    [Fact]
    public async Task CreatedTenantsAndTheirDataAreThereAfterAReopen()
    {
        var tenants = Open(out var data);
        Assert.Equal(TenantChangeStatus.Done, await tenants.CreateAsync("shop", "pw"));
        Assert.Equal(TenantChangeStatus.Exists, await tenants.CreateAsync("shop", "other"));
        Assert.Equal(TenantChangeStatus.Exists, await tenants.CreateAsync("default", "pw"));
        Assert.Equal(TenantChangeStatus.InvalidName, await tenants.CreateAsync("Shop", "pw"));
        await RunAsync(tenants.Find("shop")!, "SET", "k", "shop-value");
        await RunAsync(tenants.Find("default")!, "SET", "k", "default-value");
        tenants.Dispose();
        data.Dispose();

        tenants = Open(out data);
        try
        {
            Assert.Contains("shop-value", await RunAsync(tenants.Find("shop")!, "GET", "k"));
            Assert.Contains("default-value", await RunAsync(tenants.Find("default")!, "GET", "k"));
            Assert.True(await tenants.CheckPasswordAsync("shop", "pw"u8.ToArray()));
            Assert.False(await tenants.CheckPasswordAsync("shop", "PW"u8.ToArray()));
            Assert.False(await tenants.CheckPasswordAsync("default", "pw"u8.ToArray()));
            Assert.False(await tenants.CheckPasswordAsync("nobody", "pw"u8.ToArray()));
        }
        finally
        {
            tenants.Dispose();
            data.Dispose();
        }
    }

    [Fact]
    public async Task DropForgetsTheTenantRaisesDroppedAndDeletesItsDirectory()
    {
        var tenants = Open(out var data);
        try
        {
            var dropped = new List<string>();
            tenants.Dropped += dropped.Add;
            Assert.Equal(TenantChangeStatus.Done, await tenants.CreateAsync("temp", "pw"));
            var grain = tenants.Find("temp")!;
            Assert.True(await tenants.CheckPasswordAsync("temp", "pw"u8.ToArray()));
            Assert.Equal(TenantChangeStatus.Protected, await tenants.DropAsync("default"));
            Assert.Equal(TenantChangeStatus.NotFound, await tenants.DropAsync("never"));
            Assert.Equal(TenantChangeStatus.Done, await tenants.DropAsync("temp"));
            Assert.Equal(["temp"], dropped);
            Assert.Null(tenants.Find("temp"));
            Assert.Null(tenants.FindPubSub("temp"));
            Assert.False(await tenants.CheckPasswordAsync("temp", "pw"u8.ToArray()));
            Assert.False(Directory.Exists(data.TenantPath("temp")));
            await Assert.ThrowsAnyAsync<ObjectDisposedException>(async () => await RunAsync(grain, "SET", "k", "v"));
        }
        finally
        {
            tenants.Dispose();
            data.Dispose();
        }
    }

    [Fact]
    public async Task ADirectoryTheCatalogDoesNotListIsRemovedAtStart()
    {
        var tenants = Open(out var data);
        Assert.Equal(TenantChangeStatus.Done, await tenants.CreateAsync("real", "pw"));
        tenants.Dispose();
        // What a crash between opening a new tenant's environment and adding its record leaves behind.
        var leftover = data.TenantPath("half-made");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "data.mdb"), "x");
        data.Dispose();

        tenants = Open(out data);
        try
        {
            Assert.Equal(["half-made"], tenants.RemovedLeftovers);
            Assert.False(Directory.Exists(leftover));
            Assert.NotNull(tenants.Find("real"));
        }
        finally
        {
            tenants.Dispose();
            data.Dispose();
        }
    }

    [Fact]
    public async Task EachTenantHasItsOwnPubSubNamespaceForMessagesAndKeyspaceEvents()
    {
        var settings = new KeyspaceEventSettings();
        Assert.True(KeyspaceEventSettings.TryParse("KA", out var flags));
        settings.Flags = flags;
        using var data = DataDirectory.Open(DataPath);
        using var tenants = TenantDirectory.Open(data, new TenantOptions { KeyspaceEvents = settings }, passwordIterations: 1000);
        Assert.Equal(TenantChangeStatus.Done, await tenants.CreateAsync("a", "pw"));
        var inA = new Recorder();
        var inDefault = new Recorder();
        tenants.FindPubSub("a")!.SubscribePattern(inA, "*"u8);
        tenants.FindPubSub("default")!.SubscribePattern(inDefault, "*"u8);

        Assert.Equal(1, await tenants.FindPubSub("a")!.PublishAsync("ch"u8.ToArray(), "m"u8.ToArray()));
        await RunAsync(tenants.Find("a")!, "SET", "key-in-a", "v");
        await RunAsync(tenants.Find("default")!, "SET", "key-in-default", "v");

        // Notifications go out once the write is durable, which may be just after its reply.
        await Eventually.WaitUntilAsync(() => inA.Count == 2 && inDefault.Count == 1, "each tenant's subscriber heard its own tenant's write");
        Assert.Equal(["ch", "__keyspace@0__:key-in-a"], inA.Snapshot());
        Assert.Equal(["__keyspace@0__:key-in-default"], inDefault.Snapshot());
    }

    private sealed class Recorder : IPubSubSubscriber
    {
        private readonly List<string> _channels = [];

        public int Count
        {
            get
            {
                lock (_channels)
                {
                    return _channels.Count;
                }
            }
        }

        public List<string> Snapshot()
        {
            lock (_channels)
            {
                return [.. _channels];
            }
        }

        public void OnMessage(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message) => Add(channel);

        public void OnPatternMessage(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message) => Add(channel);

        private void Add(ReadOnlySpan<byte> channel)
        {
            lock (_channels)
            {
                _channels.Add(Encoding.UTF8.GetString(channel));
            }
        }
    }
}
