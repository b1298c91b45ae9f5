namespace IceFire.Grains.Interfaces;

public static partial class CommandTable
{
    private const CommandFlags W = CommandFlags.Write;
    private const CommandFlags R = CommandFlags.ReadOnly;
    private const CommandFlags F = CommandFlags.Fast;
    private const CommandFlags M = CommandFlags.DenyOom;
    private const CommandFlags C = CommandFlags.Connection;
    private const CommandFlags L = CommandFlags.Loading | CommandFlags.Stale;
    private const CommandFlags N = CommandFlags.NoScript;
    private const CommandFlags A = CommandFlags.Admin;

    private static CommandInfo Cmd(CommandId id, string name, int arity, CommandFlags flags, int first, int last, int step,
        string group, string since, string summary, string complexity, string args) =>
        new(id, name, arity, flags, first, last, step, group, since, summary, complexity, args);

    private static CommandInfo Str(CommandId id, string name, int arity, CommandFlags flags, int first, int last, int step,
        string since, string summary, string complexity, string args) =>
        Cmd(id, name, arity, flags, first, last, step, "string", since, summary, complexity, args);

    private static CommandInfo Key(CommandId id, string name, int arity, CommandFlags flags, int first, int last, int step,
        string since, string summary, string complexity, string args) =>
        Cmd(id, name, arity, flags, first, last, step, "generic", since, summary, complexity, args);

    private static CommandInfo Sub(CommandId id, string name, int arity, CommandFlags flags, string group, string summary, string args) =>
        Cmd(id, name, arity, flags, 0, 0, 0, group, "2.4.0", summary, "O(1)", args);

    private static List<CommandInfo> Build() =>
    [
        Cmd(CommandId.Ping, "ping", -1, C | F, 0, 0, 0, "connection", "1.0.0", "Returns the server's liveliness response.", "O(1)", "[message]"),
        Cmd(CommandId.Echo, "echo", 2, C | F, 0, 0, 0, "connection", "1.0.0", "Returns the given string.", "O(1)", "message"),
        Cmd(CommandId.Hello, "hello", -1, C | F | N | L | CommandFlags.NoAuth, 0, 0, 0, "connection", "6.0.0",
            "Handshakes with the Redis server.", "O(1)", "[protover [AUTH username password] [SETNAME clientname]]"),
        Cmd(CommandId.Quit, "quit", -1, C | F | N | L | CommandFlags.NoAuth, 0, 0, 0, "connection", "1.0.0", "Closes the connection.", "O(1)", ""),
        Cmd(CommandId.Select, "select", 2, C | F | L, 0, 0, 0, "connection", "1.0.0", "Changes the selected database.", "O(1)", "index"),
        Cmd(CommandId.Auth, "auth", -2, C | F | N | L | CommandFlags.NoAuth, 0, 0, 0, "connection", "1.0.0",
            "Authenticates the connection.", "O(N) where N is the number of passwords defined for the user", "[username] password"),
        Cmd(CommandId.Reset, "reset", 1, C | F | N | L | CommandFlags.NoAuth, 0, 0, 0, "connection", "6.2.0",
            "Resets the connection.", "O(1)", "") ,
        Cmd(CommandId.Client, "client", -2, C, 0, 0, 0, "connection", "2.4.0", "A container for client connection commands.", "Depends on subcommand.", "")
        with
        {
            Subcommands =
            [
                Sub(CommandId.Client, "client|setname", 3, C | N | L, "connection", "Sets the connection name.", "connection-name"),
                Sub(CommandId.Client, "client|getname", 2, C | N | L, "connection", "Returns the name of the connection.", ""),
                Sub(CommandId.Client, "client|id", 2, C | N | L, "connection", "Returns the unique client ID of the connection.", ""),
                Sub(CommandId.Client, "client|info", 2, C | N | L, "connection", "Returns information about the connection.", ""),
                Sub(CommandId.Client, "client|list", -2, C | A | N | L, "connection", "Lists open connections.",
                    "[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]"),
                Sub(CommandId.Client, "client|setinfo", 4, C | N | L, "connection", "Sets information specific to the client or connection.",
                    "LIB-NAME libname|LIB-VER libver"),
                Sub(CommandId.Client, "client|help", 2, C | L, "connection", "Returns helpful text about the different subcommands.", ""),
                Sub(CommandId.Client, "client|unblock", -3, C | A | N | L, "connection",
                    "Unblocks a client blocked by a blocking command from a different connection.", "client-id [TIMEOUT|ERROR]") with { Since = "5.0.0" },
            ],
        },
        Cmd(CommandId.Command, "command", -1, C | L, 0, 0, 0, "server", "2.8.13", "Returns detailed information about all commands.", "O(N) where N is the total number of Redis commands", "")
        with
        {
            Subcommands =
            [
                Sub(CommandId.Command, "command|count", 2, C | L, "server", "Returns a count of commands.", ""),
                Sub(CommandId.Command, "command|docs", -2, C | L, "server", "Returns documentary information about one, multiple or all commands.", "[command-name [command-name ...]]"),
                Sub(CommandId.Command, "command|info", -2, C | L, "server", "Returns information about one, multiple or all commands.", "[command-name [command-name ...]]"),
                Sub(CommandId.Command, "command|list", -2, C | L, "server", "Returns a list of command names.", "[FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]"),
                Sub(CommandId.Command, "command|help", 2, C | L, "server", "Returns helpful text about the different subcommands.", ""),
            ],
        },
        Cmd(CommandId.Config, "config", -2, C, 0, 0, 0, "server", "2.0.0", "A container for server configuration commands.", "Depends on subcommand.", "")
        with
        {
            Subcommands =
            [
                Sub(CommandId.Config, "config|get", -3, C | A | N | L, "server", "Returns the effective values of configuration parameters.", "parameter [parameter ...]"),
                Sub(CommandId.Config, "config|set", -4, C | A | N | L, "server", "Sets configuration parameters in-flight.", "parameter value [parameter value ...]"),
                Sub(CommandId.Config, "config|resetstat", 2, C | A | N | L, "server", "Resets the server's statistics.", ""),
                Sub(CommandId.Config, "config|help", 2, C | L, "server", "Returns helpful text about the different subcommands.", ""),
            ],
        },
        Cmd(CommandId.Info, "info", -1, C | L, 0, 0, 0, "server", "1.0.0", "Returns information and statistics about the server.", "O(1)", "[section [section ...]]"),
        Cmd(CommandId.Time, "time", 1, C | F | L, 0, 0, 0, "server", "2.6.0", "Returns the server time.", "O(1)", ""),
        Cmd(CommandId.ReadOnly, "readonly", 1, C | F | L, 0, 0, 0, "cluster", "3.0.0",
            "Enables read-only queries for a connection to a Redis Cluster replica node.", "O(1)", ""),
        Cmd(CommandId.ReadWrite, "readwrite", 1, C | F | L, 0, 0, 0, "cluster", "3.0.0",
            "Enables read-write queries for a connection to a Reids Cluster replica node.", "O(1)", ""),
        Cmd(CommandId.Role, "role", 1, C | F | N | L, 0, 0, 0, "server", "2.8.12", "Returns the replication role.", "O(1)", ""),
        Cmd(CommandId.DbSize, "dbsize", 1, R | F, 0, 0, 0, "server", "1.0.0", "Returns the number of keys in the database.", "O(1)", ""),
        Cmd(CommandId.FlushDb, "flushdb", -1, W, 0, 0, 0, "server", "1.0.0", "Removes all keys from the current database.", "O(N) where N is the number of keys in the selected database", "[ASYNC|SYNC]"),
        Cmd(CommandId.FlushAll, "flushall", -1, W, 0, 0, 0, "server", "1.0.0", "Removes all keys from all databases.", "O(N) where N is the total number of keys in all databases", "[ASYNC|SYNC]"),

        Str(CommandId.Get, "get", 2, R | F, 1, 1, 1, "1.0.0", "Returns the string value of a key.", "O(1)", "key"),
        Str(CommandId.Set, "set", -3, W | M, 1, 1, 1, "1.0.0", "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", "O(1)",
            "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"),
        Str(CommandId.SetNx, "setnx", 3, W | M | F, 1, 1, 1, "1.0.0", "Set the string value of a key only when the key doesn't exist.", "O(1)", "key value"),
        Str(CommandId.SetEx, "setex", 4, W | M, 1, 1, 1, "2.0.0", "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", "O(1)", "key seconds value"),
        Str(CommandId.PSetEx, "psetex", 4, W | M, 1, 1, 1, "2.6.0", "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", "O(1)", "key milliseconds value"),
        Str(CommandId.GetSet, "getset", 3, W | M | F, 1, 1, 1, "1.0.0", "Returns the previous string value of a key after setting it to a new value.", "O(1)", "key value"),
        Str(CommandId.GetDel, "getdel", 2, W | F, 1, 1, 1, "6.2.0", "Returns the string value of a key after deleting the key.", "O(1)", "key"),
        Str(CommandId.GetEx, "getex", -2, W | F, 1, 1, 1, "6.2.0", "Returns the string value of a key after setting its expiration time.", "O(1)",
            "key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]"),
        Str(CommandId.MGet, "mget", -2, R | F, 1, -1, 1, "1.0.0", "Atomically returns the string values of one or more keys.", "O(N) where N is the number of keys to retrieve.", "key [key ...]"),
        Str(CommandId.MSet, "mset", -3, W | M, 1, -1, 2, "1.0.1", "Atomically creates or modifies the string values of one or more keys.", "O(N) where N is the number of keys to set.", "key value [key value ...]"),
        Str(CommandId.MSetNx, "msetnx", -3, W | M, 1, -1, 2, "1.0.1", "Atomically modifies the string values of one or more keys only when all keys don't exist.", "O(N) where N is the number of keys to set.", "key value [key value ...]"),
        Str(CommandId.Incr, "incr", 2, W | M | F, 1, 1, 1, "1.0.0", "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "O(1)", "key"),
        Str(CommandId.IncrBy, "incrby", 3, W | M | F, 1, 1, 1, "1.0.0", "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "O(1)", "key increment"),
        Str(CommandId.Decr, "decr", 2, W | M | F, 1, 1, 1, "1.0.0", "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "O(1)", "key"),
        Str(CommandId.DecrBy, "decrby", 3, W | M | F, 1, 1, 1, "1.0.0", "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", "O(1)", "key decrement"),
        Str(CommandId.IncrByFloat, "incrbyfloat", 3, W | M | F, 1, 1, 1, "2.6.0", "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "O(1)", "key increment"),
        Str(CommandId.Append, "append", 3, W | M | F, 1, 1, 1, "2.0.0", "Appends a string to the value of a key. Creates the key if it doesn't exist.", "O(1)", "key value"),
        Str(CommandId.StrLen, "strlen", 2, R | F, 1, 1, 1, "2.2.0", "Returns the length of a string value.", "O(1)", "key"),
        Str(CommandId.GetRange, "getrange", 4, R, 1, 1, 1, "2.4.0", "Returns a substring of the string stored at a key.", "O(N) where N is the length of the returned string.", "key start end"),
        Str(CommandId.Substr, "substr", 4, R, 1, 1, 1, "1.0.0", "Returns a substring from a string value.", "O(N) where N is the length of the returned string.", "key start end"),
        Str(CommandId.SetRange, "setrange", 4, W | M, 1, 1, 1, "2.2.0", "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", "O(1)", "key offset value"),

        Key(CommandId.Object, "object", -2, R, 2, 2, 1, "2.2.3", "A container for object introspection commands.", "Depends on subcommand.",
            "ENCODING|FREQ|IDLETIME|REFCOUNT|HELP [key]"),
        Key(CommandId.Del, "del", -2, W, 1, -1, 1, "1.0.0", "Deletes one or more keys.", "O(N) where N is the number of keys that will be removed.", "key [key ...]"),
        Key(CommandId.Unlink, "unlink", -2, W | F, 1, -1, 1, "4.0.0", "Asynchronously deletes one or more keys.", "O(1) for each key removed regardless of its size.", "key [key ...]"),
        Key(CommandId.Exists, "exists", -2, R | F, 1, -1, 1, "1.0.0", "Determines whether one or more keys exist.", "O(N) where N is the number of keys to check.", "key [key ...]"),
        Key(CommandId.Touch, "touch", -2, R | F, 1, -1, 1, "3.2.1", "Returns the number of existing keys out of those specified after updating the time they were last accessed.", "O(N) where N is the number of keys that will be touched.", "key [key ...]"),
        Key(CommandId.Expire, "expire", -3, W | F, 1, 1, 1, "1.0.0", "Sets the expiration time of a key in seconds.", "O(1)", "key seconds [NX|XX|GT|LT]"),
        Key(CommandId.PExpire, "pexpire", -3, W | F, 1, 1, 1, "2.6.0", "Sets the expiration time of a key in milliseconds.", "O(1)", "key milliseconds [NX|XX|GT|LT]"),
        Key(CommandId.ExpireAt, "expireat", -3, W | F, 1, 1, 1, "1.2.0", "Sets the expiration time of a key to a Unix timestamp.", "O(1)", "key unix-time-seconds [NX|XX|GT|LT]"),
        Key(CommandId.PExpireAt, "pexpireat", -3, W | F, 1, 1, 1, "2.6.0", "Sets the expiration time of a key to a Unix milliseconds timestamp.", "O(1)", "key unix-time-milliseconds [NX|XX|GT|LT]"),
        Key(CommandId.ExpireTime, "expiretime", 2, R | F, 1, 1, 1, "7.0.0", "Returns the expiration time of a key as a Unix timestamp.", "O(1)", "key"),
        Key(CommandId.PExpireTime, "pexpiretime", 2, R | F, 1, 1, 1, "7.0.0", "Returns the expiration time of a key as a Unix milliseconds timestamp.", "O(1)", "key"),
        Key(CommandId.Ttl, "ttl", 2, R | F, 1, 1, 1, "1.0.0", "Returns the expiration time in seconds of a key.", "O(1)", "key"),
        Key(CommandId.PTtl, "pttl", 2, R | F, 1, 1, 1, "2.6.0", "Returns the expiration time in milliseconds of a key.", "O(1)", "key"),
        Key(CommandId.Persist, "persist", 2, W | F, 1, 1, 1, "2.2.0", "Removes the expiration time of a key.", "O(1)", "key"),
        Key(CommandId.Type, "type", 2, R | F, 1, 1, 1, "1.0.0", "Determines the type of value stored at a key.", "O(1)", "key"),
        Key(CommandId.Keys, "keys", 2, R, 0, 0, 0, "1.0.0", "Returns all key names that match a pattern.", "O(N) with N being the number of keys in the database", "pattern"),
        Key(CommandId.Scan, "scan", -2, R, 0, 0, 0, "2.8.0", "Iterates over the key names in the database.", "O(1) for every call. O(N) for a complete iteration.",
            "cursor [MATCH pattern] [COUNT count] [TYPE type]"),
        Key(CommandId.Rename, "rename", 3, W, 1, 2, 1, "1.0.0", "Renames a key and overwrites the destination.", "O(1)", "key newkey"),
        Key(CommandId.RenameNx, "renamenx", 3, W | F, 1, 2, 1, "1.0.0", "Renames a key only when the target key name doesn't exist.", "O(1)", "key newkey"),
        Key(CommandId.RandomKey, "randomkey", 1, R, 0, 0, 0, "1.0.0", "Returns a random key name from the database.", "O(1)", ""),
        Key(CommandId.Copy, "copy", -3, W | M, 1, 2, 1, "6.2.0", "Copies the value of a key to a new key.", "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
            "source destination [DB destination-db] [REPLACE]"),
    ];
}
