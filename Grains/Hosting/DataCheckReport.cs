namespace IceFire.Grains.Hosting;

/// <summary>What an offline check of a data directory found: a line per thing checked, a line per damage.</summary>
public sealed class DataCheckReport(Action<string>? write = null)
{
    private readonly List<string> _damage = [];

    /// <summary>Every damage found, one line each (tenant, database and key where they apply).</summary>
    public IReadOnlyList<string> Damage => _damage;

    /// <summary>Things checked and found sound.</summary>
    public int Passed { get; private set; }

    /// <summary>True when nothing was found damaged.</summary>
    public bool IsHealthy => _damage.Count == 0;

    /// <summary>Records something checked and found sound.</summary>
    public void Ok(string what)
    {
        Passed++;
        write?.Invoke($"ok       {what}");
    }

    /// <summary>Records a damage.</summary>
    public void Damaged(string what)
    {
        _damage.Add(what);
        write?.Invoke($"DAMAGED  {what}");
    }

    /// <summary>Something worth knowing that is not damage (a leftover, a format to be upgraded).</summary>
    public void Note(string what) => write?.Invoke($"note     {what}");
}
