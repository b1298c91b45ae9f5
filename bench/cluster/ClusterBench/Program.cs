using System.Globalization;
using IceFire.Cluster.Bench;

// The load tool behind bench/cluster.sh. Each command prints plain space-separated numbers for the script to
// aggregate; the script owns the Markdown.
var inv = CultureInfo.InvariantCulture;
CultureInfo.DefaultThreadCurrentCulture = inv;
CultureInfo.CurrentCulture = inv;
switch (args.FirstOrDefault())
{
    case "resp" when args.Length is 5 or 7:
        // resp HOST:PORT CONCURRENCY SECONDS RUNS [TENANT PASSWORD]: SET of a 128-byte value, one key per worker.
        await RespLoad.RunAsync(args[1], int.Parse(args[2]), double.Parse(args[3], inv), int.Parse(args[4]),
            args.Length == 7 ? args[5] : null, args.Length == 7 ? args[6] : null);
        break;
    case "etcd" when args.Length == 5:
        // etcd URL,URL,URL CONCURRENCY SECONDS RUNS: puts of a 128-byte value through the leader's v3 JSON gateway.
        await EtcdLoad.RunAsync(args[1].Split(','), int.Parse(args[2]), double.Parse(args[3], inv), int.Parse(args[4]));
        break;
    case "tenants" when args.Length == 7:
        // tenants ADMIN-HOST:PORT RESP-HOST:PORT,... COUNT PREFIX PASSWORD PARALLEL: creates the tenants, then writes a key to each.
        return await Tenants.RunAsync(args[1], args[2].Split(','), int.Parse(args[3]), args[4], args[5], int.Parse(args[6]));
    case "failover" when args.Length == 5:
        // failover PID SURVIVOR-HOST:PORT PASSWORD TIMEOUT-SECONDS < tenant names: kill -9 PID, then time each tenant's first write.
        return await Failover.RunAsync(int.Parse(args[1]), args[2], args[3], double.Parse(args[4], inv), Console.In);
    case "pubsub" when args.Length is 5 or 7:
        // pubsub PUB-HOST:PORT SUB-HOST:PORT RATE SECONDS [CHANNELS SIZE]: PUBLISH at RATE a second to CHANNELS channels in
        // turn, messages of SIZE bytes, delivery latency to a subscriber of them all.
        return await PubSubLoad.RunAsync(args[1], args[2], int.Parse(args[3]), double.Parse(args[4], inv),
            args.Length == 7 ? int.Parse(args[5]) : 1, args.Length == 7 ? int.Parse(args[6]) : 0);
    default:
        Console.Error.WriteLine("usage: resp HOST:PORT C SECONDS RUNS [TENANT PASSWORD] | etcd URLS C SECONDS RUNS | "
            + "tenants ADMIN RESP,... COUNT PREFIX PASSWORD PARALLEL | failover PID SURVIVOR PASSWORD TIMEOUT < names | "
            + "pubsub PUBLISHER SUBSCRIBER RATE SECONDS [CHANNELS SIZE]");
        return 2;
}

return 0;
