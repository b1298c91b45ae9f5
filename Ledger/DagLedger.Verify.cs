using IceFire.Ledger.Crypto;
using IceFire.Ledger.Families;
using IceFire.Ledger.Format;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.Storage;
using IceFire.Ledger.Storage.Records;
using IceFire.Ledger.Verification;
using LightningDB;

namespace IceFire.Ledger;

public sealed partial class DagLedger
{
    /// <summary>What verification learned about an entry: its metadata and the setup it brings in, if any.</summary>
    private readonly record struct Verified(EntryMeta Meta, Google.Protobuf.ByteString? NewSetup);

    /// <summary>The checks that need the entry's parents (all present): everything is judged by the setup in force at them.</summary>
    private bool Verify(LightningTransaction txn, ParsedEntry entry, out Verified verified, out Rejection rejection)
    {
        verified = default;
        var header = entry.Header;
        EntryMeta? inForce = null;
        ulong height = 0;
        foreach (var parent in entry.Parents)
        {
            var meta = ReadMeta(txn, parent);
            height = Math.Max(height, meta.Height + 1);
            if (inForce is null || Later(meta, inForce))
            {
                inForce = meta;
            }
        }
        var setup = ReadSetup(txn, Digest.Read(inForce!.SettingsId.Span));
        if (!Allows(setup, header.SignerScheme, header.SignerPublicKey.Span, out rejection))
        {
            return false;
        }
        if (header.Height != height)
        {
            return Fail(RejectReason.BadHeight, $"height {header.Height}, but its parents put it at {height}", out rejection);
        }
        var nest = FindNest(setup, header.Nest);
        if (nest is null)
        {
            return Fail(RejectReason.NestMismatch, $"nest \"{header.Nest}\" is not configured", out rejection);
        }
        var current = setup;
        var settingsId = inForce.SettingsId;
        Google.Protobuf.ByteString? newSetup = null;
        var nonces = new HashSet<Digest>();
        var earlier = new HashSet<Digest>();
        for (var i = 0; i < entry.Transactions.Count; i++)
        {
            var tx = entry.Transactions[i];
            if (!CheckFamily(setup, nest, tx.Header, out rejection)
                || !CheckNonce(txn, entry, tx, nonces, out rejection)
                || !CheckDependencies(txn, entry, tx, earlier, out rejection))
            {
                rejection = rejection with { Message = $"transaction {i} ({tx.Id}): {rejection.Message}" };
                return false;
            }
            earlier.Add(tx.Id);
            if (tx.Header.FamilyName != SettingsFamily.Name)
            {
                continue;
            }
            if (!CheckSettingsChange(current, tx, out var proposal, out var proposalBytes, out rejection))
            {
                rejection = rejection with { Message = $"transaction {i} ({tx.Id}): {rejection.Message}" };
                return false;
            }
            if (header.Results[i].Status == TransactionStatus.Valid)
            {
                current = proposal;
                settingsId = entry.Id.ToByteString();
                newSetup = proposalBytes;
            }
        }
        verified = new Verified(
            new EntryMeta { Height = height, Nest = header.Nest, SettingsId = settingsId, SettingsSequence = current.Sequence },
            newSetup);
        rejection = default;
        return true;
    }

    private static Nest? FindNest(Setup setup, string name)
    {
        foreach (var nest in setup.Nests)
        {
            if (nest.Name == name)
            {
                return nest;
            }
        }
        return null;
    }

    private static bool CheckFamily(Setup setup, Nest nest, TransactionHeader header, out Rejection rejection)
    {
        if (header.FamilyName == SettingsFamily.Name)
        {
            rejection = default;
            return header.FamilyVersion == SettingsFamily.Version
                || Fail(RejectReason.FamilyVersionNotEnabled, $"settings {header.FamilyVersion} is not a version of the settings family", out rejection);
        }
        FamilyVersions? family = null;
        foreach (var candidate in setup.Families)
        {
            if (candidate.Name == header.FamilyName)
            {
                family = candidate;
            }
        }
        if (family is null)
        {
            return Fail(RejectReason.UnknownFamily, $"family \"{header.FamilyName}\" is not enabled", out rejection);
        }
        if (!family.Versions.Contains(header.FamilyVersion))
        {
            return Fail(RejectReason.FamilyVersionNotEnabled, $"family \"{header.FamilyName}\" is not enabled in version {header.FamilyVersion}", out rejection);
        }
        if (!nest.Families.Contains(header.FamilyName))
        {
            return Fail(RejectReason.NestMismatch, $"family \"{header.FamilyName}\" does not belong to nest \"{nest.Name}\"", out rejection);
        }
        rejection = default;
        return true;
    }

    /// <summary>
    /// A signer's nonce may appear once in an entry and its ancestors. A concurrent entry using it too is accepted
    /// (whether it is an ancestor does not depend on arrival order); the later one in the total order is applied as
    /// invalid instead.
    /// </summary>
    private bool CheckNonce(LightningTransaction txn, ParsedEntry entry, ParsedTransaction tx, HashSet<Digest> inEntry, out Rejection rejection)
    {
        var key = NonceKey(tx.Header);
        if (!inEntry.Add(Digest.Read(key)))
        {
            return Fail(RejectReason.ReplayedNonce, "the signer's nonce is used twice in the entry", out rejection);
        }
        foreach (var earlier in txn.SuffixesAfter(_store.Nonces, key))
        {
            var other = Digest.Read(earlier);
            if (IsAncestor(txn, other, entry.Parents))
            {
                return Fail(RejectReason.ReplayedNonce, $"the signer's nonce was used in ancestor {other}", out rejection);
            }
        }
        rejection = default;
        return true;
    }

    private bool CheckDependencies(LightningTransaction txn, ParsedEntry entry, ParsedTransaction tx, HashSet<Digest> earlier, out Rejection rejection)
    {
        foreach (var bytes in tx.Header.Dependencies)
        {
            var dependency = Digest.Read(bytes.Span);
            if (earlier.Contains(dependency))
            {
                continue;
            }
            var found = false;
            foreach (var suffix in txn.SuffixesAfter(_store.Transactions, bytes.Span))
            {
                if (IsAncestor(txn, Digest.Read(suffix), entry.Parents))
                {
                    found = true;
                    break;
                }
            }
            if (!found)
            {
                return Fail(RejectReason.MissingDependency, $"dependency {dependency} is not earlier in the entry or among its ancestors", out rejection);
            }
        }
        rejection = default;
        return true;
    }

    /// <summary>A settings change: well formed, this ledger's, the next sequence, approved by a majority of the allowed keys.</summary>
    private static bool CheckSettingsChange(Setup current, ParsedTransaction tx, out Setup proposal, out Google.Protobuf.ByteString proposalBytes, out Rejection rejection)
    {
        proposalBytes = Google.Protobuf.ByteString.Empty;
        if (!LedgerCodec.TryParseSettingsChange(tx.Transaction.Payload.Span, out var change, out proposal, out rejection))
        {
            return Fail(RejectReason.SettingsInvalid, rejection.Message, out rejection);
        }
        if (proposal.LedgerId != current.LedgerId)
        {
            return Fail(RejectReason.SettingsInvalid, $"the change is for ledger \"{proposal.LedgerId}\", not \"{current.LedgerId}\"", out rejection);
        }
        if (proposal.Sequence != current.Sequence + 1)
        {
            return Fail(RejectReason.SettingsInvalid, $"the change has sequence {proposal.Sequence}; the setup in force has {current.Sequence}", out rejection);
        }
        var approvals = 0;
        foreach (var approval in change.Approvals)
        {
            if (Allows(current, approval.Key.Scheme, approval.Key.PublicKey.Span, out _)
                && SignatureSchemes.Verify(approval.Key.Scheme, approval.Key.PublicKey.Span, change.Proposal.Span, approval.Signature.Span))
            {
                approvals++;
            }
        }
        if (2 * approvals <= current.NodeKeys.Count)
        {
            return Fail(RejectReason.SettingsQuorum,
                $"{approvals} valid approvals of {current.NodeKeys.Count} allowed keys; a majority is {current.NodeKeys.Count / 2 + 1}", out rejection);
        }
        proposalBytes = change.Proposal;
        rejection = default;
        return true;
    }

    /// <summary>
    /// Whether <paramref name="candidate"/> is reachable from <paramref name="starts"/> through parent links. The walk
    /// stops at heights at or below the candidate's, since a parent is always lower than its child.
    /// </summary>
    private bool IsAncestor(LightningTransaction txn, Digest candidate, IReadOnlyList<Digest> starts)
    {
        if (!txn.TryRead(_store.Meta, candidate.ToArray(), out var bytes))
        {
            return false;
        }
        var floor = EntryMeta.Parser.ParseFrom(bytes).Height;
        var stack = new Stack<Digest>(starts);
        var visited = new HashSet<Digest>();
        while (stack.TryPop(out var id))
        {
            if (id == candidate)
            {
                return true;
            }
            if (!visited.Add(id) || ReadMeta(txn, id).Height <= floor)
            {
                continue;
            }
            foreach (var parent in txn.SuffixesAfter(_store.Parents, id.ToArray()))
            {
                stack.Push(Digest.Read(parent));
            }
        }
        return false;
    }

    private static bool Fail(RejectReason reason, string message, out Rejection rejection)
    {
        rejection = new Rejection(reason, message);
        return false;
    }
}
