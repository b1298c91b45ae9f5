using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>
/// The network between the silos of a <see cref="TestCluster"/>: one loopback TCP proxy per port a silo listens on for
/// other silos (its cluster port and its Orleans messaging port), which every other silo dials (the silo advertises the
/// proxy's address). The proxy tells who dials from the connection's first bytes — a Raft link opens with a frame whose
/// first field is the sender's id, a system request (a join, a membership table call) with its magic and the sender's
/// id, an Orleans connection with a preamble holding the dialer's silo address — so each direction of each (from, to)
/// pair of silos can be cut, stalled or delayed on its own. Thread-safe.
/// </summary>
/// <remarks>
/// A blocked link refuses new connections (accepted, then closed at once) and stalls the traffic of open ones in the
/// blocked direction: bytes already in flight are held, not lost, as TCP would retransmit them once a partition heals.
/// <see cref="Cut"/> closes the open connections instead.
/// </remarks>
internal sealed class FaultyNetwork : IAsyncDisposable
{
    /// <summary>Where the proxies listen: silos advertise this host, their own listeners stay on 127.0.0.1.</summary>
    public static readonly IPAddress ProxyAddress = IPAddress.Parse("127.0.0.2");

    private readonly IReadOnlyDictionary<int, int> _siloPorts;
    private readonly ConcurrentDictionary<(int From, int To), LinkRule> _rules = new();
    private readonly ConcurrentDictionary<ProxiedConnection, byte> _connections = new();
    private readonly List<(TcpListener Listener, Task Loop)> _proxies = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<(int From, int To), long> _opened = new();
    private long _refused;

    /// <summary>
    /// Starts a proxy for each of <paramref name="targets"/>: (node id, proxy port, the silo's real end point).
    /// <paramref name="siloPorts"/> gives each node's advertised Orleans port, by which its Orleans connections are known.
    /// </summary>
    public FaultyNetwork(IReadOnlyList<(int Node, int ProxyPort, IPEndPoint Target)> targets, IReadOnlyDictionary<int, int> siloPorts)
    {
        _siloPorts = siloPorts;
        foreach (var (node, proxyPort, target) in targets)
        {
            var listener = new TcpListener(ProxyAddress, proxyPort);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start(backlog: 128);
            _proxies.Add((listener, AcceptLoopAsync(listener, node, target)));
        }
    }

    /// <summary>Connections refused because their link was blocked.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>The connections proxied so far, per (dialer, dialed) pair; dialer 0 is one the proxy could not identify.</summary>
    public string Describe() =>
        string.Join(", ", _opened.OrderBy(p => p.Key).Select(p => $"{p.Key.From}->{p.Key.To}: {p.Value}")) + $"; {Refused} refused";

    /// <summary>Blocks traffic from every node of <paramref name="side"/> to every node of <paramref name="other"/>, and back unless <paramref name="oneWay"/>.</summary>
    public void Partition(IEnumerable<int> side, IEnumerable<int> other, bool oneWay = false)
    {
        var others = other.ToList();
        foreach (var a in side)
        {
            foreach (var b in others)
            {
                Rule(a, b).Block();
                if (!oneWay)
                {
                    Rule(b, a).Block();
                }
            }
        }
    }

    /// <summary>Blocks one direction: bytes from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public void Block(int from, int to) => Rule(from, to).Block();

    /// <summary>Closes every open connection between <paramref name="a"/> and <paramref name="b"/> (a reset, as when a middlebox drops state).</summary>
    public void Cut(int a, int b)
    {
        foreach (var connection in _connections.Keys)
        {
            if ((connection.From == a && connection.To == b) || (connection.From == b && connection.To == a))
            {
                connection.Close();
            }
        }
    }

    /// <summary>Adds <paramref name="delay"/> to every chunk sent from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public void Delay(int from, int to, TimeSpan delay) => Rule(from, to).Delay = delay;

    /// <summary>Lifts every block and delay; stalled traffic flows again.</summary>
    public void Heal()
    {
        foreach (var rule in _rules.Values)
        {
            rule.Delay = TimeSpan.Zero;
            rule.Unblock();
        }
    }

    /// <summary>True while any link is blocked.</summary>
    public bool AnyBlocked => _rules.Values.Any(rule => rule.Blocked);

    /// <summary>True when bytes from <paramref name="from"/> to <paramref name="to"/> are held back.</summary>
    public bool IsBlocked(int from, int to) => _rules.TryGetValue((from, to), out var rule) && rule.Blocked;

    private LinkRule Rule(int from, int to) => _rules.GetOrAdd((from, to), _ => new LinkRule());

    private async Task AcceptLoopAsync(TcpListener listener, int node, IPEndPoint target)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            socket.NoDelay = true;
            _ = Task.Run(() => ServeAsync(socket, node, target));
        }
    }

    private async Task ServeAsync(Socket inbound, int to, IPEndPoint target)
    {
        var (from, prefix) = await IdentifyAsync(inbound);
        if (prefix is null || (from != 0 && Rule(from, to).Blocked))
        {
            if (prefix is not null)
            {
                Interlocked.Increment(ref _refused);
            }
            inbound.Dispose();
            return;
        }
        var outbound = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await outbound.ConnectAsync(target, timeout.Token);
            await outbound.SendAsync(prefix, SocketFlags.None, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The silo behind this proxy is down: the dialer sees its connection close, as with a refused connect.
            outbound.Dispose();
            inbound.Dispose();
            return;
        }
        _opened.AddOrUpdate((from, to), 1, (_, n) => n + 1);
        var connection = new ProxiedConnection(from, to, inbound, outbound, _stop.Token);
        _connections[connection] = 0;
        var forward = connection.PumpAsync(inbound, outbound, from == 0 ? null : Rule(from, to));
        var backward = connection.PumpAsync(outbound, inbound, from == 0 ? null : Rule(to, from));
        await Task.WhenAll(forward, backward);
        _connections.TryRemove(connection, out _);
        connection.Dispose();
    }

    /// <summary>Reads the dialer's opening bytes: (its node id or 0 when unrecognised, the bytes read), or null bytes when it hung up.</summary>
    private async Task<(int From, byte[]? Prefix)> IdentifyAsync(Socket socket)
    {
        var head = new byte[4];
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await ReadExactlyAsync(socket, head, timeout.Token);
            if (head.AsSpan().SequenceEqual("IFS2"u8))
            {
                // A system request: the magic, then the sender's id as a little-endian u64 (0 before it has one).
                var sender = new byte[8];
                await ReadExactlyAsync(socket, sender, timeout.Token);
                return ((int)BinaryPrimitives.ReadUInt64LittleEndian(sender), [.. head, .. sender]);
            }
            // A Raft link opens with [length u32][WireFrame], whose field 1 (tag 0x08) is the sender's id as a varint;
            // an Orleans connection with [length i32][preamble].
            var length = BinaryPrimitives.ReadUInt32LittleEndian(head);
            if (length is 0 or > 1024)
            {
                return (0, head);
            }
            var frame = new byte[length];
            await ReadExactlyAsync(socket, frame, timeout.Token);
            var from = 0;
            if (frame[0] != 0x08)
            {
                return (OrleansDialer(frame), [.. head, .. frame]);
            }
            {
                var shift = 0;
                for (var i = 1; i < frame.Length && shift < 32; i++, shift += 7)
                {
                    from |= (frame[i] & 0x7f) << shift;
                    if ((frame[i] & 0x80) == 0)
                    {
                        break;
                    }
                }
            }
            return (from, [.. head, .. frame]);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or EndOfStreamException or ObjectDisposedException)
        {
            return (0, null);
        }
    }

    /// <summary>
    /// The node whose Orleans silo wrote <paramref name="preamble"/>, or 0. The preamble holds the dialer's silo
    /// address: its IP's bytes, then a field header, then its port in Orleans' prefix varint (n = floor(log2(port) / 7) low zero bits, a one
    /// bit, then the port, in n + 1 bytes, little-endian). Each node advertises the proxy's IP and its own port.
    /// </summary>
    private int OrleansDialer(byte[] preamble)
    {
        var ip = ProxyAddress.GetAddressBytes();
        for (var at = preamble.AsSpan().IndexOf(ip); at >= 0; at = NextIndexOf(preamble, ip, at + 1))
        {
            // The port follows the address after a field header of a byte or two.
            var after = preamble.AsSpan(at + ip.Length);
            foreach (var (node, port) in _siloPorts)
            {
                var encoded = PrefixVarint((uint)port);
                for (var gap = 0; gap <= 2 && gap + encoded.Length <= after.Length; gap++)
                {
                    if (after.Slice(gap, encoded.Length).SequenceEqual(encoded))
                    {
                        return node;
                    }
                }
            }
        }
        return 0;
    }

    private static int NextIndexOf(byte[] buffer, byte[] value, int from)
    {
        var at = buffer.AsSpan(from).IndexOf(value);
        return at < 0 ? -1 : from + at;
    }

    /// <summary>Orleans' encoding of an unsigned integer (see <see cref="OrleansDialer"/>).</summary>
    internal static byte[] PrefixVarint(uint value)
    {
        var extra = System.Numerics.BitOperations.Log2(value | 1) / 7;
        var encoded = ((ulong)value << (extra + 1)) | (1UL << extra);
        var bytes = new byte[extra + 1];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(encoded >> (8 * i));
        }
        return bytes;
    }

    private static async Task ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }
            read += n;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Heal();
        foreach (var (listener, _) in _proxies)
        {
            listener.Stop();
        }
        foreach (var connection in _connections.Keys)
        {
            connection.Close();
        }
        await Task.WhenAll(_proxies.Select(p => p.Loop));
        _stop.Dispose();
    }

    /// <summary>What is done to the bytes of one direction of one pair of silos.</summary>
    private sealed class LinkRule
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource _open = NewOpen(completed: true);

        public TimeSpan Delay { get; set; }

        public bool Blocked
        {
            get
            {
                lock (_lock)
                {
                    return !_open.Task.IsCompleted;
                }
            }
        }

        /// <summary>Completes once the link is open.</summary>
        public Task WhenOpen
        {
            get
            {
                lock (_lock)
                {
                    return _open.Task;
                }
            }
        }

        public void Block()
        {
            lock (_lock)
            {
                if (_open.Task.IsCompleted)
                {
                    _open = NewOpen(completed: false);
                }
            }
        }

        public void Unblock()
        {
            lock (_lock)
            {
                _open.TrySetResult();
            }
        }

        private static TaskCompletionSource NewOpen(bool completed)
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (completed)
            {
                open.SetResult();
            }
            return open;
        }
    }

    /// <summary>A dialer's connection and the proxy's connection to the silo it dialed.</summary>
    private sealed class ProxiedConnection(int from, int to, Socket inbound, Socket outbound, CancellationToken stop) : IDisposable
    {
        private readonly CancellationTokenSource _closed = CancellationTokenSource.CreateLinkedTokenSource(stop);

        public int From => from;

        public int To => to;

        /// <summary>
        /// Copies <paramref name="source"/> to <paramref name="destination"/>: each chunk is due <paramref name="rule"/>'s
        /// delay after it arrived (latency, not a rate limit) and is held while the rule blocks.
        /// </summary>
        public async Task PumpAsync(Socket source, Socket destination, LinkRule? rule)
        {
            var stop = _closed.Token;
            var chunks = Channel.CreateBounded<(byte[] Data, long Due)>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
            var sending = SendAsync(chunks.Reader, destination, rule, stop);
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var n = await source.ReceiveAsync(buffer, SocketFlags.None, stop);
                    if (n == 0)
                    {
                        break;
                    }
                    var due = Environment.TickCount64 + (long)(rule?.Delay.TotalMilliseconds ?? 0);
                    await chunks.Writer.WriteAsync((buffer.AsSpan(0, n).ToArray(), due), stop);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
            chunks.Writer.TryComplete();
            await sending;
            Close();
        }

        private async Task SendAsync(ChannelReader<(byte[] Data, long Due)> chunks, Socket destination, LinkRule? rule, CancellationToken stop)
        {
            try
            {
                await foreach (var (data, due) in chunks.ReadAllAsync(stop))
                {
                    if (rule is not null)
                    {
                        await rule.WhenOpen.WaitAsync(stop);
                    }
                    var wait = due - Environment.TickCount64;
                    if (wait > 0)
                    {
                        // The link's injected latency: the fault this network simulates.
                        await Task.Delay(TimeSpan.FromMilliseconds(wait), stop);
                    }
                    await destination.SendAsync(data, SocketFlags.None, stop);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The other side is gone: closing both ends stops the receiving half too.
                Close();
            }
        }

        public void Dispose() => _closed.Dispose();

        public void Close()
        {
            try
            {
                _closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
            inbound.Dispose();
            outbound.Dispose();
        }
    }
}
