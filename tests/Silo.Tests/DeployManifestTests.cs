using System.Text.RegularExpressions;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace IceFire.Silo.Tests;

/// <summary>
/// deploy/: the Kubernetes manifests and the Dockerfile agree with each other and with the options of
/// <c>icefire serve</c>, so a renamed flag or a moved port fails here rather than in a cluster.
/// </summary>
public sealed partial class DeployManifestTests
{
    private const string Namespace = "icefire-test";

    private static readonly IReadOnlyList<YamlMappingNode> Objects = DeployFiles.LoadYaml(DeployFiles.Path("k8s", "icefire.yaml"));

    private static YamlMappingNode StatefulSet => Objects.Object("StatefulSet");

    private static YamlMappingNode PodSpec => StatefulSet.Map("spec").Map("template").Map("spec");

    private static YamlMappingNode Container => PodSpec.Seq("containers").Maps().Single();

    private static int Replicas => int.Parse(StatefulSet.Map("spec").Str("replicas"), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void KustomizationListsEveryManifest()
    {
        var kustomization = DeployFiles.LoadYaml(DeployFiles.Path("k8s", "kustomization.yaml")).Single();
        var listed = kustomization.Seq("resources").Strings().Order().ToList();
        var present = Directory.GetFiles(DeployFiles.Path("k8s"), "*.yaml")
            .Select(f => Path.GetFileName(f))
            .Where(f => f != "kustomization.yaml")
            .Order()
            .ToList();
        Assert.Equal(present, listed);
    }

    [Fact]
    public void StartScriptPassesOnlyFlagsServeKnows()
    {
        var known = KnownFlags();
        for (var ordinal = 0; ordinal < Replicas; ordinal++)
        {
            var args = ServeArgs(ordinal);
            Assert.Equal(["/app/IceFire.Silo.dll", "serve"], args.Take(2));
            foreach (var flag in args.Where(a => a.StartsWith('-')))
            {
                Assert.True(known.Contains(flag), $"the start script passes {flag}, which `icefire serve` does not know ({string.Join(' ', known.Order())})");
            }
        }
    }

    [Fact]
    public void OnlyTheFirstPodBootstraps()
    {
        Assert.Contains("--bootstrap", ServeArgs(0));
        for (var ordinal = 1; ordinal < Replicas; ordinal++)
        {
            Assert.DoesNotContain("--bootstrap", ServeArgs(ordinal));
        }
    }

    [Fact]
    public void SeedsNameEveryPodAtTheAddressItAdvertises()
    {
        var headless = StatefulSet.Map("spec").Str("serviceName");
        var name = StatefulSet.Map("metadata").Str("name");
        for (var ordinal = 0; ordinal < Replicas; ordinal++)
        {
            var args = ServeArgs(ordinal);
            var seeds = Value(args, "--seeds")!.Split(',');
            var expected = Enumerable.Range(0, Replicas).Select(i => $"{name}-{i}.{headless}.{Namespace}.svc.cluster.local:{ClusterPort(args)}");
            Assert.Equal(expected, seeds);
            // A silo drops the seed equal to its own cluster address (advertised host and cluster port) before joining.
            var advertised = Env("ICEFIRE_ADVERTISE").Replace("$(POD_NAME)", $"{name}-{ordinal}").Replace("$(POD_NAMESPACE)", Namespace);
            Assert.Contains($"{advertised}:{ClusterPort(args)}", seeds);
        }
        Assert.Equal("metadata.name", EnvFieldRef("POD_NAME"));
        Assert.Equal("metadata.namespace", EnvFieldRef("POD_NAMESPACE"));
    }

    [Fact]
    public void ContainerPortsAreTheOnesTheSiloListensOn()
    {
        var args = ServeArgs(0);
        Assert.Equal("0.0.0.0", Value(args, "--bind"));
        Assert.Equal(
            new Dictionary<string, int> { ["resp"] = RespPort(args), ["sql"] = SqlPort(args), ["admin"] = AdminPort(args), ["cluster"] = ClusterPort(args), ["silo"] = SiloPort(args) },
            ContainerPorts());
    }

    [Fact]
    public void ServicesReachTheContainerPorts()
    {
        var container = ContainerPorts();
        foreach (var service in Objects.Where(o => o.Str("kind") == "Service"))
        {
            Assert.Equal(PodLabels(), service.Map("spec").Map("selector").Children);
            foreach (var port in service.Map("spec").Seq("ports").Maps())
            {
                var target = port.Str("targetPort");
                var number = int.TryParse(target, out var n) ? n : container[target];
                Assert.Equal(container[port.Str("name")], number);
                Assert.Equal(number, int.Parse(port.Str("port"), System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        var client = Objects.Object("Service", "icefire").Map("spec").Seq("ports").Maps().Select(p => p.Str("name")).Order();
        Assert.Equal(["admin", "resp", "sql"], client);
        var headless = Objects.Object("Service", StatefulSet.Map("spec").Str("serviceName")).Map("spec").Seq("ports").Maps().Select(p => p.Str("name")).Order();
        Assert.Equal(["admin", "cluster", "resp", "silo", "sql"], headless);
    }

    [Fact]
    public void ProbesAskTheAdminApi()
    {
        var admin = ContainerPorts()["admin"];
        Assert.Equal("/readyz", Container.Map("readinessProbe").Map("httpGet").Str("path"));
        Assert.Equal("/healthz", Container.Map("livenessProbe").Map("httpGet").Str("path"));
        foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
        {
            var port = Container.Map(probe).Map("httpGet").Str("port");
            Assert.Equal(admin, int.TryParse(port, out var n) ? n : ContainerPorts()[port]);
        }
    }

    [Fact]
    public void PrometheusScrapesMetricsOnTheAdminPortServeIsGiven()
    {
        var annotations = StatefulSet.Map("spec").Map("template").Map("metadata").Map("annotations");
        Assert.Equal("true", annotations.Str("prometheus.io/scrape"));
        Assert.Equal("/metrics", annotations.Str("prometheus.io/path"));
        var port = int.Parse(annotations.Str("prometheus.io/port"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(ContainerPorts()["admin"], port);
        for (var ordinal = 0; ordinal < Replicas; ordinal++)
        {
            Assert.Equal(port, AdminPort(ServeArgs(ordinal)));
        }
    }

    [Fact]
    public void HeadlessServicePublishesPeersBeforeTheyAreReady()
    {
        var headless = Objects.Object("Service", StatefulSet.Map("spec").Str("serviceName")).Map("spec");
        Assert.Equal("None", headless.Str("clusterIP"));
        Assert.Equal("true", headless.Str("publishNotReadyAddresses"));
        Assert.Equal("Parallel", StatefulSet.Map("spec").Str("podManagementPolicy"));
    }

    [Fact]
    public void EachPodKeepsItsDataOnItsOwnClaim()
    {
        Assert.Equal("/data", Value(ServeArgs(0), "--data"));
        var claim = StatefulSet.Map("spec").Seq("volumeClaimTemplates").Maps().Single().Map("metadata").Str("name");
        var mount = Container.Seq("volumeMounts").Maps().Single(m => m.Str("mountPath") == "/data");
        Assert.Equal(claim, mount.Str("name"));
        Assert.NotNull(PodSpec.StrOrNull("terminationGracePeriodSeconds"));
        Assert.NotNull(Container.Map("resources").Map("requests").StrOrNull("cpu"));
        Assert.NotNull(Container.Map("resources").Map("requests").StrOrNull("memory"));
    }

    [Fact]
    public void DisruptionBudgetLetsOneSiloGoAtATime()
    {
        var budget = Objects.Object("PodDisruptionBudget").Map("spec");
        Assert.Equal("1", budget.Str("maxUnavailable"));
        Assert.Equal(PodLabels(), budget.Map("selector").Map("matchLabels").Children);
        Assert.Equal(PodLabels(), StatefulSet.Map("spec").Map("selector").Map("matchLabels").Children);
    }

    [Fact]
    public void OrleansKubernetesHostingMayReadAndLabelItsPods()
    {
        // serve --kubernetes: the silo takes its pod's name and namespace, and its agent gets, lists, watches, labels
        // (patch) and deletes the pods of its cluster through the pod's service account.
        for (var ordinal = 0; ordinal < Replicas; ordinal++)
        {
            Assert.Contains("--kubernetes", ServeArgs(ordinal));
        }
        Assert.Equal("metadata.name", EnvFieldRef("POD_NAME"));
        Assert.Equal("metadata.namespace", EnvFieldRef("POD_NAMESPACE"));
        Assert.Equal("status.podIP", EnvFieldRef("POD_IP"));
        var account = PodSpec.Str("serviceAccountName");
        Assert.Equal(account, Objects.Object("ServiceAccount").Map("metadata").Str("name"));
        var role = Objects.Object("Role");
        var rule = Assert.Single(role.Seq("rules").Maps());
        Assert.Equal([""], rule.Seq("apiGroups").Strings());
        Assert.Equal(["pods"], rule.Seq("resources").Strings());
        Assert.Equal(["delete", "get", "list", "patch", "watch"], rule.Seq("verbs").Strings().Order());
        var binding = Objects.Object("RoleBinding");
        Assert.Equal(role.Map("metadata").Str("name"), binding.Map("roleRef").Str("name"));
        Assert.Equal("Role", binding.Map("roleRef").Str("kind"));
        var subject = Assert.Single(binding.Seq("subjects").Maps());
        Assert.Equal(("ServiceAccount", account), (subject.Str("kind"), subject.Str("name")));
    }

    private static IReadOnlyList<string> ServeArgs(int ordinal)
    {
        var command = Container.Seq("command").Strings().ToList();
        Assert.Equal(3, command.Count);
        Assert.Equal(["/bin/sh", "-c"], command.Take(2));
        var name = StatefulSet.Map("metadata").Str("name");
        return DeployFiles.RunStartScript(command[2], new Dictionary<string, string>
        {
            ["POD_NAME"] = $"{name}-{ordinal}",
            ["POD_NAMESPACE"] = Namespace,
        });
    }

    /// <summary>The flags of <c>icefire serve</c>, as its usage text lists them.</summary>
    private static HashSet<string> KnownFlags()
    {
        var flags = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in UsageFlag().Matches(SiloOptions.Usage))
        {
            flags.Add(match.Groups[1].Value);
        }
        Assert.Contains("--resp-port", flags);
        Assert.Contains("--seeds", flags);
        Assert.Contains("--bootstrap", flags);
        return flags;
    }

    private static string? Value(IReadOnlyList<string> args, string flag)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == flag)
            {
                return i + 1 < args.Count ? args[i + 1] : null;
            }
            if (args[i].StartsWith(flag + "=", StringComparison.Ordinal))
            {
                return args[i][(flag.Length + 1)..];
            }
        }
        return null;
    }

    private static int Port(IReadOnlyList<string> args, string flag, int fallback) =>
        Value(args, flag) is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    private static int RespPort(IReadOnlyList<string> args) => Port(args, "--resp-port", new SiloOptions().RespPort);

    private static int SqlPort(IReadOnlyList<string> args) => Port(args, "--sql-port", new SiloOptions().SqlPort ?? -1);

    private static int AdminPort(IReadOnlyList<string> args) =>
        Port(args, "--admin-port", -1) is var port and > 0 ? port : throw new InvalidOperationException("the probes need --admin-port");

    /// <summary>--cluster-port, else the RESP port + 10000 (the default documented in README "Running a cluster").</summary>
    private static int ClusterPort(IReadOnlyList<string> args) => Port(args, "--cluster-port", RespPort(args) + 10000);

    /// <summary>--silo-port, else the cluster port + 10000 (serve --help).</summary>
    private static int SiloPort(IReadOnlyList<string> args) => Port(args, "--silo-port", ClusterPort(args) + 10000);

    private static Dictionary<string, int> ContainerPorts() =>
        Container.Seq("ports").Maps().ToDictionary(p => p.Str("name"), p => int.Parse(p.Str("containerPort"), System.Globalization.CultureInfo.InvariantCulture));

    private static IDictionary<YamlNode, YamlNode> PodLabels() => StatefulSet.Map("spec").Map("template").Map("metadata").Map("labels").Children;

    private static YamlMappingNode EnvEntry(string name) => Container.Seq("env").Maps().Single(e => e.Str("name") == name);

    private static string Env(string name) => EnvEntry(name).Str("value");

    private static string EnvFieldRef(string name) => EnvEntry(name).Map("valueFrom").Map("fieldRef").Str("fieldPath");

    [GeneratedRegex(@"(?m)^\s+(?:-h, )?(--[a-z][a-z-]*)")]
    private static partial Regex UsageFlag();
}
