namespace IceFire.Grains.Interfaces;

/// <summary>
/// Every command IceFire knows. The numbers reach the replicated log, so they are explicit and
/// append-only: never renumber, never reuse.
/// </summary>
public enum CommandId : ushort
{
    None = 0,

    // Connection and server (1..99).
    Ping = 1,
    Echo = 2,
    Hello = 3,
    Quit = 4,
    Select = 5,
    Auth = 6,
    Client = 7,
    Command = 8,
    Info = 9,
    DbSize = 10,
    FlushDb = 11,
    FlushAll = 12,
    Time = 13,
    Config = 14,
    Reset = 15,

    // Strings (100..199).
    Get = 100,
    Set = 101,
    SetNx = 102,
    SetEx = 103,
    PSetEx = 104,
    GetSet = 105,
    GetDel = 106,
    GetEx = 107,
    MGet = 108,
    MSet = 109,
    MSetNx = 110,
    Incr = 111,
    IncrBy = 112,
    Decr = 113,
    DecrBy = 114,
    IncrByFloat = 115,
    Append = 116,
    StrLen = 117,
    GetRange = 118,
    SetRange = 119,
    Substr = 120,

    // Keys (200..299).
    Del = 200,
    Unlink = 201,
    Exists = 202,
    Expire = 203,
    PExpire = 204,
    ExpireAt = 205,
    PExpireAt = 206,
    ExpireTime = 207,
    PExpireTime = 208,
    Ttl = 209,
    PTtl = 210,
    Persist = 211,
    Type = 212,
    Keys = 213,
    Scan = 214,
    Rename = 215,
    RenameNx = 216,
    RandomKey = 217,
    Copy = 218,
    Touch = 219,
}
