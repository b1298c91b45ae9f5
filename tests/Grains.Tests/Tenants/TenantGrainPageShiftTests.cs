using IceFire.Grains.Tenants;
using Xunit;
using static IceFire.Grains.Tests.Tenants.Resp;

namespace IceFire.Grains.Tests.Tenants;

/// <summary>
/// A read in a write transaction returns bytes inside a page; once the transaction has changed that page,
/// the next write on it (even a delete) shifts bytes under the span. Commands that read one key and then
/// write another must copy what they read first. Each batch below runs in one write transaction, with a
/// key written after the source so that deleting the destination moves other bytes over the source's place.
/// </summary>
public sealed class TenantGrainPageShiftTests : IDisposable
{
    private const string Source = "SSSSSSSSSSSSSSSSSSSS";
    private const string Later = "LLLLLLLLLLLLLLLLLLLL";

    private readonly TenantHarness _t = new(new TenantOptions
    {
        Durability = DurabilityMode.Periodic,
        SweepInterval = TimeSpan.FromHours(1),
    });

    public void Dispose() => _t.Dispose();

    private async Task ExpiredDestination()
    {
        Assert.Equal(Ok, await _t.Run("SET", "a:dst", "DDDDDDDDDDDDDDDDDDDD", "PX", "100"));
        _t.Clock.Advance(TimeSpan.FromMilliseconds(200));
    }

    private Task<string> RunAfterSourceAndLater(params string[] command) => _t.RunBatch(0,
        TenantHarness.Args("SET", "a:src", Source),
        TenantHarness.Args("SET", "a:later", Later),
        TenantHarness.Args(command),
        TenantHarness.Args("GET", "a:dst"));

    [Fact]
    public async Task CopyReplaceCopiesTheSourceBeforeDeletingTheDestination()
    {
        var reply = await _t.RunBatch(0,
            TenantHarness.Args("SET", "a:dst", "DDDDDDDDDDDDDDDDDDDD"),
            TenantHarness.Args("SET", "a:src", Source),
            TenantHarness.Args("SET", "a:later", Later),
            TenantHarness.Args("COPY", "a:src", "a:dst", "REPLACE"),
            TenantHarness.Args("GET", "a:dst"));
        Assert.Equal(Ok + Ok + Ok + Int(1) + Bulk(Source), reply);
        Assert.Equal(Bulk(Source), await _t.Run("GET", "a:src"));
        Assert.Equal(Bulk(Later), await _t.Run("GET", "a:later"));
    }

    [Fact]
    public async Task CopyOntoAnExpiredDestinationCopiesTheSource()
    {
        await ExpiredDestination();
        Assert.Equal(Ok + Ok + Int(1) + Bulk(Source), await RunAfterSourceAndLater("COPY", "a:src", "a:dst"));
    }

    [Fact]
    public async Task RenameNxOntoAnExpiredDestinationMovesTheSource()
    {
        await ExpiredDestination();
        Assert.Equal(Ok + Ok + Int(1) + Bulk(Source), await RunAfterSourceAndLater("RENAMENX", "a:src", "a:dst"));
        Assert.Equal(Null, await _t.Run("GET", "a:src"));
        Assert.Equal(Bulk(Later), await _t.Run("GET", "a:later"));
    }

    [Fact]
    public async Task RenameOntoAnExpiredDestinationMovesTheSource()
    {
        await ExpiredDestination();
        Assert.Equal(Ok + Ok + Ok + Bulk(Source), await RunAfterSourceAndLater("RENAME", "a:src", "a:dst"));
    }

    [Fact]
    public async Task SetGetOnAnExpiredKeyAndAppendAfterOtherWrites()
    {
        var reply = await _t.RunBatch(0,
            TenantHarness.Args("SET", "a:k", "value"),
            TenantHarness.Args("SET", "a:later", Later),
            TenantHarness.Args("DEL", "a:0"),
            TenantHarness.Args("APPEND", "a:k", "-more"),
            TenantHarness.Args("GETSET", "a:k", "new"),
            TenantHarness.Args("GET", "a:k"));
        Assert.Equal(Ok + Ok + Int(0) + Int(10) + Bulk("value-more") + Bulk("new"), reply);
    }
}
