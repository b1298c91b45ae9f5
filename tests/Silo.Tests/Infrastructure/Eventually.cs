using System.Diagnostics;
using Xunit;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>Waits on a condition with a deadline and says what was expected when it never holds, instead of sleeping and hoping.</summary>
internal static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    /// <summary>Polls <paramref name="condition"/> on this thread (for tests on blocking sockets).</summary>
    public static void WaitUntil(Func<bool> condition, string expectation, TimeSpan? timeout = null, Func<string>? detail = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                Fail(expectation, limit, detail);
            }
            Thread.Sleep(Step); // the polling step of this wait
        }
    }

    /// <summary>Polls <paramref name="condition"/> asynchronously.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string expectation, TimeSpan? timeout = null, Func<string>? detail = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                Fail(expectation, limit, detail);
            }
            await Task.Delay(Step); // the polling step of this wait
        }
    }

    /// <summary>Awaits <paramref name="task"/>, failing with <paramref name="expectation"/> if it has not completed within <paramref name="timeout"/>.</summary>
    public static async Task WithinAsync(this Task task, TimeSpan timeout, string expectation)
    {
        try
        {
            await task.WaitAsync(timeout);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            Fail(expectation, timeout, null);
        }
    }

    private static void Fail(string expectation, TimeSpan limit, Func<string>? detail) =>
        Assert.Fail($"timed out after {limit.TotalSeconds:0.###} s waiting until {expectation}{(detail is null ? "" : $" ({detail()})")}");
}
