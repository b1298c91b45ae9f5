namespace IceFire.Grains.Interfaces;

/// <summary>Redis' error replies, as complete frames, byte for byte as redis-server 7 sends them.</summary>
public static class Errors
{
    public static ReadOnlySpan<byte> WrongType => "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"u8;
    public static ReadOnlySpan<byte> Syntax => "-ERR syntax error\r\n"u8;
    public static ReadOnlySpan<byte> NotInteger => "-ERR value is not an integer or out of range\r\n"u8;
    public static ReadOnlySpan<byte> NotFloat => "-ERR value is not a valid float\r\n"u8;
    public static ReadOnlySpan<byte> Overflow => "-ERR increment or decrement would overflow\r\n"u8;
    public static ReadOnlySpan<byte> NanOrInfinity => "-ERR increment would produce NaN or Infinity\r\n"u8;
    public static ReadOnlySpan<byte> NoSuchKey => "-ERR no such key\r\n"u8;
    public static ReadOnlySpan<byte> DbIndexOutOfRange => "-ERR DB index is out of range\r\n"u8;
    public static ReadOnlySpan<byte> InvalidCursor => "-ERR invalid cursor\r\n"u8;
    public static ReadOnlySpan<byte> OffsetOutOfRange => "-ERR offset is out of range\r\n"u8;
    public static ReadOnlySpan<byte> StringTooLong => "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"u8;
    public static ReadOnlySpan<byte> NoAuth => "-NOAUTH Authentication required.\r\n"u8;
    public static ReadOnlySpan<byte> WrongPass => "-WRONGPASS invalid username-password pair or user is disabled.\r\n"u8;
    public static ReadOnlySpan<byte> NoPasswordConfigured =>
        "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n"u8;
    public static ReadOnlySpan<byte> NoProto => "-NOPROTO unsupported protocol version\r\n"u8;
    public static ReadOnlySpan<byte> SameObject => "-ERR source and destination objects are the same\r\n"u8;
    public static ReadOnlySpan<byte> Timeout => "-ERR timeout is not a float or out of range\r\n"u8;
}
