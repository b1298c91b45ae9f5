namespace IceFire.Ledger.Verification;

/// <summary>What a ledger has done with the entries offered to it since it was opened. Safe to read from any thread.</summary>
public sealed class LedgerCounters
{
    private readonly long[] _rejected = new long[Enum.GetValues<RejectReason>().Length + 1];
    private long _added;
    private long _duplicates;
    private long _missingParents;

    /// <summary>Entries verified and stored.</summary>
    public long Added => Interlocked.Read(ref _added);

    /// <summary>Entries offered again.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Entries answered with missing parents.</summary>
    public long MissingParents => Interlocked.Read(ref _missingParents);

    /// <summary>Entries refused, for any reason.</summary>
    public long RejectedTotal
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _rejected.Length; i++)
            {
                total += Interlocked.Read(ref _rejected[i]);
            }
            return total;
        }
    }

    /// <summary>Entries refused for <paramref name="reason"/>.</summary>
    public long Rejected(RejectReason reason) => Interlocked.Read(ref _rejected[Slot(reason)]);

    internal void Count(in AddResult result)
    {
        switch (result.Status)
        {
            case AddStatus.Added:
                Interlocked.Increment(ref _added);
                break;
            case AddStatus.Duplicate:
                Interlocked.Increment(ref _duplicates);
                break;
            case AddStatus.MissingParents:
                Interlocked.Increment(ref _missingParents);
                break;
            case AddStatus.Rejected:
                Interlocked.Increment(ref _rejected[Slot(result.Rejection.Reason)]);
                break;
        }
    }

    /// <summary>The counter of <paramref name="reason"/>; reasons outside the enum share the last one.</summary>
    private int Slot(RejectReason reason)
    {
        var i = (int)reason;
        return i >= 0 && i < _rejected.Length - 1 ? i : _rejected.Length - 1;
    }
}
