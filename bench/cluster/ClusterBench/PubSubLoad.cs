using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace IceFire.Cluster.Bench;

/// <summary>
/// PUBLISH at a fixed rate on one server and SUBSCRIBE on another (or the same): each message carries the time it was
/// written, padded to the message size asked for, and goes to the channels in turn; the subscriber, subscribed to all
/// of them, records when each arrived. Prints "sent received p50 p99 p999 max" (milliseconds).
/// </summary>
internal static class PubSubLoad
{
    public static async Task<int> RunAsync(string publishTo, string subscribeTo, int rate, double seconds, int channelCount = 1, int size = 0)
    {
        var channels = Enumerable.Range(0, channelCount).Select(i => channelCount == 1 ? "bench" : $"bench:{i}").ToArray();
        using var subscriber = await ConnectAsync(subscribeTo);
        var sub = subscriber.GetStream();
        await sub.WriteAsync(RespConnection.Encode(["SUBSCRIBE", .. channels]));
        var reader = new ReplyReader(sub);
        foreach (var _ in channels)
        {
            reader.ReadMessage(); // each subscription's confirmation
        }

        using var publisher = await ConnectAsync(publishTo);
        var pub = publisher.GetStream();
        var total = (int)(rate * seconds);
        var latencies = new double[total];
        var received = 0;
        // The receiver, the publisher and the drain of the publisher's replies each have a thread of their own, reading
        // and writing synchronously: a wait for the thread pool would be counted as the server's latency.
        var receiving = new Thread(() =>
        {
            try
            {
                while (received < total)
                {
                    var payload = reader.ReadMessage();
                    var stampEnd = payload.IndexOf(' ', StringComparison.Ordinal);
                    var sentAt = long.Parse(stampEnd < 0 ? payload : payload[..stampEnd], NumberStyles.None, CultureInfo.InvariantCulture);
                    latencies[received] = Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds;
                    Volatile.Write(ref received, received + 1);
                }
            }
            catch (IOException)
            {
                // The server closed the subscriber: the count says how many arrived.
            }
        }) { IsBackground = true, Name = "subscriber" };
        receiving.Start();
        // The publisher's replies (receiver counts) are read and dropped.
        var draining = new Thread(() =>
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (pub.Read(buffer) > 0)
                {
                }
            }
            catch (IOException)
            {
            }
        }) { IsBackground = true, Name = "publisher replies" };
        draining.Start();

        var sent = 0;
        var publishing = new Thread(() =>
        {
            var clock = Stopwatch.StartNew();
            var batch = new StringBuilder();
            while (sent < total)
            {
                var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * rate) + 1);
                if (due <= sent)
                {
                    Thread.Sleep(1);
                    continue;
                }
                batch.Clear();
                for (; sent < due; sent++)
                {
                    var stamp = Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture);
                    var channel = channels[sent % channels.Length];
                    var length = Math.Max(stamp.Length, size);
                    batch.Append("*3\r\n$7\r\nPUBLISH\r\n$").Append(channel.Length).Append("\r\n").Append(channel).Append("\r\n$")
                        .Append(length).Append("\r\n").Append(stamp);
                    if (length > stamp.Length)
                    {
                        batch.Append(' ').Append('x', length - stamp.Length - 1);
                    }
                    batch.Append("\r\n");
                }
                pub.Write(Encoding.ASCII.GetBytes(batch.ToString()));
            }
        }) { IsBackground = true, Name = "publisher" };
        publishing.Start();
        publishing.Join();
        var finished = receiving.Join(TimeSpan.FromSeconds(10));
        publisher.Client.Shutdown(SocketShutdown.Both);
        subscriber.Client.Shutdown(SocketShutdown.Both);
        var count = Volatile.Read(ref received);
        Array.Sort(latencies, 0, count);
        double At(double q) => count == 0 ? double.NaN : latencies[Math.Min(count - 1, (int)(q * count))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{sent} {count} {At(0.50):0.000} {At(0.99):0.000} {At(0.999):0.000} {(count == 0 ? double.NaN : latencies[count - 1]):0.000}"));
        return finished && count == total ? 0 : 1;
    }

    private static async Task<TcpClient> ConnectAsync(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture));
        return client;
    }

    /// <summary>Reads the pushes of a subscribed RESP2 connection: arrays of bulk strings; returns each one's last element.</summary>
    private sealed class ReplyReader(NetworkStream stream)
    {
        private readonly byte[] _buffer = new byte[256 * 1024];
        private int _start;
        private int _end;

        public string ReadMessage()
        {
            var head = Line();
            var count = head[0] == '*' && int.TryParse(head.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
            string last = "";
            for (var i = 0; i < count; i++)
            {
                var header = Line();
                if (header[0] == ':')
                {
                    last = header[1..];
                    continue;
                }
                var length = int.Parse(header.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);
                Fill(length + 2);
                last = Encoding.ASCII.GetString(_buffer, _start, length);
                _start += length + 2;
            }
            return last;
        }

        private string Line()
        {
            while (true)
            {
                var at = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (at > _start)
                {
                    var line = Encoding.ASCII.GetString(_buffer, _start, at - _start - 1);
                    _start = at + 1;
                    return line;
                }
                Fill(_end - _start + 1);
            }
        }

        private void Fill(int needed)
        {
            while (_end - _start < needed)
            {
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                var n = stream.Read(_buffer.AsSpan(_end));
                if (n == 0)
                {
                    throw new IOException("the server closed the subscriber's connection");
                }
                _end += n;
            }
        }
    }
}
