using Google.Protobuf;
using IceFire.Raft.Transport.Wire;

namespace IceFire.Raft.Transport;

/// <summary>Maps <see cref="Message"/> to and from protobuf, folding heartbeats into the frame's compact lists.</summary>
internal static class WireCodec
{
    /// <summary>Adds a message of <paramref name="group"/> to <paramref name="frame"/>; returns its approximate size.</summary>
    public static int Add(WireFrame frame, ulong group, Message m)
    {
        switch (m.Type)
        {
            case MessageType.Heartbeat:
                frame.Heartbeats.Add(new WireHeartbeat { Group = group, Term = m.Term, Commit = m.Commit, Context = m.Context, Quiesce = m.Quiesce });
                return 24;
            case MessageType.HeartbeatResponse:
                frame.HeartbeatResponses.Add(new WireHeartbeat { Group = group, Term = m.Term, Context = m.Context, Quiesce = m.Quiesce });
                return 16;
        }

        var w = new WireMessage
        {
            Group = group,
            Type = (int)m.Type,
            From = m.From,
            To = m.To,
            Term = m.Term,
            LogTerm = m.LogTerm,
            Index = m.Index,
            Commit = m.Commit,
            Reject = m.Reject,
            RejectHint = m.RejectHint,
            Context = m.Context,
            Offset = m.Offset,
            Done = m.Done,
        };
        var size = 64;
        foreach (var e in m.Entries)
        {
            // Entries and chunks are immutable once created, so the bytes can be wrapped instead of copied.
            w.Entries.Add(new WireEntry { Index = e.Index, Term = e.Term, Type = (int)e.Type, Data = UnsafeByteOperations.UnsafeWrap(e.Data) });
            size += 24 + e.Data.Length;
        }

        if (m.NeedsSnapshotData) throw new InvalidOperationException("a snapshot chunk must be filled from storage before it is sent (Message.ChunkLength)");
        if (m.Snapshot is { } s)
        {
            var conf = new WireConfState();
            conf.Voters.AddRange(s.Config.Voters);
            conf.Learners.AddRange(s.Config.Learners);
            w.Snapshot = new WireSnapshotMetadata { Index = s.Index, Term = s.Term, Config = conf };
            w.Data = UnsafeByteOperations.UnsafeWrap(m.Data);
            size += m.Data.Length;
        }

        frame.Messages.Add(w);
        return size;
    }

    /// <summary>
    /// Decodes every message of a frame received from <paramref name="peer"/> by <paramref name="local"/>. Messages
    /// that name other nodes or unknown types are skipped and counted in <paramref name="invalid"/>.
    /// </summary>
    public static List<(ulong Group, Message Message)> Unpack(WireFrame frame, ulong peer, ulong local, out int invalid)
    {
        invalid = 0;
        var result = new List<(ulong, Message)>(frame.Messages.Count + frame.Heartbeats.Count + frame.HeartbeatResponses.Count);
        foreach (var h in frame.Heartbeats)
            result.Add((h.Group, new Message { Type = MessageType.Heartbeat, From = peer, To = local, Term = h.Term, Commit = h.Commit, Context = h.Context, Quiesce = h.Quiesce }));
        foreach (var h in frame.HeartbeatResponses)
            result.Add((h.Group, new Message { Type = MessageType.HeartbeatResponse, From = peer, To = local, Term = h.Term, Context = h.Context, Quiesce = h.Quiesce }));
        foreach (var w in frame.Messages)
        {
            if (w.From != peer || w.To != local || !Enum.IsDefined((MessageType)w.Type) || (w.Snapshot is null && (MessageType)w.Type == MessageType.Snapshot))
            {
                invalid++;
                continue;
            }

            var entries = w.Entries.Count == 0 ? [] : new Entry[w.Entries.Count];
            var bad = false;
            for (var i = 0; i < w.Entries.Count; i++)
            {
                var e = w.Entries[i];
                if (!Enum.IsDefined((EntryType)e.Type)) bad = true;
                entries[i] = new Entry(e.Index, e.Term, (EntryType)e.Type, e.Data.ToByteArray());
            }

            if (bad)
            {
                invalid++;
                continue;
            }

            result.Add((w.Group, new Message
            {
                Type = (MessageType)w.Type,
                From = w.From,
                To = w.To,
                Term = w.Term,
                LogTerm = w.LogTerm,
                Index = w.Index,
                Entries = entries,
                Commit = w.Commit,
                Reject = w.Reject,
                RejectHint = w.RejectHint,
                Context = w.Context,
                Snapshot = w.Snapshot is { } s ? new SnapshotMetadata(s.Index, s.Term, new ConfState(s.Config?.Voters ?? [], s.Config?.Learners ?? [])) : null,
                Offset = w.Offset,
                Data = w.Data.IsEmpty ? [] : w.Data.ToByteArray(),
                Done = w.Done,
            }));
        }

        return result;
    }
}
