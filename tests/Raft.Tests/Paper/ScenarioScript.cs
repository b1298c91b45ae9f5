using System.Globalization;

namespace IceFire.Raft.Tests.Paper;

/// <summary>
/// Runs a scenario from testdata/: one command per line, # starts a comment. Commands drive a
/// <see cref="ScriptedGroup"/>; "expect" lines check it. A failed expectation names the file and line.
/// </summary>
internal sealed class ScenarioScript
{
    private ScriptedGroup? _group;
    private string _lastStatus = "";

    public static void Run(string path)
    {
        var script = new ScenarioScript();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Split('#')[0].Trim();
            if (line.Length == 0) continue;
            try
            {
                script.Execute(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{Path.GetFileName(path)}:{i + 1}: {line}\n{e.Message}");
            }
        }
    }

    private ScriptedGroup G => _group ?? throw new InvalidOperationException("start with a 'group' line");

    private static ulong Id(string s) => ulong.Parse(s, CultureInfo.InvariantCulture);

    private void Execute(string[] a)
    {
        switch (a[0])
        {
            case "group":
                var opts = a.Skip(2).Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]);
                int Opt(string k) => opts.TryGetValue(k, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : 0;
                bool Flag(string k, bool d) => opts.TryGetValue(k, out var v) ? v == "on" : d;
                _group = new ScriptedGroup(int.Parse(a[1], CultureInfo.InvariantCulture), o =>
                {
                    o.PreVote = Flag("prevote", true);
                    o.CheckQuorum = Flag("checkquorum", true);
                    o.QuiesceAfterTicks = Opt("quiesce");
                    o.SnapshotChunkBytes = Opt("chunk") > 0 ? Opt("chunk") : o.SnapshotChunkBytes;
                }, learners: Opt("learners"), joining: Opt("joining"));
                break;
            case "campaign":
                G[Id(a[1])].Campaign();
                G.Drain(Id(a[1]));
                break;
            case "deliver":
                G.DeliverAll();
                break;
            case "tick" when a[1] == "all":
                G.TickAll(a.Length > 2 ? int.Parse(a[2], CultureInfo.InvariantCulture) : 1);
                break;
            case "tick":
                G.Tick(Id(a[1]), a.Length > 2 ? int.Parse(a[2], CultureInfo.InvariantCulture) : 1);
                break;
            case "propose":
                _lastStatus = G.Propose(Id(a[1]), a[2]).Status.ToString();
                break;
            case "conf":
                var type = a[2] switch { "add-learner" => ConfChangeType.AddLearner, "add-voter" => ConfChangeType.AddVoter, _ => ConfChangeType.RemoveNode };
                _lastStatus = G[Id(a[1])].ProposeConfChange(new ConfChange(type, Id(a[3]))).Status.ToString();
                G.Drain(Id(a[1]));
                break;
            case "transfer":
                _lastStatus = G[Id(a[1])].TransferLeadership(Id(a[2])).ToString();
                G.Drain(Id(a[1]));
                break;
            case "read":
                _lastStatus = G[Id(a[1])].ReadIndex(Id(a[2])).ToString();
                G.Drain(Id(a[1]));
                break;
            case "compact":
                var node = G[Id(a[1])];
                var snap = G.Durable[Id(a[1])].SaveSnapshot(node.SnapshotMetadataAt(node.Applied), [.. G.AppliedTexts(Id(a[1])).SelectMany(System.Text.Encoding.UTF8.GetBytes)]);
                node.Compact(snap);
                break;
            case "isolate":
                G.Isolate(Id(a[1]));
                break;
            case "heal":
                G.Heal();
                break;
            case "crash":
                G.Crash(Id(a[1]));
                break;
            case "restart":
                G.Start(Id(a[1]));
                break;
            case "drop":
                var dropped = Enum.Parse<MessageType>(a[1]);
                G.Filter = m => m.Type != dropped;
                break;
            case "allow":
                G.Filter = null;
                break;
            case "expect":
                Expect(a);
                break;
            default:
                throw new InvalidOperationException($"unknown command '{a[0]}'");
        }
    }

    private void Expect(string[] a)
    {
        var what = a[1];
        var (expected, actual) = what switch
        {
            "status" => (a[2], _lastStatus),
            "role" => (a[3], G[Id(a[2])].Role.ToString()),
            "leader" => (a[3], G[Id(a[2])].Leader.ToString(CultureInfo.InvariantCulture)),
            "leader-in" => ("yes", a[3].Split(',').Contains(G[Id(a[2])].Leader.ToString(CultureInfo.InvariantCulture)) ? "yes" : $"no ({G[Id(a[2])].Leader})"),
            "term" => (a[3], G[Id(a[2])].Term.ToString(CultureInfo.InvariantCulture)),
            "commit" => (a[3], G[Id(a[2])].Commit.ToString(CultureInfo.InvariantCulture)),
            "first-index" => (a[3], G[Id(a[2])].FirstIndex.ToString(CultureInfo.InvariantCulture)),
            "applied" => (a[3], G.AppliedTexts(Id(a[2])).Any() ? string.Join(',', G.AppliedTexts(Id(a[2]))) : "-"),
            "voters" => (a[3], string.Join(',', G[Id(a[2])].Config.Voters)),
            "learners" => (a[3], G[Id(a[2])].Config.Learners.Count == 0 ? "-" : string.Join(',', G[Id(a[2])].Config.Learners)),
            "read" => ("yes", G.Reads.TryGetValue(Id(a[2]), out var reads) && reads.Any(r => r.Context == Id(a[3])) ? "yes" : "no"),
            "quiesced" => (a[3], G[Id(a[2])].Quiesced ? "yes" : "no"),
            _ => throw new InvalidOperationException($"unknown expectation '{what}'"),
        };
        if (expected != actual) throw new InvalidOperationException($"expected {what} {expected}, got {actual}");
    }
}
