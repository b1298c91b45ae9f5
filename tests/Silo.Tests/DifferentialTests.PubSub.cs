using Xunit;

namespace IceFire.Silo.Tests;

// Pub/sub requests on one connection, one reply per command. Every sequence ends unsubscribed, so the
// next one finds no channels left behind; multi-channel (UN)SUBSCRIBE, which answers once per channel,
// and RESP3 (whose HELLO reply carries the client id) are covered in PubSubTests.
public sealed partial class DifferentialTests
{
    static partial void AddPubSubCorpus(TheoryData<string, string[][]> corpus)
    {
        corpus.Add("pubsub without subscribers", [
            ["PUBLISH", "nobody", "hi"], ["PUBLISH", "", ""], ["PUBSUB", "NUMSUB"], ["PUBSUB", "NUMSUB", "a", "b", "a"], ["PUBSUB", "NUMPAT"],
            ["PUBSUB", "CHANNELS"], ["PUBSUB", "CHANNELS", "*"], ["PUBSUB", "HELP"], ["pubsub", "help"], ["PUBSUB"], ["PUBSUB", "FOO"],
            ["PUBSUB", "NUMPAT", "x"], ["PUBSUB", "CHANNELS", "a", "b"], ["pubsub", "channels", "a", "b"], ["PUBSUB", "HELP", "x"],
            ["PUBSUB", "SHARDCHANNELS"], ["PUBSUB", "SHARDCHANNELS", "a", "b"], ["PUBSUB", "SHARDNUMSUB"], ["PUBSUB", "SHARDNUMSUB", "x"],
            ["PUBLISH", "a"], ["PUBLISH", "a", "b", "c"], ["SUBSCRIBE"], ["PSUBSCRIBE"], ["UNSUBSCRIBE"], ["PUNSUBSCRIBE"],
            ["UNSUBSCRIBE", "x"], ["PUNSUBSCRIBE", "p*"], ["PING"],
        ]);
        corpus.Add("pubsub subscribed mode", [
            ["SUBSCRIBE", "ch"], ["PING"], ["PING", "hi"], ["PING", "a", "b"], ["GET", "k"], ["SET", "k", "v"], ["CLIENT", "ID"],
            ["CLIENT", "NOPE"], ["CLIENT", "ID", "x"], ["NOPE"], ["GET"], ["PUBSUB", "NUMSUB", "ch"], ["PUBSUB", "FOO"], ["HELLO", "3"],
            ["CONFIG", "GET", "databases"], ["PUBLISH", "ch", "x"], ["SUBSCRIBE", "ch"], ["PSUBSCRIBE", "c*"], ["PSUBSCRIBE", "c*"],
            ["SUBSCRIBE", ""], ["UNSUBSCRIBE", "ch"], ["UNSUBSCRIBE", "nope"], ["PUNSUBSCRIBE", "nope"], ["PING"], ["PUNSUBSCRIBE", "c*"],
            ["PING"], ["UNSUBSCRIBE", ""], ["PING"], ["PUBSUB", "NUMSUB", "ch", ""], ["PUBSUB", "NUMPAT"], ["PUBSUB", "CHANNELS"],
            ["UNSUBSCRIBE"], ["PUNSUBSCRIBE"], ["GET", "k"],
        ]);
        corpus.Add("pubsub counts and reset", [
            ["PSUBSCRIBE", "news.*"], ["PUBSUB", "NUMPAT"], ["SUBSCRIBE", "news.tech"], ["PUBLISH", "news.tech", "x"], ["RESET"],
            ["PUBSUB", "NUMPAT"], ["PUBSUB", "NUMSUB", "news.tech"], ["PUBSUB", "CHANNELS"], ["PUBLISH", "news.tech", "x"],
            ["QUIT"],
        ]);
    }
}
