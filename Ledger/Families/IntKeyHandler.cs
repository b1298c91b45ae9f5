using Google.Protobuf;
using IceFire.Ledger.Building;
using IceFire.Ledger.Crypto;
using IceFire.Ledger.Families.IntKeyProtocol;
using IceFire.Ledger.Format;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.State;

namespace IceFire.Ledger.Families;

/// <summary>
/// Sawtooth's intkey family: <c>set</c> creates a named integer, <c>inc</c> and <c>dec</c> change an existing one;
/// names are 1 to 20 characters, values and results stay within 0 to 2^32-1, and anything else is an invalid
/// transaction that changes nothing.
/// </summary>
public sealed class IntKeyHandler : ITransactionHandler
{
    /// <summary>The family name.</summary>
    public const string Name = "intkey";

    /// <summary>The one version.</summary>
    public const string Version = "1.0";

    /// <summary>Largest value and result.</summary>
    public const ulong MaxValue = uint.MaxValue;

    private const int MaxNameLength = 20;

    public string FamilyName => Name;

    public IReadOnlyList<string> FamilyVersions { get; } = [Version];

    /// <summary>The address of <paramref name="name"/>.</summary>
    public static byte[] AddressOf(string name) => Addressing.Address(Name, name);

    /// <summary>A signed intkey transaction declaring the name's address as its only input and output.</summary>
    public static Transaction Transaction(ISigningKey signer, string verb, string name, ulong value, ReadOnlySpan<byte> nonce)
    {
        var payload = new IntKeyPayload { Verb = verb, Name = name, Value = value }.ToByteArray();
        var address = Addressing.ToHex(AddressOf(name));
        return TransactionBuilder.Create(signer, Name, Version, payload, [address], [address], nonce);
    }

    /// <summary>Reads the value of <paramref name="name"/> from an address's stored state.</summary>
    public static bool TryReadValue(ReadOnlySpan<byte> stored, string name, out ulong value)
    {
        foreach (var entry in IntKeyState.Parser.ParseFrom(stored).Values)
        {
            if (entry.Name == name)
            {
                value = entry.Value;
                return true;
            }
        }
        value = 0;
        return false;
    }

    public HandlerResult Apply(ParsedTransaction transaction, IStateContext state)
    {
        IntKeyPayload payload;
        try
        {
            payload = IntKeyPayload.Parser.ParseFrom(transaction.Transaction.Payload);
        }
        catch (InvalidProtocolBufferException)
        {
            return HandlerResult.Invalid("payload is not an intkey payload");
        }
        if (payload.Name.Length is 0 or > MaxNameLength)
        {
            return HandlerResult.Invalid($"Name must be between 1 and {MaxNameLength} characters");
        }
        if (payload.Value > MaxValue)
        {
            return HandlerResult.Invalid($"Value must be between 0 and {MaxValue}");
        }
        var address = AddressOf(payload.Name);
        var access = state.TryGet(address, out var stored);
        if (access == StateAccess.Denied)
        {
            return HandlerResult.Invalid("address outside the declared inputs");
        }
        var values = access == StateAccess.Ok ? IntKeyState.Parser.ParseFrom(stored) : new IntKeyState();
        var index = Find(values, payload.Name);
        ulong next;
        switch (payload.Verb)
        {
            case "set":
                if (index >= 0)
                {
                    return HandlerResult.Invalid($"Verb is 'set', but already exists: Name: {payload.Name}, Value {values.Values[index].Value}");
                }
                next = payload.Value;
                break;
            case "inc":
                if (index < 0)
                {
                    return HandlerResult.Invalid($"Verb is 'inc' but Name not in state: Name: {payload.Name}");
                }
                next = values.Values[index].Value + payload.Value;
                if (next > MaxValue)
                {
                    return HandlerResult.Invalid($"Verb is 'inc', but result would be greater than {MaxValue}");
                }
                break;
            case "dec":
                if (index < 0)
                {
                    return HandlerResult.Invalid($"Verb is 'dec' but Name not in state: Name: {payload.Name}");
                }
                if (values.Values[index].Value < payload.Value)
                {
                    return HandlerResult.Invalid("Verb is 'dec', but result would be less than 0");
                }
                next = values.Values[index].Value - payload.Value;
                break;
            default:
                return HandlerResult.Invalid($"Verb must be 'set', 'inc' or 'dec', not '{payload.Verb}'");
        }
        if (index >= 0)
        {
            values.Values[index].Value = next;
        }
        else
        {
            values.Values.Insert(~index, new IntKeyValue { Name = payload.Name, Value = next });
        }
        return state.Set(address, values.ToByteArray()) == StateAccess.Ok
            ? HandlerResult.Ok
            : HandlerResult.Invalid("address outside the declared outputs");
    }

    /// <summary>The index of <paramref name="name"/> in the sorted values, or the complement of where it would go.</summary>
    private static int Find(IntKeyState state, string name)
    {
        for (var i = 0; i < state.Values.Count; i++)
        {
            var c = string.CompareOrdinal(state.Values[i].Name, name);
            if (c == 0)
            {
                return i;
            }
            if (c > 0)
            {
                return ~i;
            }
        }
        return ~state.Values.Count;
    }
}
