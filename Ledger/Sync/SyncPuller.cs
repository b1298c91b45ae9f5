using IceFire.Ledger.Protocol;
using IceFire.Ledger.Verification;

namespace IceFire.Ledger.Sync;

/// <summary>
/// The asking side of incremental sync, as a state machine with no I/O and no clock (like the Raft core): the host
/// sends what <see cref="Start"/>, <see cref="Step"/> and <see cref="Retry"/> return to one peer, feeds that peer's
/// answers to <see cref="Step"/>, and calls <see cref="Retry"/> when it judges an answer lost. It learns the peer's
/// heads, asks for what the ledger lacks in batches (one request outstanding at a time), adds what arrives, and
/// parks an entry whose parents have not arrived until they do, asking for them. Entries go through
/// <see cref="DagLedger.Add"/>, so a peer cannot make the ledger store anything it would not accept directly.
/// Not thread-safe: one host thread drives it.
/// </summary>
public sealed class SyncPuller
{
    private readonly DagLedger _ledger;
    private readonly SyncOptions _options;
    private readonly List<Digest> _wanted = [];
    private readonly HashSet<Digest> _wantedSet = [];
    private readonly HashSet<Digest> _inFlight = [];
    private readonly Dictionary<Digest, byte[]> _parked = [];
    private readonly Dictionary<Digest, HashSet<Digest>> _waitingOn = [];
    private bool _headsKnown;

    public SyncPuller(DagLedger ledger, SyncOptions? options = null)
    {
        _ledger = ledger;
        _options = options ?? new SyncOptions();
    }

    /// <summary>Entries added to the ledger by this session.</summary>
    public int Added { get; private set; }

    /// <summary>Entries received that the ledger already held.</summary>
    public int Duplicates { get; private set; }

    /// <summary>Entries received that the ledger refused (see the ledger's counters for reasons).</summary>
    public int Rejected { get; private set; }

    /// <summary>Ids the peer said it does not hold.</summary>
    public int NotFound { get; private set; }

    /// <summary>Entries that would have waited for parents when <see cref="SyncOptions.MaxParked"/> were already waiting.</summary>
    public int Dropped { get; private set; }

    /// <summary>Entries waiting for parents.</summary>
    public int Parked => _parked.Count;

    /// <summary>
    /// Whether the session has nothing left to do: the peer's heads are known and nothing is wanted or in flight.
    /// Entries still parked then wait for parents the peer did not have or that were refused.
    /// </summary>
    public bool Done => _headsKnown && _wanted.Count == 0 && _inFlight.Count == 0;

    /// <summary>The first message: ask for the peer's heads.</summary>
    public SyncMessage Start() => new() { HeadsRequest = new HeadsRequest() };

    /// <summary>Takes one message from the peer and returns what to send next (empty when waiting or done).</summary>
    public IReadOnlyList<SyncMessage> Step(SyncMessage message)
    {
        switch (message.KindCase)
        {
            case SyncMessage.KindOneofCase.Heads:
                _headsKnown = true;
                foreach (var id in message.Heads.Ids)
                {
                    if (id.Length == Digest.Length)
                    {
                        Want(Digest.Read(id.Span));
                    }
                }
                break;
            case SyncMessage.KindOneofCase.Entries:
                foreach (var entry in message.Entries.Entries_)
                {
                    Offer(entry.ToByteArray());
                }
                foreach (var id in message.Entries.NotFound)
                {
                    if (id.Length == Digest.Length && _inFlight.Remove(Digest.Read(id.Span)))
                    {
                        NotFound++;
                    }
                }
                // Anything asked for and not answered is asked again.
                foreach (var id in _inFlight)
                {
                    Want(id, force: true);
                }
                _inFlight.Clear();
                break;
            default:
                return [];
        }
        return NextRequest();
    }

    /// <summary>The last request again (or the heads request) after the host judged the answer lost.</summary>
    public IReadOnlyList<SyncMessage> Retry()
    {
        if (!_headsKnown)
        {
            return [Start()];
        }
        foreach (var id in _inFlight)
        {
            Want(id, force: true);
        }
        _inFlight.Clear();
        return NextRequest();
    }

    private IReadOnlyList<SyncMessage> NextRequest()
    {
        if (_inFlight.Count > 0 || _wanted.Count == 0)
        {
            return [];
        }
        var request = new EntriesRequest();
        var take = Math.Min(_options.BatchSize, _wanted.Count);
        for (var i = 0; i < take; i++)
        {
            var id = _wanted[i];
            _wantedSet.Remove(id);
            _inFlight.Add(id);
            request.Ids.Add(id.ToByteString());
        }
        _wanted.RemoveRange(0, take);
        foreach (var head in _ledger.AllHeads())
        {
            request.Have.Add(head.ToByteString());
        }
        return [new SyncMessage { EntriesRequest = request }];
    }

    private void Want(Digest id, bool force = false)
    {
        if ((!force && _inFlight.Contains(id)) || _parked.ContainsKey(id) || _wantedSet.Contains(id) || _ledger.Contains(id))
        {
            return;
        }
        _wantedSet.Add(id);
        _wanted.Add(id);
    }

    private void Offer(byte[] entry)
    {
        var id = Digest.Of(entry);
        _inFlight.Remove(id);
        if (_wantedSet.Remove(id))
        {
            _wanted.Remove(id);
        }
        var ready = new Stack<(Digest Id, byte[] Bytes)>();
        ready.Push((id, entry));
        while (ready.TryPop(out var next))
        {
            var result = _ledger.Add(next.Bytes);
            switch (result.Status)
            {
                case AddStatus.Added:
                    Added++;
                    Release(next.Id, ready);
                    break;
                case AddStatus.Duplicate:
                    Duplicates++;
                    Release(next.Id, ready);
                    break;
                case AddStatus.MissingParents:
                    if (_parked.Count >= _options.MaxParked && !_parked.ContainsKey(next.Id))
                    {
                        Dropped++;
                        break;
                    }
                    _parked[next.Id] = next.Bytes;
                    foreach (var parent in result.MissingParents)
                    {
                        if (!_waitingOn.TryGetValue(parent, out var children))
                        {
                            _waitingOn[parent] = children = [];
                        }
                        children.Add(next.Id);
                        Want(parent);
                    }
                    break;
                default:
                    Rejected++;
                    break;
            }
        }
    }

    /// <summary>Entries parked on <paramref name="parent"/> are tried again now that it is stored.</summary>
    private void Release(Digest parent, Stack<(Digest, byte[])> ready)
    {
        if (!_waitingOn.Remove(parent, out var children))
        {
            return;
        }
        foreach (var child in children)
        {
            if (_parked.Remove(child, out var bytes))
            {
                ready.Push((child, bytes));
            }
        }
    }
}
