using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>The files under deploy/ of this checkout, and the StatefulSet's start script run with a stand-in for dotnet.</summary>
internal static class DeployFiles
{
    /// <summary>The checkout's root, found by walking up from the test binaries to IceFire.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, "deploy", .. parts]);

    /// <summary>The YAML documents of a file, each a mapping (a Kubernetes object or a kustomization).</summary>
    public static IReadOnlyList<YamlMappingNode> LoadYaml(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        stream.Load(reader);
        var documents = new List<YamlMappingNode>();
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlMappingNode mapping)
            {
                documents.Add(mapping);
            }
        }
        return documents;
    }

    /// <summary>
    /// Runs a container's <c>/bin/sh -c SCRIPT</c> command with the given environment and a <c>dotnet</c> on PATH that
    /// prints its arguments, one a line; returns the arguments the script handed to dotnet.
    /// </summary>
    public static IReadOnlyList<string> RunStartScript(string script, IReadOnlyDictionary<string, string> environment)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the start script is a POSIX shell script");
        }
        using var bin = new TempDirectory();
        Directory.CreateDirectory(bin.Path);
        var stub = bin.Sub("dotnet");
        File.WriteAllText(stub, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["PATH"] = bin.Path + ":" + Environment.GetEnvironmentVariable("PATH");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("/bin/sh did not start");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            throw new TimeoutException("the start script did not finish within 30 s");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the start script exited with {process.ExitCode}: {errors.Result}");
        }
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "IceFire.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"IceFire.sln was not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>Navigation over YamlDotNet's representation model that fails with the path it was looking for.</summary>
internal static class YamlNodes
{
    public static YamlMappingNode Map(this YamlNode node, string key) => Get<YamlMappingNode>(node, key);

    public static YamlSequenceNode Seq(this YamlNode node, string key) => Get<YamlSequenceNode>(node, key);

    public static string Str(this YamlNode node, string key) => Get<YamlScalarNode>(node, key).Value ?? "";

    public static string? StrOrNull(this YamlNode node, string key) =>
        ((YamlMappingNode)node).Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    public static IEnumerable<YamlMappingNode> Maps(this YamlSequenceNode sequence) => sequence.Children.Cast<YamlMappingNode>();

    public static IEnumerable<string> Strings(this YamlSequenceNode sequence) =>
        sequence.Children.Select(c => ((YamlScalarNode)c).Value ?? "");

    /// <summary>The object of a kind (and name, when given) among a file's documents.</summary>
    public static YamlMappingNode Object(this IEnumerable<YamlMappingNode> documents, string kind, string? name = null)
    {
        var found = documents.Where(d => d.Str("kind") == kind && (name is null || d.Map("metadata").Str("name") == name)).ToList();
        return found.Count == 1
            ? found[0]
            : throw new KeyNotFoundException($"expected one {kind}{(name is null ? "" : " named " + name)}, found {found.Count}");
    }

    private static T Get<T>(YamlNode node, string key) where T : YamlNode
    {
        if (node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is T typed)
        {
            return typed;
        }
        throw new KeyNotFoundException($"no {typeof(T).Name} '{key}' at line {node.Start.Line}");
    }
}
