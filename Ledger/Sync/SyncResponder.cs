using IceFire.Ledger.Protocol;

namespace IceFire.Ledger.Sync;

/// <summary>
/// The answering side of incremental sync: a pure function of the ledger and the request. Heads requests get the
/// heads of every nest; entries requests get the entries asked for, ids not held named as not found, and as many of
/// their ancestors as fit, walking parent links back until the asker's heads, all sorted in the ledger's total
/// order so that parents come before children.
/// </summary>
public static class SyncResponder
{
    /// <summary>The answer to <paramref name="request"/>; null for a message that is not a request.</summary>
    public static SyncMessage? Answer(DagLedger ledger, SyncMessage request, SyncOptions? options = null)
    {
        options ??= new SyncOptions();
        switch (request.KindCase)
        {
            case SyncMessage.KindOneofCase.HeadsRequest:
                var heads = new Heads();
                foreach (var id in ledger.AllHeads())
                {
                    heads.Ids.Add(id.ToByteString());
                }
                return new SyncMessage { Heads = heads };
            case SyncMessage.KindOneofCase.EntriesRequest:
                return new SyncMessage { Entries = AnswerEntries(ledger, request.EntriesRequest, options) };
            default:
                return null;
        }
    }

    private static Entries AnswerEntries(DagLedger ledger, EntriesRequest request, SyncOptions options)
    {
        var answer = new Entries();
        var have = new HashSet<Digest>();
        foreach (var id in request.Have)
        {
            if (id.Length == Digest.Length)
            {
                have.Add(Digest.Read(id.Span));
            }
        }
        var found = new SortedDictionary<(ulong Height, Digest Id), byte[]>();
        var seen = new HashSet<Digest>();
        var walk = new Queue<Digest>();
        long bytes = 0;
        // The asked-for entries always go, up to the batch size an asker may use.
        for (var i = 0; i < request.Ids.Count && i < options.BatchSize; i++)
        {
            var raw = request.Ids[i];
            if (raw.Length != Digest.Length || !seen.Add(Digest.Read(raw.Span)))
            {
                continue;
            }
            var id = Digest.Read(raw.Span);
            if (!ledger.TryGetEntry(id, out var entry))
            {
                answer.NotFound.Add(raw);
                continue;
            }
            var header = Header(entry);
            found[(header.Height, id)] = entry;
            bytes += entry.Length;
            EnqueueParents(header, walk);
        }
        while (walk.TryDequeue(out var id) && found.Count < options.MaxEntriesPerAnswer)
        {
            if (have.Contains(id) || !seen.Add(id) || !ledger.TryGetEntry(id, out var entry))
            {
                continue;
            }
            if (bytes + entry.Length > options.MaxAnswerBytes)
            {
                break;
            }
            var header = Header(entry);
            found[(header.Height, id)] = entry;
            bytes += entry.Length;
            EnqueueParents(header, walk);
        }
        foreach (var entry in found.Values)
        {
            answer.Entries_.Add(Google.Protobuf.ByteString.CopyFrom(entry));
        }
        return answer;
    }

    private static EntryHeader Header(byte[] stored) => EntryHeader.Parser.ParseFrom(Entry.Parser.ParseFrom(stored).Header);

    private static void EnqueueParents(EntryHeader header, Queue<Digest> walk)
    {
        foreach (var parent in header.Parents)
        {
            walk.Enqueue(Digest.Read(parent.Span));
        }
    }
}
