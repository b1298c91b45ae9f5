using IceFire.Grains.Hosting.Catalog;
using Xunit;

namespace IceFire.Grains.Tests.Hosting;

public sealed class TenantNameTests
{
    [Theory]
    [InlineData("default")]
    [InlineData("a")]
    [InlineData("shop-eu_2")]
    [InlineData("0")]
    [InlineData("_")]
    public void AcceptsLowerCaseDigitsUnderscoreAndDash(string name) => Assert.True(TenantName.IsValid(name));

    [Fact]
    public void AcceptsSixtyFourCharactersButNotSixtyFive()
    {
        Assert.True(TenantName.IsValid(new string('x', 64)));
        Assert.Contains("at most 64", TenantName.Problem(new string('x', 65)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Shop")]
    [InlineData("a b")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("a.b")]
    [InlineData("é")]
    [InlineData("a\n")]
    public void RefusesEverythingElse(string name)
    {
        Assert.False(TenantName.IsValid(name));
        Assert.NotNull(TenantName.Problem(name));
    }
}
