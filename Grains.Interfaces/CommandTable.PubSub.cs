namespace IceFire.Grains.Interfaces;

public static partial class CommandTable
{
    // Served by the gateway (Connection): subscriptions belong to a connection, not to a dataset.
    private const CommandFlags PubSubFlags = CommandFlags.PubSub | CommandFlags.Connection;

    static partial void AddPubSubCommands(List<CommandInfo> commands)
    {
        commands.Add(Cmd(CommandId.Subscribe, "subscribe", -2, PubSubFlags | N | L, 0, 0, 0, "pubsub", "2.0.0",
            "Listens for messages published to channels.", "O(N) where N is the number of channels to subscribe to.", "channel [channel ...]"));
        commands.Add(Cmd(CommandId.PSubscribe, "psubscribe", -2, PubSubFlags | N | L, 0, 0, 0, "pubsub", "2.0.0",
            "Listens for messages published to channels that match one or more patterns.",
            "O(N) where N is the number of patterns to subscribe to.", "pattern [pattern ...]"));
        commands.Add(Cmd(CommandId.Unsubscribe, "unsubscribe", -1, PubSubFlags | N | L, 0, 0, 0, "pubsub", "2.0.0",
            "Stops listening to messages posted to channels.", "O(N) where N is the number of channels to unsubscribe.", "[channel [channel ...]]"));
        commands.Add(Cmd(CommandId.PUnsubscribe, "punsubscribe", -1, PubSubFlags | N | L, 0, 0, 0, "pubsub", "2.0.0",
            "Stops listening to messages published to channels that match one or more patterns.",
            "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
            "[pattern [pattern ...]]"));
        commands.Add(Cmd(CommandId.Publish, "publish", 3, PubSubFlags | L | F | CommandFlags.MayReplicate, 0, 0, 0, "pubsub", "2.0.0",
            "Posts a message to a channel.",
            "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
            "channel message"));
        commands.Add(Cmd(CommandId.PubSub, "pubsub", -2, PubSubFlags, 0, 0, 0, "pubsub", "2.8.0",
            "A container for Pub/Sub commands.", "Depends on subcommand.", "")
        with
        {
            Subcommands =
            [
                Cmd(CommandId.PubSub, "pubsub|channels", -2, PubSubFlags | L, 0, 0, 0, "pubsub", "2.8.0", "Returns the active channels.",
                    "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
                    "[pattern]"),
                Cmd(CommandId.PubSub, "pubsub|numpat", 2, PubSubFlags | L, 0, 0, 0, "pubsub", "2.8.0", "Returns a count of unique pattern subscriptions.", "O(1)", ""),
                Cmd(CommandId.PubSub, "pubsub|numsub", -2, PubSubFlags | L, 0, 0, 0, "pubsub", "2.8.0", "Returns a count of subscribers to channels.",
                    "O(N) for the NUMSUB subcommand, where N is the number of requested channels", "[channel [channel ...]]"),
                Cmd(CommandId.PubSub, "pubsub|shardchannels", -2, PubSubFlags | L, 0, 0, 0, "pubsub", "7.0.0", "Returns the active shard channels.",
                    "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
                    "[pattern]"),
                Cmd(CommandId.PubSub, "pubsub|shardnumsub", -2, PubSubFlags | L, 0, 0, 0, "pubsub", "7.0.0", "Returns the count of subscribers of shard channels.",
                    "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels", "[shardchannel [shardchannel ...]]"),
                Cmd(CommandId.PubSub, "pubsub|help", 2, PubSubFlags | L, 0, 0, 0, "pubsub", "6.2.0", "Returns helpful text about the different subcommands.", "O(1)", ""),
            ],
        });
    }
}
