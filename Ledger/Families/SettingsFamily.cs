using Google.Protobuf;
using IceFire.Ledger.Building;
using IceFire.Ledger.Crypto;
using IceFire.Ledger.Protocol;

namespace IceFire.Ledger.Families;

/// <summary>
/// The built-in family that changes the ledger's setup. Its payload is a <see cref="SettingsChange"/>: the proposed
/// setup's bytes and approvals of those bytes by allowed node keys. A change is accepted only with valid approvals
/// from more than half of the keys allowed by the setup in force at the entry's parents, and only as the next
/// sequence of that setup, so an old approval cannot be replayed. It is enabled in every ledger and every nest.
/// </summary>
public static class SettingsFamily
{
    /// <summary>The family name.</summary>
    public const string Name = "settings";

    /// <summary>The one version.</summary>
    public const string Version = "1.0";

    /// <summary>Approves <paramref name="proposal"/> (the bytes of a setup) with <paramref name="node"/>'s key.</summary>
    public static SettingsApproval Approve(ISigningKey node, ByteString proposal) =>
        new() { Key = EntryBuilder.KeyOf(node), Signature = ByteString.CopyFrom(node.Sign(proposal.Span)) };

    /// <summary>
    /// The payload proposing <paramref name="next"/> (whose sequence must be one more than the setup in force),
    /// approved by each of <paramref name="approvers"/>.
    /// </summary>
    public static byte[] Payload(Setup next, IEnumerable<ISigningKey> approvers)
    {
        var proposal = next.ToByteString();
        var approvals = new List<SettingsApproval>();
        foreach (var approver in approvers)
        {
            approvals.Add(Approve(approver, proposal));
        }
        approvals.Sort((a, b) => Format.LedgerCodec.CompareKeys(a.Key, b.Key));
        var change = new SettingsChange { Proposal = proposal };
        change.Approvals.AddRange(approvals);
        return change.ToByteArray();
    }

    /// <summary>A signed settings transaction proposing <paramref name="next"/>.</summary>
    public static Transaction Transaction(ISigningKey signer, Setup next, IEnumerable<ISigningKey> approvers) =>
        TransactionBuilder.Create(signer, Name, Version, Payload(next, approvers), [], [], BitConverter.GetBytes(next.Sequence));
}
