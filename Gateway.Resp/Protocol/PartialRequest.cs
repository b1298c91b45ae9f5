using System.Buffers;

namespace IceFire.Gateway.Resp.Protocol;

/// <summary>
/// A request that did not arrive whole in one contiguous read (Redis' query buffer for an unfinished command).
/// Its bytes are moved out of the socket's input as they arrive and parsed from where the previous read stopped:
/// the arguments found so far are kept, so a request of N bytes costs O(N) to parse however many packets carry
/// it, and the socket's input never holds more than what arrived since the last read.
/// </summary>
/// <remarks>
/// Only the request's own bytes are taken from the input (up to the end of the line or bulk being read), so
/// what follows it stays in the input for the in-place parser. Arguments handed out point into this buffer and
/// stay valid until <see cref="Feed"/> starts a request with <c>keepHeld</c> false or <see cref="Release"/> is called:
/// with <c>keepHeld</c> the next request goes after them (the connection's batch still reads them).
/// Not thread-safe: one connection's read loop owns it.
/// </remarks>
internal sealed class PartialRequest
{
    // Buffers up to this size come from the shared pool; larger ones are the GC's, so a burst's memory goes back.
    private const int PooledMaxBytes = 1 << 20;
    private const int KeptBytes = 64 * 1024;

    private byte[] _buffer = [];
    private bool _pooled;
    // Arguments of an earlier request still point into the buffer: growing must not give it back to the pool.
    private bool _shared;
    private int _length;
    private int _begin;
    private int _scan;
    private long _count = -1;
    private long _bulk = -1;
    private bool _inline;
    private bool _started;
    private (int Start, int Length)[] _spans = [];
    private int _parsed;

    /// <summary>True between the first bytes of a request and its last.</summary>
    public bool InProgress => _started;

    /// <summary>Bytes held for the request in progress (CLIENT LIST qbuf, checked against client-query-buffer-limit).</summary>
    public int Length => _started ? _length - _begin : 0;

    /// <summary>The length of the request <see cref="Feed"/> completed last.</summary>
    public int CompletedLength { get; private set; }

    /// <summary>Bytes parsed so far over the life of this object: a request costs its own length, once.</summary>
    public long Scanned { get; private set; }

    /// <summary>
    /// Takes bytes of the request in progress (or of a new one, whose first byte <paramref name="input"/> starts with)
    /// from <paramref name="input"/>. <paramref name="consumed"/> is how many bytes were taken: all of them when the
    /// result is <see cref="ParseStatus.Incomplete"/>. On <see cref="ParseStatus.Complete"/> <paramref name="args"/>
    /// holds the arguments; on <see cref="ParseStatus.Error"/> <paramref name="error"/> is the reply to send before closing.
    /// </summary>
    public ParseStatus Feed(ReadOnlySequence<byte> input, ArgumentList args, RespLimits limits, bool authenticated, bool keepHeld,
        out long consumed, out byte[]? error)
    {
        error = null;
        var start = input.Length;
        if (!_started)
        {
            if (input.IsEmpty)
            {
                consumed = 0;
                return ParseStatus.Incomplete;
            }
            ResetState(keepHeld);
            _started = true;
            _inline = input.FirstSpan[0] != (byte)'*';
        }
        var status = _inline ? FeedInline(ref input, args, limits, out error) : FeedMultibulk(ref input, args, limits, authenticated, out error);
        consumed = start - input.Length;
        if (status != ParseStatus.Incomplete)
        {
            _started = false;
            CompletedLength = _length - _begin;
        }
        return status;
    }

    /// <summary>Lets go of a large buffer once the request that needed it has run; returns the bytes let go.</summary>
    public int Release()
    {
        if (_started || _buffer.Length <= KeptBytes)
        {
            return 0;
        }
        var released = _buffer.Length;
        if (_pooled)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = [];
        _pooled = false;
        _shared = false;
        _length = 0;
        if (_spans.Length > 1024)
        {
            released += _spans.Length * 8;
            _spans = [];
        }
        return released;
    }

    private void ResetState(bool keepHeld)
    {
        _shared = keepHeld && _length > 0;
        _length = _shared ? _length : 0;
        _begin = _length;
        _scan = _length;
        _count = -1;
        _bulk = -1;
        _parsed = 0;
    }

    private ParseStatus FeedInline(ref ReadOnlySequence<byte> input, ArgumentList args, RespLimits limits, out byte[]? error)
    {
        error = null;
        var newline = input.PositionOf((byte)'\n');
        if (newline is null)
        {
            if (_length - _begin + input.Length > limits.MaxInlineSize)
            {
                error = RespParser.ErrTooBigInline.ToArray();
                return ParseStatus.Error;
            }
            Append(input);
            input = input.Slice(input.End);
            return ParseStatus.Incomplete;
        }
        var through = input.GetPosition(1, newline.Value);
        Append(input.Slice(0, through));
        input = input.Slice(through);
        var line = _buffer.AsMemory(_begin, _length - 1 - _begin);
        if (line.Length > 0 && line.Span[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        args.Clear();
        if (!InlineSplitter.TrySplit(line, args))
        {
            error = RespParser.ErrUnbalancedQuotes.ToArray();
            return ParseStatus.Error;
        }
        return ParseStatus.Complete;
    }

    private ParseStatus FeedMultibulk(ref ReadOnlySequence<byte> input, ArgumentList args, RespLimits limits, bool authenticated,
        out byte[]? error)
    {
        error = null;
        if (_count < 0)
        {
            var cr = TakeLine(ref input, limits);
            if (cr < 0)
            {
                return TooLong(limits, RespParser.ErrTooBigMbulkCount, out error);
            }
            var status = RespParser.CheckMultibulkCount(_buffer.AsSpan(_scan + 1, cr - _scan - 1), limits, authenticated, out _count, out error);
            if (status == ParseStatus.Error)
            {
                return status;
            }
            _scan = cr + 2;
            if (_count <= 0)
            {
                args.Clear();
                return ParseStatus.Complete;
            }
        }
        while (_parsed < _count)
        {
            if (_bulk < 0)
            {
                if (_length == _scan)
                {
                    if (input.IsEmpty)
                    {
                        return ParseStatus.Incomplete;
                    }
                    var first = input.FirstSpan[0];
                    if (first != (byte)'$')
                    {
                        error = RespParser.ExpectedDollar(first);
                        return ParseStatus.Error;
                    }
                }
                var cr = TakeLine(ref input, limits);
                if (cr < 0)
                {
                    return TooLong(limits, RespParser.ErrTooBigBulkCount, out error);
                }
                var status = RespParser.CheckBulkLength(_buffer.AsSpan(_scan + 1, cr - _scan - 1), limits, authenticated, out _bulk, out error);
                if (status == ParseStatus.Error)
                {
                    return status;
                }
                _scan = cr + 2;
            }
            // Redis skips the two bytes after the data without looking at them; so does this parser.
            var want = _scan + _bulk + 2 - _length;
            if (want > 0)
            {
                var take = Math.Min(want, input.Length);
                Append(input.Slice(0, take));
                input = input.Slice(take);
                if (take < want)
                {
                    return ParseStatus.Incomplete;
                }
            }
            if (_parsed == _spans.Length)
            {
                Array.Resize(ref _spans, Math.Max(16, _spans.Length * 2));
            }
            _spans[_parsed++] = (_scan, (int)_bulk);
            _scan += (int)_bulk + 2;
            _bulk = -1;
        }
        args.Clear();
        for (var i = 0; i < _parsed; i++)
        {
            args.Add(_buffer.AsMemory(_spans[i].Start, _spans[i].Length));
        }
        return ParseStatus.Complete;
    }

    /// <summary>
    /// Takes input up to a header line's '\r' and the byte after it; returns the index of the '\r' in the buffer,
    /// or -1 when the line is not whole yet (then all input was taken, up to just past the inline limit).
    /// </summary>
    private int TakeLine(ref ReadOnlySequence<byte> input, RespLimits limits)
    {
        var held = _buffer.AsSpan(_scan, _length - _scan);
        var cr = held.IndexOf((byte)'\r');
        if (cr < 0)
        {
            var position = input.PositionOf((byte)'\r');
            long take = position is null
                ? Math.Min(input.Length, Math.Max(0, limits.MaxInlineSize + 1L - held.Length))
                : Math.Min(input.Length, input.Slice(0, position.Value).Length + 2);
            Append(input.Slice(0, take));
            input = input.Slice(take);
            if (position is null)
            {
                return -1;
            }
            cr = _buffer.AsSpan(_scan, _length - _scan).IndexOf((byte)'\r');
        }
        if (_scan + cr + 1 < _length)
        {
            return _scan + cr;
        }
        if (input.IsEmpty)
        {
            return -1;
        }
        Append(input.Slice(0, 1));
        input = input.Slice(1);
        return _scan + cr;
    }

    /// <summary>A header line with no end yet: an error once it outgrows Redis' inline limit, otherwise wait.</summary>
    private ParseStatus TooLong(RespLimits limits, ReadOnlySpan<byte> tooBig, out byte[]? error)
    {
        error = null;
        if (_length - _scan > limits.MaxInlineSize)
        {
            error = tooBig.ToArray();
            return ParseStatus.Error;
        }
        return ParseStatus.Incomplete;
    }

    private void Append(ReadOnlySequence<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }
        var need = _length + bytes.Length;
        if (need > _buffer.Length)
        {
            Grow(need);
        }
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length = (int)need;
        Scanned += bytes.Length;
    }

    private void Grow(long need)
    {
        if (need > Array.MaxLength)
        {
            // The connection closes a client at client-query-buffer-limit, which it keeps below this.
            throw new InvalidOperationException("a request outgrew the largest array");
        }
        var size = (int)Math.Min(Array.MaxLength, Math.Max(need, Math.Max(4096, _buffer.Length * 2L)));
        var pooled = size <= PooledMaxBytes;
        var next = pooled ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
        _buffer.AsSpan(0, _length).CopyTo(next);
        if (_pooled && !_shared)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _shared = false;
        _buffer = next;
        _pooled = pooled;
    }
}
