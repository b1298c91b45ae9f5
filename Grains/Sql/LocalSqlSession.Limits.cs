using IceFire.Grains.Interfaces.Sql;
using SQLitePCL;

namespace IceFire.Grains.Sql;

/// <summary>
/// How a statement is stopped: SQLite's progress handler, called every <see cref="ProgressInstructions"/> virtual
/// machine instructions while a statement steps, ends it (SQLITE_INTERRUPT) once its statement_timeout has passed,
/// once the client cancelled it (CancelRequest), or once the caller's token fired (the client went away, the silo
/// stops). The statement polls for the stop itself, so a stop asked for while it waits for its turn is not lost.
/// Statements step on <see cref="SqlWorkers"/> within the tenant's <see cref="LocalSqlTenant.StatementSlots"/>.
/// </summary>
internal sealed partial class LocalSqlSession
{
    /// <summary>Instructions between two looks at the stop conditions: a few microseconds of work.</summary>
    internal const int ProgressInstructions = 1000;

    internal static readonly SqlError StatementTimeoutError = new(SqlStates.QueryCanceled, "canceling statement due to statement timeout");
    internal static readonly SqlError UserCancelError = new(SqlStates.QueryCanceled, "canceling statement due to user request");

    private const int NotStopped = 0;
    private const int StoppedByUser = 1;
    private const int StoppedByCaller = 2;

    private static long _interrupted;

    private int _stop;
    private long _deadline = long.MaxValue;
    private bool _timedOut;

    /// <summary>True while a step runs on a worker; read and written under <c>_closeGate</c>.</summary>
    private bool _stepping;

    /// <summary>True while the capture records a statement (<see cref="HoldInterrupts"/>); written under <c>_closeGate</c>.</summary>
    private bool _interruptsHeld;

    /// <summary>Statements this silo stopped before they completed (timeout, cancel, client gone, shutdown).</summary>
    public static long InterruptedStatements => Interlocked.Read(ref _interrupted);

    /// <inheritdoc />
    public TimeSpan StatementTimeout { get; set; }

    private void InstallProgressHandler() => raw.sqlite3_progress_handler(_db, ProgressInstructions, OnProgress, this);

    private static int OnProgress(object state)
    {
        var session = (LocalSqlSession)state;
        if (Volatile.Read(ref session._interruptsHeld))
        {
            return 0;
        }
        if (Volatile.Read(ref session._stop) != NotStopped)
        {
            return 1;
        }
        if (Environment.TickCount64 >= Volatile.Read(ref session._deadline))
        {
            session._timedOut = true;
            return 1;
        }
        return 0;
    }

    /// <summary>Starts the clock of a new statement; a cancel asked for before it does not carry over.</summary>
    private void BeginStatement(CancellationToken cancellationToken)
    {
        var timeout = StatementTimeout;
        _timedOut = false;
        Volatile.Write(ref _stop, cancellationToken.IsCancellationRequested ? StoppedByCaller : NotStopped);
        Volatile.Write(ref _deadline, timeout > TimeSpan.Zero ? Environment.TickCount64 + (long)timeout.TotalMilliseconds : long.MaxValue);
    }

    /// <summary>The current statement's deadline (<see cref="Environment.TickCount64"/>), for a cursor that steps it later.</summary>
    internal long Deadline => Volatile.Read(ref _deadline);

    /// <summary>Time left before the statement's deadline; infinite without one, zero once it passed.</summary>
    private TimeSpan Remaining(long deadline) =>
        deadline == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64));

    /// <summary>Waits for <paramref name="semaphore"/> until the statement's deadline; false when it passed first.</summary>
    private async ValueTask<bool> WaitUntilDeadlineAsync(SemaphoreSlim semaphore, CancellationToken cancellationToken)
    {
        if (await semaphore.WaitAsync(Remaining(Deadline), cancellationToken).ConfigureAwait(false))
        {
            return true;
        }
        _timedOut = true;
        return false;
    }

    /// <summary>
    /// Runs one step of a statement (up to its first row, or a chunk of rows) on a SQL worker, in one of the tenant's
    /// statement slots and by <paramref name="deadline"/>. <paramref name="timedOut"/> answers when the deadline
    /// passes before a slot is free. The caller's token stops the step; the step's own result then says so, and the
    /// caller throws <see cref="OperationCanceledException"/> once it has cleaned up.
    /// </summary>
    internal async ValueTask<T> StepAsync<T>(Func<T> step, Func<T> timedOut, long deadline, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _deadline, deadline);
        var slots = _tenant.StatementSlots;
        if (!await slots.WaitAsync(Remaining(deadline), cancellationToken).ConfigureAwait(false))
        {
            _timedOut = true;
            return timedOut();
        }
        try
        {
            using var stop = cancellationToken.CanBeCanceled
                ? cancellationToken.UnsafeRegister(static s => ((LocalSqlSession)s!).Stop(StoppedByCaller), this)
                : default;
            return await SqlWorkers.RunAsync(() => Stepping(step)).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>Runs <paramref name="step"/> with <see cref="_stepping"/> set, so an interrupt reaches this step only.</summary>
    private T Stepping<T>(Func<T> step)
    {
        lock (_closeGate)
        {
            _stepping = true;
        }
        try
        {
            return step();
        }
        finally
        {
            lock (_closeGate)
            {
                _stepping = false;
            }
        }
    }

    private void Stop(int reason)
    {
        Interlocked.CompareExchange(ref _stop, reason, NotStopped);
        lock (_closeGate)
        {
            // Also wakes SQLite out of work the progress handler is not called during. Only while a step runs: SQLite
            // keeps an interrupt until no statement of the connection is active, so one sent between statements,
            // with a portal open, would fail the next statement that steps.
            if (!_disposed && _stepping && !_interruptsHeld)
            {
                raw.sqlite3_interrupt(_db);
            }
        }
    }

    /// <summary>
    /// Keeps a timeout or cancel from stopping the capture's own queries, which record what the statement did: stopped
    /// half way, they would leave the capture out of step with the transaction. A statement whose time runs out while
    /// its effect is recorded has completed, and succeeds. Held until the returned scope is disposed.
    /// </summary>
    private InterruptHold HoldInterrupts()
    {
        lock (_closeGate)
        {
            _interruptsHeld = true;
        }
        return new InterruptHold(this);
    }

    private readonly struct InterruptHold(LocalSqlSession session) : IDisposable
    {
        public void Dispose()
        {
            lock (session._closeGate)
            {
                session._interruptsHeld = false;
            }
        }
    }

    /// <summary>
    /// The error a client hears for <paramref name="error"/>: an interrupted statement says why it was stopped, as
    /// PostgreSQL's 57014 messages do.
    /// </summary>
    internal SqlError StopError(SqlError error)
    {
        if ((error.SqliteCode & 0xff) != SqliteErrors.Interrupt && !ReferenceEquals(error, StatementTimeoutError))
        {
            return error;
        }
        Interlocked.Increment(ref _interrupted);
        if (_timedOut)
        {
            return StatementTimeoutError;
        }
        return Volatile.Read(ref _stop) == StoppedByUser ? UserCancelError : error;
    }

    /// <summary>Counts a statement of another connection (the batcher's) that was stopped.</summary>
    internal static void CountInterrupted() => Interlocked.Increment(ref _interrupted);
}
