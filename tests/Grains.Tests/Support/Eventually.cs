namespace IceFire.Grains.Tests.Support;

/// <summary>Waits on a condition with a deadline, instead of sleeping and hoping.</summary>
public static class Eventually
{
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string expectation, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {expectation}");
            }
            await Task.Delay(5); // the polling step of this wait
        }
    }

    public static Task WaitUntilAsync(Func<bool> condition, string expectation, TimeSpan? timeout = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), expectation, timeout);

    /// <summary>Awaits <paramref name="task"/>, failing with <paramref name="expectation"/> if it has not completed within <paramref name="timeout"/>.</summary>
    public static async Task WithinAsync(this Task task, TimeSpan timeout, string expectation)
    {
        try
        {
            await task.WaitAsync(timeout);
        }
        catch (TimeoutException e) when (!task.IsCompleted)
        {
            throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.###} s waiting until {expectation}", e);
        }
    }
}
