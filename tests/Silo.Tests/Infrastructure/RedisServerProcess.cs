using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>Debian's redis-server 7 on a free loopback port, without persistence, as the reference for differential tests.</summary>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<RedisServerProcess> StartAsync()
    {
        var port = FreePort();
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", Path.GetTempPath() })
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.WaitUntilAsync(() => Task.FromResult(AnswersPing(port)), $"redis-server on port {port} answers PING");
        return new RedisServerProcess(process, port);
    }

    private static bool AnswersPing(int port)
    {
        try
        {
            using var socket = RespSocket.Connect(port);
            return socket.Call("PING") == "+PONG\r\n";
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
