namespace IceFire.Raft.Tests.Paper;

/// <summary>The scripted scenarios under testdata/, one test case per file.</summary>
public sealed class ScenarioTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "testdata");

    public static TheoryData<string> Files() => new(Directory.GetFiles(Root, "*.txt").Select(Path.GetFileName).OfType<string>().Order());

    [Theory]
    [MemberData(nameof(Files))]
    public void Scenario(string file) => ScenarioScript.Run(Path.Combine(Root, file));
}
