using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using IceFire.Grains.Interfaces;
using Xunit;

namespace IceFire.Grains.Tests.Interfaces;

public sealed class GlobTests
{
    private static bool Match(string pattern, string text, bool nocase = false) =>
        Glob.IsMatch(Encoding.Latin1.GetBytes(pattern), Encoding.Latin1.GetBytes(text), nocase);

    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("*", "x", true)]
    [InlineData("h?llo", "hello", true)]
    [InlineData("h?llo", "hallo", true)]
    [InlineData("h?llo", "hllo", false)]
    [InlineData("h*llo", "hllo", true)]
    [InlineData("h*llo", "heeeello", true)]
    [InlineData("h*llo", "hello world", false)]
    [InlineData("h[ae]llo", "hello", true)]
    [InlineData("h[ae]llo", "hallo", true)]
    [InlineData("h[ae]llo", "hillo", false)]
    [InlineData("h[^e]llo", "hallo", true)]
    [InlineData("h[^e]llo", "hbllo", true)]
    [InlineData("h[^e]llo", "hello", false)]
    [InlineData("h[a-b]llo", "hallo", true)]
    [InlineData("h[a-b]llo", "hbllo", true)]
    [InlineData("h[a-b]llo", "hcllo", false)]
    [InlineData("h[b-a]llo", "hallo", true)]
    [InlineData("[abc]", "b", true)]
    [InlineData("[abc]", "d", false)]
    [InlineData("[^abc]", "d", true)]
    [InlineData("user:*:name", "user:1000:name", true)]
    [InlineData("user:*:name", "user:1000:email", false)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    [InlineData("abc", "abc", true)]
    [InlineData("abc", "abcd", false)]
    [InlineData("abc", "ab", false)]
    [InlineData("a*", "a", true)]
    [InlineData("a**", "a", true)]
    [InlineData("*a", "ba", true)]
    [InlineData("?", "", false)]
    public void FollowsRedisSemantics(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, Match(pattern, text));
    }

    [Theory]
    [InlineData(@"\*", "*", true)]
    [InlineData(@"\*", "a", false)]
    [InlineData(@"a\?b", "a?b", true)]
    [InlineData(@"a\?b", "axb", false)]
    [InlineData(@"\[abc]", "[abc]", true)]
    [InlineData(@"\[abc]", "a", false)]
    [InlineData(@"[\]]", "]", true)]
    [InlineData(@"[\^a]", "^", true)]
    [InlineData(@"[a\-z]", "-", true)]
    [InlineData(@"[a\-z]", "m", false)]
    [InlineData(@"\\", @"\", true)]
    [InlineData(@"a\", @"a\", true)]
    [InlineData(@"\a", "a", true)]
    public void BackslashEscapesTheNextByte(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, Match(pattern, text));
    }

    [Theory]
    [InlineData("HELLO", "hello", true)]
    [InlineData("h*LLO", "HeLlo", true)]
    [InlineData("h[AE]llo", "hello", true)]
    [InlineData("h[^E]llo", "hello", false)]
    [InlineData("[A-Z]", "q", true)]
    [InlineData("[a-z]", "Q", true)]
    [InlineData("h?llo", "HELLO", true)]
    [InlineData("abc", "abd", false)]
    public void NocaseFoldsAsciiLetters(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, Match(pattern, text, nocase: true));
    }

    [Fact]
    public void CaseMattersWithoutNocase()
    {
        Assert.False(Match("HELLO", "hello"));
        Assert.False(Match("[A-Z]", "q"));
    }

    [Theory]
    [InlineData("[abc", "a", true)]
    [InlineData("[abc", "ab", false)]
    [InlineData("[", "a", false)]
    [InlineData("[^", "a", true)]
    [InlineData("x[a-", "xa", true)]
    [InlineData("[]", "a", false)]
    [InlineData("*", "", false)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    public void MalformedAndEdgePatternsAnswerAsRedisDoes(string pattern, string text, bool expected)
    {
        // Redis' stringmatchlen answers these; "*" against the empty key is false there too
        // (KEYS and SCAN special-case a lone "*").
        Assert.Equal(expected, Match(pattern, text));
    }

    [Fact]
    public void MatchesBytesThatAreNotText()
    {
        Assert.True(Glob.IsMatch([0xFF, (byte)'*'], [0xFF, 0x00, 0x01]));
        Assert.True(Glob.IsMatch([(byte)'?'], [0x00]));
        Assert.False(Glob.IsMatch([0xFF], [0xFE]));
    }

    [Fact]
    public void APathologicalPatternFailsQuickly()
    {
        var text = new string('a', 20_000);
        var watch = Stopwatch.StartNew();
        Assert.False(Match("a*a*a*a*a*a*a*a*b", text));
        Assert.False(Match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"matching took {watch.Elapsed}");
    }

    [Fact]
    public void DeeplyNestedStarsAreBoundedNotAStackOverflow()
    {
        var pattern = string.Concat(Enumerable.Repeat("a*", 5000)) + "b";
        var text = new string('a', 6000);
        Assert.False(Match(pattern, text));
        Assert.False(Match(pattern, text + "b"), "Redis gives up past 1000 nested stars");
    }

    [Theory]
    [InlineData("foo*bar", "foo")]
    [InlineData("foo?", "foo")]
    [InlineData("foo[ab]", "foo")]
    [InlineData(@"foo\*", "foo")]
    [InlineData("plain", "plain")]
    [InlineData("*x", "")]
    [InlineData("", "")]
    public void LiteralPrefixStopsAtTheFirstSpecialByte(string pattern, string prefix)
    {
        Assert.Equal(prefix, Encoding.Latin1.GetString(Glob.LiteralPrefix(Encoding.Latin1.GetBytes(pattern))));
    }

    [Fact]
    public void AgreesWithARegexOnRandomWellFormedPatterns()
    {
        string[] tokens = ["a", "b", "c", "*", "?", "[ab]", "[^a]", "[b-c]", @"\*", @"\?"];
        var patternGen = Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(Gen.Elements(tokens), n)).Select(string.Concat);
        var textGen = Gen.Choose(0, 8).SelectMany(n => Gen.ArrayOf(Gen.Elements('a', 'b', 'c', '*', '?'), n)).Select(chars => new string(chars));
        var property = Prop.ForAll(Gen.Zip(patternGen, textGen).ToArbitrary(), pair =>
        {
            var (pattern, text) = pair;
            // Redis' matcher never matches an empty text unless the pattern is empty too.
            var expected = text.Length == 0 ? pattern.Length == 0 : ToRegex(pattern).IsMatch(text);
            return (Match(pattern, text) == expected).Label($"pattern '{pattern}' text '{text}' expected {expected}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1_000), property);
    }

    private static Regex ToRegex(string glob)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*': regex.Append("[\\s\\S]*"); break;
                case '?': regex.Append("[\\s\\S]"); break;
                case '\\': regex.Append(Regex.Escape(glob[++i].ToString())); break;
                case '[':
                    var end = glob.IndexOf(']', i);
                    var body = glob[(i + 1)..end];
                    regex.Append('[').Append(body.Replace("\\", "\\\\")).Append(']');
                    i = end;
                    break;
                default: regex.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
