using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Interfaces;

public sealed class CommandBatchTests
{
    private static ReadOnlyMemory<byte>[] Args(params string[] args) => args.Select(a => (ReadOnlyMemory<byte>)Encoding.ASCII.GetBytes(a)).ToArray();

    [Fact]
    public void CommandsKeepTheirArgumentsAndDatabasesAsTheBatchGrows()
    {
        var batch = new CommandBatch(new RecordingReplyWriter());
        var get = CommandTable.Find("GET"u8)!;
        var mset = CommandTable.Find("MSET"u8)!;
        for (var i = 0; i < 40; i++)
        {
            batch.Add(get, i % 16, Args("GET", "k" + i));
            batch.Add(mset, 0, Args(Enumerable.Range(0, 21).Select(j => "a" + i + "-" + j).ToArray()));
        }
        Assert.Equal(80, batch.Count);
        Assert.True(batch.HasWrites);
        for (var i = 0; i < 40; i++)
        {
            var command = batch[2 * i];
            Assert.Equal(CommandId.Get, command.Id);
            Assert.Equal(i % 16, command.Db);
            Assert.Equal(2, command.ArgCount);
            Assert.Equal("k" + i, Encoding.ASCII.GetString(batch.Arg(command, 1)));
            var many = batch[2 * i + 1];
            Assert.Equal(21, batch.Args(many).Length);
            Assert.Equal("a" + i + "-20", Encoding.ASCII.GetString(batch.Arg(many, 20)));
        }
    }

    [Fact]
    public void ClearEmptiesTheBatchAndForgetsWrites()
    {
        var batch = new CommandBatch(new RecordingReplyWriter());
        batch.Add(CommandTable.Find("SET"u8)!, 0, Args("SET", "k", "v"));
        batch.Clear();
        Assert.Equal(0, batch.Count);
        Assert.False(batch.HasWrites);
        batch.Add(CommandTable.Find("GET"u8)!, 0, Args("GET", "k"));
        Assert.False(batch.HasWrites);
        Assert.Equal("k", Encoding.ASCII.GetString(batch.Arg(batch[0], 1)));
    }

    [Fact]
    public async Task CompletionCanBeAwaitedRoundAfterRound()
    {
        var batch = new CommandBatch(new RecordingReplyWriter());
        for (var round = 0; round < 3; round++)
        {
            var pending = batch.Start();
            Assert.False(pending.IsCompleted);
            _ = Task.Run(batch.Complete);
            await pending;
        }
        var failing = batch.Start();
        batch.Fail(new InvalidOperationException("storage is gone"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await failing);
        Assert.Equal("storage is gone", error.Message);
    }

    [Theory]
    [InlineData("GET", 2, true)]
    [InlineData("GET", 3, false)]
    [InlineData("SET", 3, true)]
    [InlineData("SET", 7, true)]
    [InlineData("SET", 2, false)]
    [InlineData("DEL", 1, false)]
    [InlineData("DEL", 9, true)]
    public void ArityFollowsRedisConvention(string name, int argc, bool accepted)
    {
        Assert.Equal(accepted, CommandTable.Find(Encoding.ASCII.GetBytes(name))!.AcceptsArgumentCount(argc));
    }
}
