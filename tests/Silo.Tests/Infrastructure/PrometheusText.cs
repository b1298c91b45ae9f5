using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>
/// A strict reader of the Prometheus text exposition format (0.0.4): every line is blank, a comment, `# HELP`, `# TYPE`
/// or a sample `name{label="value",...} value [timestamp]`; each family has at most one TYPE line, given before its
/// samples, and every sample belongs to a typed family (histograms through their _bucket, _sum and _count series).
/// </summary>
internal sealed partial class PrometheusText
{
    /// <summary>One sample line.</summary>
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    /// <summary>Family name to its type (counter, gauge, histogram, summary, untyped).</summary>
    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);

    public List<Sample> Samples { get; } = [];

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming the first bad line.</summary>
    public static PrometheusText Parse(string text)
    {
        var result = new PrometheusText();
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith('#'))
            {
                result.ReadComment(line, lineNumber);
                continue;
            }
            var sample = ReadSample(line, lineNumber);
            if (result.FamilyOf(sample.Name) is null)
            {
                throw new FormatException($"line {lineNumber}: sample {sample.Name} has no # TYPE line before it: {line}");
            }
            result.Samples.Add(sample);
        }
        return result;
    }

    /// <summary>The samples named <paramref name="name"/>.</summary>
    public IEnumerable<Sample> Named(string name) => Samples.Where(s => s.Name == name);

    /// <summary>The one sample named <paramref name="name"/> whose labels include <paramref name="labels"/> (name=value pairs).</summary>
    public double Value(string name, params string[] labels)
    {
        var matches = Named(name).Where(s => HasLabels(s, labels)).ToList();
        return matches.Count == 1
            ? matches[0].Value
            : throw new InvalidOperationException($"{matches.Count} samples {name} with {string.Join(",", labels)}; have: {string.Join(" ", Samples.Select(s => s.Name).Distinct())}");
    }

    private static bool HasLabels(Sample sample, string[] labels)
    {
        foreach (var pair in labels)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (!sample.Labels.TryGetValue(pair[..eq], out var value) || value != pair[(eq + 1)..])
            {
                return false;
            }
        }
        return true;
    }

    private string? FamilyOf(string sample)
    {
        if (Types.ContainsKey(sample))
        {
            return sample;
        }
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && Types.TryGetValue(sample[..^suffix.Length], out var type)
                && type is "histogram" or "summary")
            {
                return sample[..^suffix.Length];
            }
        }
        return null;
    }

    private void ReadComment(string line, int lineNumber)
    {
        var parts = line.Split(' ', 4);
        if (parts.Length >= 3 && parts[0] == "#" && parts[1] == "TYPE")
        {
            if (parts.Length != 4 || !MetricName().IsMatch(parts[2]) || parts[3] is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
            {
                throw new FormatException($"line {lineNumber}: bad TYPE line: {line}");
            }
            if (!Types.TryAdd(parts[2], parts[3]))
            {
                throw new FormatException($"line {lineNumber}: a second TYPE line for {parts[2]}");
            }
            if (Samples.Any(s => FamilyOf(s.Name) == parts[2]))
            {
                throw new FormatException($"line {lineNumber}: TYPE line for {parts[2]} after its samples");
            }
        }
        else if (parts.Length >= 3 && parts[0] == "#" && parts[1] == "HELP" && !MetricName().IsMatch(parts[2]))
        {
            throw new FormatException($"line {lineNumber}: bad HELP line: {line}");
        }
    }

    private static Sample ReadSample(string line, int lineNumber)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }
        var name = line[..i];
        if (!MetricName().IsMatch(name))
        {
            throw new FormatException($"line {lineNumber}: bad metric name '{name}': {line}");
        }
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = eq < 0 ? "" : line[i..eq];
                if (!LabelName().IsMatch(label) || eq + 1 >= line.Length || line[eq + 1] != '"')
                {
                    throw new FormatException($"line {lineNumber}: bad label at {i}: {line}");
                }
                i = eq + 2;
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch
                        {
                            'n' => '\n',
                            '\\' => '\\',
                            '"' => '"',
                            _ => throw new FormatException($"line {lineNumber}: bad escape at {i}: {line}"),
                        });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                    i++;
                }
                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw new FormatException($"line {lineNumber}: label {label} twice: {line}");
                }
                i++;
                if (line[i] == ',')
                {
                    i++;
                }
                else if (line[i] != '}')
                {
                    throw new FormatException($"line {lineNumber}: expected , or }} at {i}: {line}");
                }
            }
            i++;
        }
        var rest = line[i..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (line.Length <= i || line[i] != ' ' || rest.Length is < 1 or > 2 || !TryValue(rest[0], out var number)
            || (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException($"line {lineNumber}: expected ' value [timestamp]' after the name and labels: {line}");
        }
        return new Sample(name, labels, number);
    }

    private static bool TryValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();
}
