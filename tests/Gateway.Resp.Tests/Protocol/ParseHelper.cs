using System.Text;
using IceFire.Gateway.Resp.Protocol;

namespace IceFire.Gateway.Resp.Tests.Protocol;

/// <summary>One parse step, with its arguments copied out of the input.</summary>
internal readonly record struct ParseResult(ParseStatus Status, int Consumed, long Needed, string? Error, List<byte[]> Args)
{
    public List<string> Strings => Args.Select(a => Encoding.Latin1.GetString(a)).ToList();
}

internal static class ParseHelper
{
    public static readonly RespLimits Limits = new();

    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    public static ParseResult Parse(byte[] input, bool authenticated = true, RespLimits? limits = null, ArgumentList? args = null)
    {
        args ??= new ArgumentList();
        var status = RespParser.TryParse(input, args, limits ?? Limits, authenticated, out var consumed, out var needed, out var error);
        var copied = new List<byte[]>();
        for (var i = 0; i < args.Count; i++)
        {
            copied.Add(args[i].ToArray());
        }
        return new ParseResult(status, consumed, needed, error is null ? null : Encoding.Latin1.GetString(error), copied);
    }

    public static ParseResult Parse(string input, bool authenticated = true, RespLimits? limits = null) => Parse(Bytes(input), authenticated, limits);

    /// <summary>Encodes arguments as a RESP multibulk request, as clients send them.</summary>
    public static byte[] Multibulk(params byte[][] args)
    {
        var output = new List<byte>();
        output.AddRange(Encoding.ASCII.GetBytes($"*{args.Length}\r\n"));
        foreach (var arg in args)
        {
            output.AddRange(Encoding.ASCII.GetBytes($"${arg.Length}\r\n"));
            output.AddRange(arg);
            output.AddRange("\r\n"u8.ToArray());
        }
        return output.ToArray();
    }

    public static byte[] Multibulk(params string[] args) => Multibulk(args.Select(Bytes).ToArray());
}
