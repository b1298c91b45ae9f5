using Xunit;
using static IceFire.Grains.Tests.Tenants.Resp;

namespace IceFire.Grains.Tests.Tenants;

public sealed class TenantGrainSetTests : IDisposable
{
    private readonly TenantHarness _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task SpopRemovesWhatItReturns()
    {
        await _t.Run("SADD", "s", "a", "b", "c", "d", "e");
        var popped = await _t.Run("SPOP", "s", "2");
        Assert.StartsWith("*2\r\n", popped);
        Assert.Equal(Int(3), await _t.Run("SCARD", "s"));
        foreach (var member in new[] { "a", "b", "c", "d", "e" })
        {
            var stillThere = await _t.Run("SISMEMBER", "s", member) == Int(1);
            Assert.Equal(!popped.Contains($"\r\n{member}\r\n"), stillThere);
        }
        Assert.StartsWith("*3\r\n", await _t.Run("SPOP", "s", "10"));
        Assert.Equal(Int(0), await _t.Run("EXISTS", "s"));
    }

    [Fact]
    public async Task SrandmemberKeepsItsPromises()
    {
        await _t.Run("SADD", "s", "a", "b", "c");
        var distinct = await _t.Run("SRANDMEMBER", "s", "10");
        Assert.StartsWith("*3\r\n", distinct);
        var repeated = await _t.Run("SRANDMEMBER", "s", "-7");
        Assert.StartsWith("*7\r\n", repeated);
        Assert.Equal(Int(3), await _t.Run("SCARD", "s"));
    }

    [Fact]
    public async Task StoreIntoASourceKeyWorks()
    {
        await _t.Run("SADD", "a", "1", "2", "3");
        await _t.Run("SADD", "b", "2", "3", "4");
        Assert.Equal(Int(2), await _t.Run("SINTERSTORE", "a", "a", "b"));
        Assert.Equal(Int(1), await _t.Run("SISMEMBER", "a", "2"));
        Assert.Equal(Int(0), await _t.Run("SISMEMBER", "a", "1"));
        Assert.Equal(Int(2), await _t.Run("SCARD", "a"));
    }

    [Fact]
    public async Task LargeSetMembershipIsExact()
    {
        var args = new List<string> { "SADD", "big" };
        for (var i = 0; i < 5000; i++)
        {
            args.Add($"m{i}");
        }
        Assert.Equal(Int(5000), await _t.Run([.. args]));
        Assert.Equal(Int(1), await _t.Run("SISMEMBER", "big", "m4999"));
        Assert.Equal(Int(0), await _t.Run("SISMEMBER", "big", "m5000"));
        await _t.Run("SADD", "small", "m10", "x", "m4000");
        Assert.Equal(Int(2), await _t.Run("SINTERCARD", "2", "big", "small"));
    }
}
