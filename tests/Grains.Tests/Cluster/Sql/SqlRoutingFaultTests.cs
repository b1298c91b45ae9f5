using IceFire.Grains.Cluster.Sql;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Interfaces.Sql;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Sql;

/// <summary>
/// What a routed session does when the tenant's leader vanishes, stalls or cannot be reached, on
/// <see cref="SqlRoutingCluster"/>'s fake silos: only they can make a silo die between taking a call and answering
/// it, hold a call or a close unanswered with the connection up, take the leader away and give it back at set moments,
/// or run a leader with a session lease (and a request timeout) of milliseconds; and they keep a leader on the silo it
/// is set to, where real silos hand it back to the preferred replica. Routing on real silos is in
/// <see cref="RoutedSqlSessionTests"/>, <see cref="SqlLeaderMoveTests"/> and <see cref="SqlLeaderLossTests"/>.
/// </summary>
public sealed class SqlRoutingFaultTests
{
    /// <summary>
    /// On real silos (<see cref="SqlLeaderMoveTests"/>) the cluster hands the leadership back to the preferred replica;
    /// here it stays on each silo it is set to, so the test can say where each statement ran.
    /// </summary>
    [Fact]
    public async Task Outside_a_transaction_the_session_follows_a_leader_set_silo_by_silo_and_keeps_its_statements()
    {
        await using var cluster = new SqlRoutingCluster(silos: 3);
        await using var session = (RoutedSqlSession)await cluster.ConnectAsync(3);
        await session.RunAsync("CREATE TABLE t(x INTEGER)");
        using var insert = session.Prepare("INSERT INTO t VALUES (?1)").Statement!;
        using var count = session.Prepare("SELECT count(*) FROM t").Statement!;
        Assert.Null((await session.RunAsync(insert, SqlValue.FromInteger(1))).Error);
        Assert.Equal(1UL, session.BackendNode);

        cluster.Leader = 2;
        Assert.Null((await session.RunAsync(insert, SqlValue.FromInteger(2))).Error);
        Assert.Equal(2UL, session.BackendNode);
        Assert.Equal("2", (await session.RunAsync(count)).Scalar);

        // To the client's own silo, and back to a remote one.
        cluster.Leader = 3;
        Assert.Equal("2", (await session.RunAsync(count)).Scalar);
        Assert.Equal(3UL, session.BackendNode);
        cluster.Leader = 1;
        Assert.Null((await session.RunAsync(insert, SqlValue.FromInteger(3))).Error);
        Assert.Equal("3", (await session.RunAsync(count)).Scalar);
        Assert.Equal(1UL, session.BackendNode);
    }

    [Fact]
    public async Task A_commit_whose_answer_is_lost_with_the_leaders_silo_answers_08007()
    {
        // The answer is lost at once, so no timeout is waited for; a short one would only fail the set-up under load.
        await using var cluster = new SqlRoutingCluster();
        await using var session = await cluster.ConnectAsync(2);
        Assert.Null((await session.RunAsync("CREATE TABLE t(x INTEGER)")).Error);
        Assert.Null((await session.RunAsync("BEGIN")).Error);
        Assert.Null((await session.RunAsync("INSERT INTO t VALUES (1)")).Error);
        using var commit = session.Prepare("COMMIT").Statement!;
        cluster[1].DieOnNextExecute();
        var lost = await session.RunAsync(commit);
        Assert.Equal(SqlStates.TransactionResolutionUnknown, lost.Error?.SqlState);
        Assert.Equal(SqlTransactionState.Idle, session.TransactionState);
    }

    [Fact]
    public async Task A_write_outside_a_transaction_whose_answer_is_lost_is_not_run_again()
    {
        await using var cluster = new SqlRoutingCluster();
        await using var session = await cluster.ConnectAsync(2);
        Assert.Null((await session.RunAsync("CREATE TABLE t(x INTEGER)")).Error);
        cluster[1].DieOnNextExecute();
        Assert.Equal(SqlStates.TransactionResolutionUnknown, (await session.RunAsync("INSERT INTO t VALUES (1)")).Error?.SqlState);
    }

    [Fact]
    public async Task A_read_whose_answer_is_lost_runs_again_on_the_next_leader()
    {
        await using var cluster = new SqlRoutingCluster(silos: 3);
        await using var session = await cluster.ConnectAsync(3);
        using var select = session.Prepare("SELECT 5").Statement!;
        cluster[1].DieOnNextExecute();
        var answer = session.RunAsync(select);
        await Support.Eventually.WaitUntilAsync(() => cluster[1].Died, "silo 1 to die with the statement");
        cluster.Leader = 2;
        Assert.Equal("5", (await answer).Scalar);
    }

    [Fact]
    public async Task A_leader_seen_moving_abandons_a_stalled_call()
    {
        await using var cluster = new SqlRoutingCluster(silos: 3);
        await using var session = await cluster.ConnectAsync(3);
        await session.RunAsync("CREATE TABLE t(x INTEGER)");
        await session.RunAsync("BEGIN");
        // Silo 1 takes the statement and never answers; its connection stays up (a partition, not a crash).
        using var slow = session.Prepare("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c").Statement!;
        var running = session.RunAsync(slow);
        cluster.Leader = 2;
        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(SqlStates.SerializationFailure, outcome.Error?.SqlState);
        Assert.Equal(SqlTransactionState.Failed, session.TransactionState);
    }

    [Fact]
    public async Task With_no_leader_a_statement_waits_for_the_request_timeout_then_answers_57P03()
    {
        await using var cluster = new SqlRoutingCluster(requestTimeout: TimeSpan.FromMilliseconds(400));
        await using var session = await cluster.ConnectAsync(2);
        using var select = session.Prepare("SELECT 42").Statement!;
        cluster.Leader = 0;
        await cluster[1].StopListeningAsync();
        var started = DateTime.UtcNow;
        var outcome = await session.RunAsync(select);
        Assert.Equal(SqlStates.CannotConnectNow, outcome.Error?.SqlState);
        Assert.Contains($"tenant {SqlRoutingCluster.Tenant} has no leader (waited", outcome.Error!.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(350), "the statement should wait for a leader first");

        // A leader elected meanwhile serves the same statement.
        cluster.Leader = 2;
        Assert.Equal("42", (await session.RunAsync(select)).Scalar);

        cluster.Leader = 0;
        await Assert.ThrowsAsync<TenantUnavailableException>(() => cluster.ConnectAsync(2));
    }

    [Fact]
    public async Task A_session_the_leader_expired_is_reopened_outside_a_transaction()
    {
        await using var cluster = new SqlRoutingCluster(lease: TimeSpan.FromMilliseconds(300), keepAlive: TimeSpan.FromHours(1));
        await using var session = await cluster.ConnectAsync(2);
        using var select = session.Prepare("SELECT 7").Statement!;
        await Support.Eventually.WaitUntilAsync(() => cluster[1].Handler.SessionCount == 0, "the unrenewed session to expire on the leader");
        Assert.Equal("7", (await session.RunAsync(select)).Scalar);
        Assert.Equal(1, cluster[1].Handler.SessionCount);
    }

    [Fact]
    public async Task Renewed_sessions_outlive_their_lease()
    {
        // A lease twenty renewals long: a loaded machine's stall of a few hundred milliseconds must not pass for a gone caller.
        await using var cluster = new SqlRoutingCluster(lease: TimeSpan.FromSeconds(1), keepAlive: TimeSpan.FromMilliseconds(50));
        await using var session = await cluster.ConnectAsync(2);
        await session.RunAsync("CREATE TABLE t(x)");
        await session.RunAsync("BEGIN");
        await session.RunAsync("INSERT INTO t VALUES (1)");
        // The subject is time passing: through three leases (the leader's sweeper runs on the real clock), the renewed
        // session must never be swept, so it is checked at every step of those seconds, not once after a pause.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (DateTime.UtcNow < until)
        {
            Assert.Equal(1, cluster[1].Handler.SessionCount);
            await Task.Delay(100);
        }
        Assert.Null((await session.RunAsync("COMMIT")).Error);
        Assert.Equal("1", (await session.RunAsync("SELECT count(*) FROM t")).Scalar);
    }

    [Fact]
    public async Task A_close_the_leader_never_answers_is_given_up_after_the_request_timeout()
    {
        // Long enough for a session to open while other tests load the machine.
        await using var cluster = new SqlRoutingCluster(requestTimeout: TimeSpan.FromSeconds(2));
        var session = await cluster.ConnectAsync(2);
        Assert.Equal("1", (await session.RunAsync("SELECT 1")).Scalar);
        cluster[1].HangCloses();
        // The close call takes no token; the caller's request timeout still bounds its wait.
        await session.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, cluster[2].Router.RemoteSessionCount);
        // Unclosed there, the session is left to its lease.
        Assert.Equal(1, cluster[1].Handler.SessionCount);
    }
}
