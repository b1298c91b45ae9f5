using IceFire.Ledger.Families.IntKeyProtocol;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.Storage.Records;
using IceFire.Ledger.Verification;

namespace IceFire.Ledger.Tests;

/// <summary>Numbers that reach disk or the wire are append-only: changing one breaks stored ledgers and peers.</summary>
public sealed class NumbersTests
{
    private static string Fields(Google.Protobuf.Reflection.MessageDescriptor d) =>
        string.Join(",", d.Fields.InFieldNumberOrder().Select(f => $"{f.FieldNumber}:{f.Name}"));

    [Fact]
    public void ProtobufFieldNumbersAreFixed()
    {
        Assert.Equal("1:family_name,2:family_version,3:signature_scheme,4:signer_public_key,5:inputs,6:outputs,7:dependencies,8:nonce,9:payload_sha256", Fields(TransactionHeader.Descriptor));
        Assert.Equal("1:header,2:header_signature,3:payload", Fields(Transaction.Descriptor));
        Assert.Equal("1:status,2:message", Fields(TransactionResult.Descriptor));
        Assert.Equal("1:transactions", Fields(EntryBody.Descriptor));
        Assert.Equal("1:body_sha256,2:signer_scheme,3:signer_public_key,4:parents,5:nest,6:height,7:results,8:genesis", Fields(EntryHeader.Descriptor));
        Assert.Equal("1:header,2:signature,3:body", Fields(Entry.Descriptor));
        Assert.Equal("1:scheme,2:public_key", Fields(NodeKey.Descriptor));
        Assert.Equal("1:name,2:versions", Fields(FamilyVersions.Descriptor));
        Assert.Equal("1:name,2:families", Fields(Nest.Descriptor));
        Assert.Equal("1:ledger_id,2:sequence,3:node_keys,4:families,5:nests", Fields(Setup.Descriptor));
        Assert.Equal("1:key,2:signature", Fields(SettingsApproval.Descriptor));
        Assert.Equal("1:proposal,2:approvals", Fields(SettingsChange.Descriptor));
        Assert.Equal("1:heads_request,2:heads,3:entries_request,4:entries", Fields(SyncMessage.Descriptor));
        Assert.Equal("1:ids", Fields(Heads.Descriptor));
        Assert.Equal("1:ids,2:have", Fields(EntriesRequest.Descriptor));
        Assert.Equal("1:entries,2:not_found", Fields(Protocol.Entries.Descriptor));
        Assert.Equal("1:height,2:nest,3:settings_id,4:settings_sequence", Fields(EntryMeta.Descriptor));
        Assert.Equal("1:address,2:existed,3:previous", Fields(UndoWrite.Descriptor));
        Assert.Equal("1:writes", Fields(UndoRecord.Descriptor));
        Assert.Equal("1:results", Fields(AppliedResults.Descriptor));
        Assert.Equal("1:verb,2:name,3:value", Fields(IntKeyPayload.Descriptor));
        Assert.Equal("1:name,2:value", Fields(IntKeyValue.Descriptor));
        Assert.Equal("1:values", Fields(IntKeyState.Descriptor));
    }

    [Fact]
    public void EnumValuesAreFixed()
    {
        Assert.Equal([(0, "Unspecified"), (1, "Ed25519"), (2, "Secp256K1")], Enum.GetValues<SignatureScheme>().Select(v => ((int)v, v.ToString())));
        Assert.Equal([(0, "Unspecified"), (1, "Valid"), (2, "Invalid")], Enum.GetValues<TransactionStatus>().Select(v => ((int)v, v.ToString())));
        Assert.Equal([(1, "Added"), (2, "Duplicate"), (3, "MissingParents"), (4, "Rejected")], Enum.GetValues<AddStatus>().Select(v => ((int)v, v.ToString())));
        Assert.Equal(
            [(0, "None"), (1, "Malformed"), (2, "NonCanonical"), (3, "BodyHashMismatch"), (4, "PayloadHashMismatch"), (5, "BadEntrySignature"),
             (6, "BadTransactionSignature"), (7, "SignerNotAllowed"), (8, "UnknownFamily"), (9, "FamilyVersionNotEnabled"), (10, "NestMismatch"),
             (11, "BadHeight"), (12, "SettingsQuorum"), (13, "SettingsInvalid"), (14, "ReplayedNonce"), (15, "MissingDependency"),
             (16, "WrongGenesis"), (17, "Oversize")],
            Enum.GetValues<RejectReason>().Select(v => ((int)v, v.ToString())));
    }

    [Fact]
    public void SawtoothAddressesAreReproduced()
    {
        // Sawtooth's intkey namespace: the first 6 hex digits of SHA-512("intkey").
        Assert.Equal("1cf126", State.Addressing.NamespacePrefix("intkey"));
        var address = State.Addressing.ToHex(Families.IntKeyHandler.AddressOf("foo"));
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData("foo"u8));
        Assert.Equal("1cf126" + hash[^64..], address);
    }
}
