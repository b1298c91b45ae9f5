using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace IceFire.Grains.Interfaces;

/// <summary>Delays of <see cref="LoginThrottle"/>.</summary>
public sealed record LoginThrottleOptions
{
    /// <summary>The delay of the second failure in a row; each further failure doubles it.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The longest delay of one failed login.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A source or tenant with no failure for this long starts again from no delay.</summary>
    public TimeSpan QuietPeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Most sources (and, separately, tenant names) tracked at once; past it, new ones share one counter, so a flood of
    /// names or addresses costs bounded memory and is throttled as one.
    /// </summary>
    public int MaxTracked { get; init; } = 100_000;
}

/// <summary>
/// Slows password guessing, shared by every gateway of a silo (RESP AUTH and HELLO, SQL logins). A failed login is
/// counted against its source (the client's IP address; an IPv6 client by its /64) and against the tenant name it
/// tried, whether or not that tenant exists, so the delay does not tell either. The n-th failure in a row of either
/// is answered after <c>BaseDelay * 2^(n-2)</c>, at most <c>MaxDelay</c>; the first is not delayed. A successful
/// login resets the tenant's count; a source's count is forgotten after a quiet period (a success does not reset it,
/// or a client holding one tenant's password could clear its count between guesses at another's).
/// </summary>
/// <remarks>
/// Only the failing connection waits, and it waits without a thread (the caller awaits <see cref="DelayAsync"/>
/// before it replies). Thread-safe.
/// </remarks>
public sealed class LoginThrottle
{
    private const string Overflow = "\0overflow";

    // No tenant name is longer (TenantName.MaxLength): longer ones share one counter, so a name costs bounded memory.
    private const int MaxNameLength = 64;
    private const string LongName = "\0long";

    private readonly LoginThrottleOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Counter> _sources = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Counter> _tenants = new(StringComparer.Ordinal);
    private long _failures;
    private long _throttled;
    // One per table: a sweep of one must not use up the other's turn, or with both full one would never be swept.
    private long _lastSourceSweep;
    private long _lastTenantSweep;

    /// <summary>A throttle with <paramref name="options"/> (the defaults when null) on <paramref name="time"/>'s clock.</summary>
    public LoginThrottle(LoginThrottleOptions? options = null, TimeProvider? time = null)
    {
        _options = options ?? new LoginThrottleOptions();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Failed logins since start.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Failed logins whose answer was delayed.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>Sources with failures within the quiet period (or not yet swept).</summary>
    public int TrackedSources => _sources.Count;

    /// <summary>Tenant names with failures within the quiet period (or not yet swept).</summary>
    public int TrackedTenants => _tenants.Count;

    /// <summary>The key a client's address is counted under: the IPv4 address, or an IPv6 address's /64.</summary>
    public static string SourceOf(EndPoint? remote)
    {
        if (remote is not IPEndPoint ip)
        {
            return remote?.ToString() ?? "";
        }
        var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        // One host usually holds a whole /64: counting addresses one by one would let it rotate past the throttle.
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>Records a failed login of <paramref name="source"/> as <paramref name="tenant"/>; returns how long to wait before answering it.</summary>
    public TimeSpan Failed(string source, string tenant)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(tenant);
        Interlocked.Increment(ref _failures);
        if (tenant.Length > MaxNameLength)
        {
            tenant = LongName;
        }
        var now = _time.GetUtcNow().UtcTicks;
        var inRow = Math.Max(Count(_sources, ref _lastSourceSweep, source, now), Count(_tenants, ref _lastTenantSweep, tenant, now));
        var delay = DelayFor(inRow);
        if (delay > TimeSpan.Zero)
        {
            Interlocked.Increment(ref _throttled);
        }
        return delay;
    }

    /// <summary>A successful login as <paramref name="tenant"/>: its failures no longer count.</summary>
    public void Succeeded(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        _tenants.TryRemove(tenant, out _);
    }

    /// <summary>Waits <paramref name="delay"/> on the throttle's clock, without holding a thread.</summary>
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken = default) =>
        delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, _time, cancellationToken);

    /// <summary>The delay of the <paramref name="inRow"/>-th failure in a row.</summary>
    public TimeSpan DelayFor(int inRow)
    {
        if (inRow <= 1)
        {
            return TimeSpan.Zero;
        }
        var shift = Math.Min(inRow - 2, 30);
        var ticks = _options.BaseDelay.Ticks << shift;
        return ticks <= 0 || ticks > _options.MaxDelay.Ticks ? _options.MaxDelay : TimeSpan.FromTicks(ticks);
    }

    /// <summary>
    /// Counts a failure under <paramref name="key"/> at <paramref name="now"/> (UTC ticks); returns the failures in a
    /// row, this one included.
    /// </summary>
    private int Count(ConcurrentDictionary<string, Counter> counters, ref long lastSweep, string key, long now)
    {
        if (!counters.TryGetValue(key, out var counter))
        {
            if (counters.Count >= _options.MaxTracked)
            {
                Sweep(counters, ref lastSweep, now);
                if (counters.Count >= _options.MaxTracked)
                {
                    key = Overflow;
                }
            }
            counter = counters.GetOrAdd(key, static _ => new Counter());
        }
        lock (counter)
        {
            if (counter.InRow > 0 && now - counter.LastFailure > _options.QuietPeriod.Ticks)
            {
                counter.InRow = 0;
            }
            counter.InRow = counter.InRow == int.MaxValue ? int.MaxValue : counter.InRow + 1;
            counter.LastFailure = now;
            return counter.InRow;
        }
    }

    /// <summary>Forgets the counters that have been quiet for the quiet period.</summary>
    private void Sweep(ConcurrentDictionary<string, Counter> counters, ref long lastSweep, long now)
    {
        // At most one sweep a second: under a flood of new names every failure would otherwise walk the whole table.
        var last = Interlocked.Read(ref lastSweep);
        if (last != 0 && now - last < TimeSpan.TicksPerSecond || Interlocked.CompareExchange(ref lastSweep, now, last) != last)
        {
            return;
        }
        foreach (var pair in counters)
        {
            bool quiet;
            lock (pair.Value)
            {
                quiet = now - pair.Value.LastFailure > _options.QuietPeriod.Ticks;
            }
            if (quiet)
            {
                counters.TryRemove(pair);
            }
        }
    }

    private sealed class Counter
    {
        public int InRow;
        public long LastFailure;
    }
}
