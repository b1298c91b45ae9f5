using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests;

public sealed partial class DeployManifestTests
{
    /// <summary>The Dockerfile's instructions, continuation lines joined, comments dropped.</summary>
    private static readonly IReadOnlyList<(string Keyword, string Args)> Instructions = ReadDockerfile();

    /// <summary>The instructions of the last stage: what the image that runs is made of.</summary>
    private static IEnumerable<(string Keyword, string Args)> RuntimeStage =>
        Instructions.Skip(Instructions.Select((x, i) => (x.Keyword, i)).Last(x => x.Keyword == "FROM").i);

    [Fact]
    public void DockerfileBuildsOnTheSdkAndRunsOnAspNet()
    {
        var froms = Instructions.Where(i => i.Keyword == "FROM").Select(i => i.Args).ToList();
        Assert.Equal(2, froms.Count);
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0 ", froms[0]);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", froms[1]);
        Assert.Contains(Instructions, i => i.Keyword == "RUN" && i.Args.Contains("dotnet publish Silo/Silo.csproj", StringComparison.Ordinal) && i.Args.Contains("-o /app", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(DeployFiles.Root, "Silo", "Silo.csproj")));
    }

    [Fact]
    public void ImageInstallsLmdbAndRunsAsAnotherUserThanRoot()
    {
        Assert.Contains(RuntimeStage, i => i.Keyword == "RUN" && AptInstallsLmdb().IsMatch(i.Args));
        var user = RuntimeStage.Last(i => i.Keyword == "USER").Args;
        Assert.DoesNotContain(user.Split(':')[0], new[] { "root", "0" });
        Assert.Equal(PodSpec.Map("securityContext").Str("runAsUser"), user);
        Assert.Contains(RuntimeStage, i => i.Keyword == "VOLUME" && i.Args == "/data");
    }

    [Fact]
    public void ImageExposesThePortsThePodDeclares()
    {
        var exposed = RuntimeStage.Where(i => i.Keyword == "EXPOSE")
            .SelectMany(i => i.Args.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => int.Parse(p.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture))
            .Order();
        Assert.Equal(ContainerPorts().Values.Order(), exposed);
    }

    [Fact]
    public void EntrypointServesTheSiloTheStartScriptRuns()
    {
        var entrypoint = JsonArray("ENTRYPOINT");
        Assert.Equal("dotnet", entrypoint[0]);
        Assert.Equal(ServeArgs(0).Take(2), entrypoint.Skip(1));
        // Without the pod's start script (docker run), the defaults open the same ports the image exposes.
        var cmd = JsonArray("CMD");
        var known = KnownFlags();
        Assert.All(cmd.Where(a => a.StartsWith('-')), flag => Assert.Contains(flag, known));
        Assert.Equal("/data", Value(cmd, "--data"));
        Assert.Equal("0.0.0.0", Value(cmd, "--bind"));
        Assert.Equal(ContainerPorts(), new Dictionary<string, int> { ["resp"] = RespPort(cmd), ["sql"] = SqlPort(cmd), ["admin"] = AdminPort(cmd), ["cluster"] = ClusterPort(cmd), ["silo"] = SiloPort(cmd) });
    }

    [Fact]
    public void DockerignoreKeepsBuildOutputOutAndTheSiloSourcesIn()
    {
        var ignored = File.ReadAllLines(Path.Combine(DeployFiles.Root, ".dockerignore"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.TrimEnd('/'))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string> { ".git", "**/bin", "**/obj", "**/node_modules", "cluster" }, ignored);
        var needed = new HashSet<string>(StringComparer.Ordinal) { "Directory.Build.props", "Directory.Packages.props", ".editorconfig" };
        foreach (var project in ProjectClosure(Path.Combine(DeployFiles.Root, "Silo", "Silo.csproj")))
        {
            needed.Add(Path.GetRelativePath(DeployFiles.Root, project).Split(Path.DirectorySeparatorChar)[0]);
        }
        Assert.Contains("Raft", needed);
        Assert.Empty(needed.Intersect(ignored));
    }

    private static List<string> JsonArray(string keyword)
    {
        var rest = RuntimeStage.Last(i => i.Keyword == keyword).Args;
        return JsonSerializer.Deserialize<List<string>>(rest) ?? throw new InvalidOperationException($"{keyword} is not a JSON array: {rest}");
    }

    /// <summary>The project and every project it references, directly or not.</summary>
    private static HashSet<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var path))
        {
            if (!seen.Add(path))
            {
                continue;
            }
            foreach (var reference in XDocument.Load(path).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', Path.DirectorySeparatorChar);
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, include)));
            }
        }
        return seen;
    }

    private static List<(string Keyword, string Args)> ReadDockerfile()
    {
        var instructions = new List<(string, string)>();
        var current = "";
        foreach (var raw in File.ReadAllLines(DeployFiles.Path("Dockerfile")))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                continue;
            }
            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }
            current += line;
            if (current.Trim().Length > 0)
            {
                var parts = current.Trim().Split(' ', 2);
                instructions.Add((parts[0].ToUpperInvariant(), parts.Length > 1 ? Regex.Replace(parts[1], @"\s+", " ").Trim() : ""));
            }
            current = "";
        }
        return instructions;
    }

    [GeneratedRegex(@"apt-get install\b[^&;|]*\bliblmdb0\b")]
    private static partial Regex AptInstallsLmdb();
}
