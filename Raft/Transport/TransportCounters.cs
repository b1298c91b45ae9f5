namespace IceFire.Raft.Transport;

/// <summary>What a transport did and dropped; safe to read from any thread.</summary>
public sealed class TransportCounters
{
    private long _framesSent;
    private long _framesReceived;
    private long _messagesSent;
    private long _messagesDropped;
    private long _corruptFrames;
    private long _invalidMessages;
    private long _rejectedConnections;
    private long _connectsMade;

    /// <summary>Frames written (each may carry many messages and heartbeats).</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Frames read and decoded.</summary>
    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    /// <summary>Messages written, heartbeats included.</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    /// <summary>Messages dropped for lack of a link or a full queue.</summary>
    public long MessagesDropped => Interlocked.Read(ref _messagesDropped);

    /// <summary>Frames that could not be decoded (the connection was closed).</summary>
    public long CorruptFrames => Interlocked.Read(ref _corruptFrames);

    /// <summary>Decoded messages naming the wrong nodes or unknown types.</summary>
    public long InvalidMessages => Interlocked.Read(ref _invalidMessages);

    /// <summary>Incoming connections refused (unknown or blocked peer, bad hello).</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejectedConnections);

    /// <summary>Outgoing connections established.</summary>
    public long ConnectsMade => Interlocked.Read(ref _connectsMade);

    internal void FrameSent(int messages)
    {
        Interlocked.Increment(ref _framesSent);
        Interlocked.Add(ref _messagesSent, messages);
    }

    internal void FrameReceived() => Interlocked.Increment(ref _framesReceived);

    internal void Dropped(int n = 1) => Interlocked.Add(ref _messagesDropped, n);

    internal void Corrupt() => Interlocked.Increment(ref _corruptFrames);

    internal void Invalid(int n) => Interlocked.Add(ref _invalidMessages, n);

    internal void Rejected() => Interlocked.Increment(ref _rejectedConnections);

    internal void Connected() => Interlocked.Increment(ref _connectsMade);
}
