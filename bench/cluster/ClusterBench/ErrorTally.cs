using System.Collections.Concurrent;

namespace IceFire.Cluster.Bench;

/// <summary>Counts distinct error texts so that a run reports what went wrong without one line per failure.</summary>
internal sealed class ErrorTally
{
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public void Add(string text) => _counts.AddOrUpdate(text.Length > 200 ? text[..200] : text, 1, (_, n) => n + 1);

    /// <summary>Prints "error COUNT TEXT" lines, most frequent first.</summary>
    public void Print()
    {
        foreach (var (text, n) in _counts.OrderByDescending(kv => kv.Value)) Console.WriteLine($"error {n} {text}");
    }
}
