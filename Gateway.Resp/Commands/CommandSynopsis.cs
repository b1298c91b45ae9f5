namespace IceFire.Gateway.Resp;

/// <summary>
/// Turns a documentation synopsis such as <c>key value [NX|XX] [EX seconds|PX milliseconds]</c> into the
/// argument tree COMMAND DOCS reports (name, type, token, optional, multiple, nested arguments), which is
/// what redis-cli builds its hints from.
/// </summary>
internal static class CommandSynopsis
{
    public sealed record Argument(string Name, string Type, string? Token, bool Optional, bool Multiple, IReadOnlyList<Argument> Children);

    public static IReadOnlyList<Argument> Parse(string synopsis)
    {
        var position = 0;
        return ParseSequence(synopsis, ref position, stopAt: '\0');
    }

    private static List<Argument> ParseSequence(string s, ref int i, char stopAt)
    {
        var items = new List<Argument>();
        while (i < s.Length && s[i] != stopAt && s[i] != '|')
        {
            if (s[i] == ' ')
            {
                i++;
                continue;
            }
            if (s[i] == '[')
            {
                i++;
                var inner = ParseAlternatives(s, ref i, ']');
                i++;
                if (IsRepeatMarker(inner, items))
                {
                    items[^1] = items[^1] with { Multiple = true };
                    continue;
                }
                items.Add(inner with { Optional = true });
                continue;
            }
            var start = i;
            while (i < s.Length && s[i] is not (' ' or '[' or ']' or '|'))
            {
                i++;
            }
            var word = s[start..i];
            if (IsToken(word))
            {
                // A keyword followed by a lower-case value is one argument with a token.
                var save = i;
                while (i < s.Length && s[i] == ' ')
                {
                    i++;
                }
                var valueStart = i;
                while (i < s.Length && s[i] is not (' ' or '[' or ']' or '|'))
                {
                    i++;
                }
                var value = s[valueStart..i];
                if (value.Length > 0 && !IsToken(value) && value != "...")
                {
                    items.Add(new Argument(value, TypeOf(value), word, false, false, []));
                }
                else
                {
                    i = save;
                    items.Add(new Argument(word.ToLowerInvariant(), "pure-token", word, false, false, []));
                }
            }
            else if (word != "...")
            {
                items.Add(new Argument(word, TypeOf(word), null, false, false, []));
            }
        }
        return items;
    }

    private static Argument ParseAlternatives(string s, ref int i, char close)
    {
        var alternatives = new List<Argument>();
        while (true)
        {
            var sequence = ParseSequence(s, ref i, close);
            alternatives.Add(sequence.Count == 1 ? sequence[0] : new Argument(Join(sequence), "block", null, false, false, sequence));
            if (i < s.Length && s[i] == '|')
            {
                i++;
                continue;
            }
            break;
        }
        return alternatives.Count == 1
            ? alternatives[0]
            : new Argument(string.Join('-', alternatives.Select(a => a.Name)), "oneof", null, false, false, alternatives);
    }

    private static bool IsRepeatMarker(Argument inner, List<Argument> before) =>
        before.Count > 0 && inner.Type == "block" && inner.Children.Count == 1 && inner.Children[0].Name == before[^1].Name
        || before.Count > 0 && inner.Name == before[^1].Name && inner.Type != "pure-token";

    private static string Join(List<Argument> sequence) => string.Join('-', sequence.Select(a => a.Name));

    private static bool IsToken(string word) => word.Length > 0 && word.Any(char.IsLetter) && word.All(c => !char.IsLetter(c) || char.IsUpper(c));

    private static string TypeOf(string name) => name switch
    {
        "key" or "source" or "destination" or "newkey" => "key",
        "pattern" => "pattern",
        "seconds" or "milliseconds" or "index" or "count" or "offset" or "start" or "end" or "increment" or "decrement"
            or "cursor" or "destination-db" or "protover" or "client-id" or "numkeys" => "integer",
        "timeout" => "double",
        "unix-time-seconds" or "unix-time-milliseconds" => "unix-time",
        _ => "string",
    };
}
