using System.Diagnostics;
using System.Text;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>
/// Runs the Node.js client tests in tests/node (`node --test`, ioredis from npm) against a port and
/// collects what node printed.
/// </summary>
internal static class NodeTestRun
{
    /// <summary>tests/node of this checkout, found by walking up from the test binaries to IceFire.sln.</summary>
    public static string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "IceFire.sln")))
                {
                    return Path.Combine(dir.FullName, "tests", "node");
                }
            }
            throw new InvalidOperationException($"IceFire.sln was not found above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>Why the Node tests cannot run here, or null when node and the installed packages are present.</summary>
    public static string? MissingPrerequisite()
    {
        if (!OnPath("node"))
        {
            return "node was not found on PATH: install Node.js 20 or later (Debian: apt-get install -y nodejs npm), " +
                "or run ./icefire test, which installs it";
        }
        if (!System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "ioredis")))
        {
            return $"{Path.Combine(Directory, "node_modules")} lacks ioredis: run `npm ci` in {Directory}, " +
                "or ./icefire test, which does";
        }
        return null;
    }

    /// <summary>Runs `node --test` over <paramref name="files"/> (every test file when empty) against the port.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(int port, string? password, TimeSpan timeout, params string[] files)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--test");
        info.ArgumentList.Add("--test-reporter=spec");
        foreach (var file in files)
        {
            info.ArgumentList.Add(file);
        }
        info.Environment["ICEFIRE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment.Remove("ICEFIRE_PASSWORD");
        if (password is not null)
        {
            info.Environment["ICEFIRE_PASSWORD"] = password;
        }
        // No colour codes in the text that lands in a failure message.
        info.Environment["NO_COLOR"] = "1";
        info.Environment.Remove("FORCE_COLOR");

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Append(output, $"(node --test was stopped after {timeout.TotalSeconds:0} s)");
            return (-1, Text(output));
        }
        // WaitForExitAsync returns once the output streams are drained too.
        return (process.ExitCode, Text(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static bool OnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, program)))
            {
                return true;
            }
        }
        return false;
    }
}
