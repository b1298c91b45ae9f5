namespace IceFire.Ledger.Verification;

/// <summary>A refusal: its reason and a message naming what was wrong.</summary>
public readonly record struct Rejection(RejectReason Reason, string Message)
{
    public override string ToString() => $"{Reason}: {Message}";
}
