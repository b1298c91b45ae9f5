using System.Text;
using FsCheck;
using FsCheck.Fluent;
using IceFire.Gateway.Resp.Protocol;
using Xunit;
using static IceFire.Gateway.Resp.Tests.Protocol.ParseHelper;

namespace IceFire.Gateway.Resp.Tests.Protocol;

/// <summary>Whatever a client sends, the parser answers with a status, never an exception or a wrong length.</summary>
public sealed class RespParserFuzzTests
{
    private static readonly RespLimits SmallLimits = new() { MaxInlineSize = 256, MaxBulkLength = 4096 };

    private static Gen<byte[]> Garbage()
    {
        // Mostly protocol bytes, so the fuzz reaches deep into the multibulk parser.
        var protocolByte = Gen.Elements("*$\r\n0123456789-+: \"'\\xA"u8.ToArray());
        var anyByte = Gen.Choose(0, 255).Select(b => (byte)b);
        var mixed = Gen.Frequency((4, protocolByte), (1, anyByte));
        var start = Gen.Elements((byte)'*', (byte)'*', (byte)'P', (byte)'"');
        return Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(mixed, n)).SelectMany(body => start.Select(s => new[] { s }.Concat(body).ToArray()));
    }

    [Fact]
    public void ArbitraryInputNeverThrowsAndReportsSaneLengths()
    {
        Prop.ForAll(Gen.Zip(Garbage(), Gen.Elements(true, false)).ToArbitrary(), pair =>
        {
            var (input, authenticated) = pair;
            var args = new ArgumentList();
            var status = RespParser.TryParse(input, args, SmallLimits, authenticated, out var consumed, out var needed, out var error);
            return status switch
            {
                ParseStatus.Complete => consumed > 0 && consumed <= input.Length && error is null,
                ParseStatus.Incomplete => consumed == 0 && needed > input.Length && error is null,
                _ => error is { Length: > 3 } && error[0] == (byte)'-' && error[^2] == (byte)'\r' && error[^1] == (byte)'\n',
            };
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void ArgumentsQuotedWithHexEscapesRoundTripThroughInlineParsing()
    {
        var argGen = Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));
        var commandGen = Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(argGen, n));
        Prop.ForAll(commandGen.ToArbitrary(), command =>
        {
            var line = new StringBuilder();
            foreach (var arg in command)
            {
                line.Append(" \"");
                foreach (var b in arg)
                {
                    line.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                }
                line.Append('"');
            }
            var result = Parse(line.Append("\r\n").ToString());
            return result.Status == ParseStatus.Complete
                && result.Args.Count == command.Length
                && result.Args.Zip(command).All(p => p.First.AsSpan().SequenceEqual(p.Second));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void PlainWordsRoundTripThroughInlineParsing()
    {
        var wordChar = Gen.Elements("abcXYZ019_-:.{}[]*?!@#".ToCharArray());
        var wordGen = Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(wordChar, n)).Select(c => new string(c));
        var separator = Gen.Elements(" ", "  ", "\t", " \t ");
        Prop.ForAll(Gen.Zip(Gen.Choose(1, 8).SelectMany(n => Gen.ArrayOf(wordGen, n)), separator).ToArbitrary(), pair =>
        {
            var (words, sep) = pair;
            // A line starting with '*' is a multibulk header, not an inline command.
            var result = Parse("CMD" + sep + string.Join(sep, words) + "\n");
            return result.Status == ParseStatus.Complete && result.Strings.Skip(1).SequenceEqual(words);
        }).QuickCheckThrowOnFailure();
    }
}
