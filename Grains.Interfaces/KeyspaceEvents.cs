using System.Text;

namespace IceFire.Grains.Interfaces;

/// <summary>Redis' notify-keyspace-events classes: which events are published, and on which channels.</summary>
[Flags]
public enum KeyspaceEventFlags
{
    None = 0,

    /// <summary>K: publish on <c>__keyspace@db__:key</c> with the event as the message.</summary>
    Keyspace = 1 << 0,

    /// <summary>E: publish on <c>__keyevent@db__:event</c> with the key as the message.</summary>
    Keyevent = 1 << 1,

    /// <summary>g: DEL, EXPIRE, RENAME and the other commands that are not type-specific.</summary>
    Generic = 1 << 2,

    /// <summary>$: string commands.</summary>
    String = 1 << 3,

    /// <summary>l: list commands.</summary>
    List = 1 << 4,

    /// <summary>s: set commands.</summary>
    Set = 1 << 5,

    /// <summary>h: hash commands.</summary>
    Hash = 1 << 6,

    /// <summary>z: sorted-set commands.</summary>
    SortedSet = 1 << 7,

    /// <summary>x: a key removed because its time was up.</summary>
    Expired = 1 << 8,

    /// <summary>e: a key evicted for memory (IceFire does not evict).</summary>
    Evicted = 1 << 9,

    /// <summary>t: stream commands.</summary>
    Stream = 1 << 10,

    /// <summary>m: a read of a missing key.</summary>
    KeyMiss = 1 << 11,

    /// <summary>d: module key types.</summary>
    Module = 1 << 12,

    /// <summary>n: a new key (not part of A).</summary>
    New = 1 << 13,

    /// <summary>A: every class but m and n.</summary>
    All = Generic | String | List | Set | Hash | SortedSet | Expired | Evicted | Stream | Module,
}

/// <summary>
/// One tenant's notify-keyspace-events setting, read by the tenant that publishes and changed when the tenant's
/// stored settings change (CONFIG SET in that tenant); keyspace notifications are off until it is set, as in Redis.
/// </summary>
public sealed class KeyspaceEventSettings
{
    /// <summary>The CONFIG parameter, and the key of the setting among a tenant's settings.</summary>
    public const string ConfigName = "notify-keyspace-events";

    private volatile int _flags;

    /// <summary>Settings with no class on.</summary>
    public KeyspaceEventSettings()
    {
    }

    /// <summary>Settings with <paramref name="flags"/> on.</summary>
    public KeyspaceEventSettings(KeyspaceEventFlags flags) => _flags = (int)flags;

    public KeyspaceEventFlags Flags
    {
        get => (KeyspaceEventFlags)_flags;
        set => _flags = (int)value;
    }

    /// <summary>
    /// True when events of <paramref name="type"/> are published: the class is on, and so is at least one of
    /// K and E.
    /// </summary>
    public bool Publishes(KeyspaceEventFlags type)
    {
        var flags = (KeyspaceEventFlags)_flags;
        return (flags & type) != 0 && (flags & (KeyspaceEventFlags.Keyspace | KeyspaceEventFlags.Keyevent)) != 0;
    }

    /// <summary>
    /// Takes the value of <see cref="ConfigName"/> in a tenant's <paramref name="settings"/>, or
    /// <paramref name="fallback"/> when it has none (or an unreadable one).
    /// </summary>
    public void Apply(IReadOnlyDictionary<string, string> settings, KeyspaceEventFlags fallback)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Flags = settings.TryGetValue(ConfigName, out var text) && TryParse(text, out var flags) ? flags : fallback;
    }

    /// <summary>Parses Redis' class letters (<c>KEA</c>, <c>Kx</c> ...); false on any other character.</summary>
    public static bool TryParse(string text, out KeyspaceEventFlags flags)
    {
        flags = KeyspaceEventFlags.None;
        foreach (var c in text)
        {
            var flag = c switch
            {
                'A' => KeyspaceEventFlags.All,
                'g' => KeyspaceEventFlags.Generic,
                '$' => KeyspaceEventFlags.String,
                'l' => KeyspaceEventFlags.List,
                's' => KeyspaceEventFlags.Set,
                'h' => KeyspaceEventFlags.Hash,
                'z' => KeyspaceEventFlags.SortedSet,
                'x' => KeyspaceEventFlags.Expired,
                'e' => KeyspaceEventFlags.Evicted,
                'K' => KeyspaceEventFlags.Keyspace,
                'E' => KeyspaceEventFlags.Keyevent,
                't' => KeyspaceEventFlags.Stream,
                'm' => KeyspaceEventFlags.KeyMiss,
                'd' => KeyspaceEventFlags.Module,
                'n' => KeyspaceEventFlags.New,
                _ => (KeyspaceEventFlags?)null,
            };
            if (flag is null)
            {
                flags = KeyspaceEventFlags.None;
                return false;
            }
            flags |= flag.Value;
        }
        return true;
    }

    /// <summary>The setting as CONFIG GET reports it: A for every class (which hides n, as in Redis), then K, E and m.</summary>
    public static string Format(KeyspaceEventFlags flags)
    {
        var text = new StringBuilder();
        if ((flags & KeyspaceEventFlags.All) == KeyspaceEventFlags.All)
        {
            text.Append('A');
        }
        else
        {
            (KeyspaceEventFlags Flag, char Letter)[] letters =
            [
                (KeyspaceEventFlags.Generic, 'g'), (KeyspaceEventFlags.String, '$'), (KeyspaceEventFlags.List, 'l'),
                (KeyspaceEventFlags.Set, 's'), (KeyspaceEventFlags.Hash, 'h'), (KeyspaceEventFlags.SortedSet, 'z'),
                (KeyspaceEventFlags.Expired, 'x'), (KeyspaceEventFlags.Evicted, 'e'), (KeyspaceEventFlags.Stream, 't'),
                (KeyspaceEventFlags.Module, 'd'), (KeyspaceEventFlags.New, 'n'),
            ];
            foreach (var (flag, letter) in letters)
            {
                if ((flags & flag) != 0)
                {
                    text.Append(letter);
                }
            }
        }
        if ((flags & KeyspaceEventFlags.Keyspace) != 0)
        {
            text.Append('K');
        }
        if ((flags & KeyspaceEventFlags.Keyevent) != 0)
        {
            text.Append('E');
        }
        if ((flags & KeyspaceEventFlags.KeyMiss) != 0)
        {
            text.Append('m');
        }
        return text.ToString();
    }
}
