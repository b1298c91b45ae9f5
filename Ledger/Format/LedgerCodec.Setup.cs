using Google.Protobuf;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.Verification;

namespace IceFire.Ledger.Format;

public static partial class LedgerCodec
{
    private static readonly MessageParser<Setup> SetupParser = Setup.Parser.WithDiscardUnknownFields(true);
    private static readonly MessageParser<SettingsChange> SettingsChangeParser = SettingsChange.Parser.WithDiscardUnknownFields(true);

    /// <summary>Decodes a setup carried as bytes (a settings proposal) and checks its form.</summary>
    public static bool TryParseSetup(ReadOnlySpan<byte> bytes, out Setup setup, out Rejection rejection) =>
        Parse(SetupParser, bytes, "setup", out setup, out rejection) && CheckSetup(setup, out rejection);

    /// <summary>Decodes a settings change payload and checks its form (not its approvals).</summary>
    public static bool TryParseSettingsChange(ReadOnlySpan<byte> bytes, out SettingsChange change, out Setup proposal, out Rejection rejection)
    {
        proposal = null!;
        if (!Parse(SettingsChangeParser, bytes, "settings change", out change, out rejection)
            || !TryParseSetup(change.Proposal.Span, out proposal, out rejection))
        {
            return false;
        }
        for (var i = 0; i < change.Approvals.Count; i++)
        {
            var key = change.Approvals[i].Key;
            if (key is null || !CheckKey(key.Scheme, key.PublicKey, "approval", out rejection))
            {
                return Reject(RejectReason.Malformed, "an approval without a valid key", out rejection);
            }
            if (i > 0 && CompareKeys(change.Approvals[i - 1].Key, key) >= 0)
            {
                return Reject(RejectReason.NonCanonical, "approvals are not sorted by key and unique", out rejection);
            }
        }
        return true;
    }

    /// <summary>Orders node keys by scheme, then by key bytes: the order of every list of keys.</summary>
    public static int CompareKeys(NodeKey a, NodeKey b)
    {
        var c = a.Scheme.CompareTo(b.Scheme);
        return c != 0 ? c : a.PublicKey.Span.SequenceCompareTo(b.PublicKey.Span);
    }

    private static bool CheckSetup(Setup setup, out Rejection rejection)
    {
        if (setup.LedgerId.Length == 0)
        {
            return Reject(RejectReason.Malformed, "setup without a ledger id", out rejection);
        }
        if (setup.NodeKeys.Count == 0)
        {
            return Reject(RejectReason.Malformed, "setup allows no node keys", out rejection);
        }
        for (var i = 0; i < setup.NodeKeys.Count; i++)
        {
            if (!CheckKey(setup.NodeKeys[i].Scheme, setup.NodeKeys[i].PublicKey, "setup node key", out rejection))
            {
                return false;
            }
            if (i > 0 && CompareKeys(setup.NodeKeys[i - 1], setup.NodeKeys[i]) >= 0)
            {
                return Reject(RejectReason.NonCanonical, "setup node keys are not sorted and unique", out rejection);
            }
        }
        var names = new List<string>(setup.Families.Count);
        foreach (var family in setup.Families)
        {
            if (family.Name.Length == 0 || family.Versions.Count == 0 || !Canonical.StrictlyAscending(family.Versions))
            {
                return Reject(RejectReason.NonCanonical, $"setup family \"{family.Name}\" has no versions or unsorted ones", out rejection);
            }
            names.Add(family.Name);
        }
        if (!Canonical.StrictlyAscending(names))
        {
            return Reject(RejectReason.NonCanonical, "setup families are not sorted by name and unique", out rejection);
        }
        names.Clear();
        foreach (var nest in setup.Nests)
        {
            if (!Canonical.StrictlyAscending(nest.Families))
            {
                return Reject(RejectReason.NonCanonical, $"families of nest \"{nest.Name}\" are not sorted and unique", out rejection);
            }
            names.Add(nest.Name);
        }
        if (setup.Nests.Count == 0 || !Canonical.StrictlyAscending(names))
        {
            return Reject(RejectReason.NonCanonical, "setup nests are missing, or not sorted by name and unique", out rejection);
        }
        rejection = default;
        return true;
    }
}
