namespace IceFire.Gateway.Sql.Dialect;

/// <summary>The kinds of statement the gateway answers itself instead of handing to SQLite.</summary>
internal enum SessionCommandKind
{
    Show,
    Set,
    Reset,
    Discard,
    Deallocate,
    Ignored,
}

/// <summary>A statement the gateway answers itself: SHOW, SET, RESET, DISCARD, DEALLOCATE, LISTEN and friends.</summary>
internal sealed record SessionCommand(SessionCommandKind Kind, string Name, string? Value, string Tag)
{
    /// <summary>Recognises a session command at the start of <paramref name="text"/> (one statement, without its ';').</summary>
    public static SessionCommand? Parse(string text)
    {
        var words = text.Trim().TrimEnd(';').Trim();
        var space = words.IndexOfAny([' ', '\t', '\n', '\r']);
        var first = (space < 0 ? words : words[..space]).ToUpperInvariant();
        var rest = space < 0 ? "" : words[(space + 1)..].Trim();
        switch (first)
        {
            case "SHOW":
                return new SessionCommand(SessionCommandKind.Show, rest.Trim('"').ToLowerInvariant(), null, "SHOW");
            case "SET":
                var body = rest;
                foreach (var scope in (ReadOnlySpan<string>)["SESSION ", "LOCAL "])
                {
                    if (body.StartsWith(scope, StringComparison.OrdinalIgnoreCase))
                    {
                        body = body[scope.Length..].Trim();
                    }
                }
                if (body.StartsWith("TRANSACTION", StringComparison.OrdinalIgnoreCase) || body.StartsWith("CHARACTERISTICS", StringComparison.OrdinalIgnoreCase))
                {
                    return new SessionCommand(SessionCommandKind.Ignored, "", null, "SET");
                }
                var eq = body.IndexOf('=');
                var to = body.IndexOf(" TO ", StringComparison.OrdinalIgnoreCase);
                string name, value;
                if (eq > 0 && (to < 0 || eq < to))
                {
                    (name, value) = (body[..eq], body[(eq + 1)..]);
                }
                else if (to > 0)
                {
                    (name, value) = (body[..to], body[(to + 4)..]);
                }
                else if (body.StartsWith("TIME ZONE", StringComparison.OrdinalIgnoreCase))
                {
                    (name, value) = ("timezone", body[9..]);
                }
                else
                {
                    (name, value) = (body, "");
                }
                return new SessionCommand(SessionCommandKind.Set, name.Trim().Trim('"').ToLowerInvariant(), value.Trim().Trim('\'').Trim('"'), "SET");
            case "RESET":
                return new SessionCommand(SessionCommandKind.Reset, rest.ToLowerInvariant(), null, "RESET");
            case "DISCARD":
                return new SessionCommand(SessionCommandKind.Discard, rest.ToUpperInvariant(), null, "DISCARD " + rest.ToUpperInvariant());
            case "DEALLOCATE":
                var target = rest.StartsWith("PREPARE ", StringComparison.OrdinalIgnoreCase) ? rest[8..].Trim() : rest;
                return new SessionCommand(SessionCommandKind.Deallocate, target, null, "DEALLOCATE" + (target.Equals("ALL", StringComparison.OrdinalIgnoreCase) ? " ALL" : ""));
            case "CLOSE":
                // SQL-level cursors (DECLARE) do not exist here, so CLOSE ALL has nothing to close.
                return new SessionCommand(SessionCommandKind.Ignored, "", null, "CLOSE CURSOR" + (rest.Equals("ALL", StringComparison.OrdinalIgnoreCase) ? " ALL" : ""));
            case "LISTEN" or "UNLISTEN" or "NOTIFY" or "CHECKPOINT":
                return new SessionCommand(SessionCommandKind.Ignored, "", null, first);
            default:
                return null;
        }
    }
}
