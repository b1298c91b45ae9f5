using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>A real silo process (`icefire serve`) on a free loopback port, for end-to-end tests.</summary>
internal sealed partial class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _adminPort;
    private int _sqlPort;

    private SiloProcess(Process process)
    {
        _process = process;
    }

    public int Port => _port.Task.IsCompletedSuccessfully ? _port.Task.Result : throw new InvalidOperationException("not started");

    public int ProcessId => _process.Id;

    /// <summary>The admin HTTP port, when started with <see cref="StartWithAdminAsync"/> (or --admin-port).</summary>
    public int AdminPort => Volatile.Read(ref _adminPort) is > 0 and var p ? p : throw new InvalidOperationException("no admin port reported");

    /// <summary>The SQL (PostgreSQL protocol) port the silo reported.</summary>
    public int SqlPort => Volatile.Read(ref _sqlPort) is > 0 and var p ? p : throw new InvalidOperationException("no SQL port reported");

    /// <summary>
    /// The directory of <paramref name="tenant"/>'s replica in the data directory <paramref name="data"/>
    /// (<c>tenants/NAME.gGROUP</c>), or null when there is none.
    /// </summary>
    public static string? TenantDirectory(string data, string tenant)
    {
        var root = Path.Combine(data, "tenants");
        var found = Directory.Exists(root) ? Directory.GetDirectories(root, tenant + ".g*") : [];
        return found.Length switch
        {
            0 => null,
            1 => found[0],
            _ => throw new InvalidOperationException($"{root} holds {found.Length} replicas of tenant {tenant}"),
        };
    }

    /// <summary>The admin API's base address.</summary>
    public Uri AdminUri => new($"http://127.0.0.1:{AdminPort}/");

    /// <summary>Starts a silo with the admin HTTP API on a free port (--admin-port 0).</summary>
    public static async Task<SiloProcess> StartWithAdminAsync(string dataDir, params string[] extra)
    {
        var silo = await StartAsync(dataDir, true, ["--admin-port", "0", .. extra]);
        // The admin line comes after the RESP line; "ready" after both.
        await silo.WaitReadyAsync();
        return silo;
    }

    /// <summary>Waits for the silo's "ready" line, printed after every listener line.</summary>
    public Task WaitReadyAsync() => _ready.Task.WaitAsync(TimeSpan.FromSeconds(60));

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts a silo; <paramref name="waitReady"/> false returns at once (for start-up failures).</summary>
    public static Task<SiloProcess> StartAsync(string dataDir, bool waitReady = true, params string[] extra) =>
        StartAsync(dataDir, waitReady, null, extra);

    /// <summary>Starts a silo with <paramref name="environment"/> added to the test's environment.</summary>
    public static Task<SiloProcess> StartWithEnvironmentAsync(string dataDir, IReadOnlyDictionary<string, string> environment, params string[] extra) =>
        StartAsync(dataDir, true, environment, extra);

    private static async Task<SiloProcess> StartAsync(string dataDir, bool waitReady, IReadOnlyDictionary<string, string>? environment, string[] extra)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "IceFire.Silo.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add("--data");
        info.ArgumentList.Add(dataDir);
        info.ArgumentList.Add("--resp-port");
        info.ArgumentList.Add("0");
        if (!extra.Contains("--sql-port"))
        {
            // A free port, so silos of parallel tests (and a local PostgreSQL on 5432) never collide.
            info.ArgumentList.Add("--sql-port");
            info.ArgumentList.Add("0");
        }
        foreach (var e in extra)
        {
            info.ArgumentList.Add(e);
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var silo = new SiloProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (silo._stdout)
            {
                silo._stdout.AppendLine(e.Data);
            }
            if (e.Data == "icefire: ready")
            {
                silo._ready.TrySetResult();
            }
            var admin = AdminPortPattern().Match(e.Data);
            if (admin.Success)
            {
                Volatile.Write(ref silo._adminPort, int.Parse(admin.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
            var sql = SqlPortPattern().Match(e.Data);
            if (sql.Success)
            {
                Volatile.Write(ref silo._sqlPort, int.Parse(sql.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
            var match = PortPattern().Match(e.Data);
            if (match.Success)
            {
                silo._port.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (silo._stderr)
                {
                    silo._stderr.AppendLine(e.Data);
                }
            }
        };
        process.Exited += (_, _) =>
        {
            silo._port.TrySetException(new InvalidOperationException("the silo exited before it was ready"));
            silo._ready.TrySetException(new InvalidOperationException("the silo exited before it was ready"));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (waitReady)
        {
            try
            {
                await silo._port.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"the silo did not report its port: {e.Message}\nstdout:\n{silo.StandardOutput}\nstderr:\n{silo.StandardError}");
            }
        }
        return silo;
    }

    /// <summary>Waits for the process to exit; returns its exit code.</summary>
    private int _disposed;

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>kill -9: no chance to flush or close anything.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM, as Kubernetes and systemd do.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"RESP on [^ ]+:(\d+),")]
    private static partial Regex PortPattern();

    [GeneratedRegex(@"SQL \(PostgreSQL protocol\) on [^ ]+:(\d+)")]
    private static partial Regex SqlPortPattern();

    [GeneratedRegex(@"admin HTTP on [^ ]+:(\d+)")]
    private static partial Regex AdminPortPattern();
}
