using Microsoft.Extensions.Logging;

namespace IceFire.Silo.Logging;

/// <summary>
/// The silo's log, one line per entry, written as it happens so it stays in order with the start-up report:
/// information on standard output, warnings and errors on standard error. IceFire's own entries read <c>icefire: MESSAGE</c>, as the report does (<c>icefire: warning:
/// MESSAGE</c> for a warning); others (Orleans, the host) name their level and category: <c>icefire: fail:
/// Orleans.Runtime.X[100661] MESSAGE EXCEPTION</c>.
/// </summary>
public sealed class SiloConsoleLoggerProvider(TextWriter output, TextWriter errors) : ILoggerProvider
{
    /// <summary>Writes to the console's standard output and standard error.</summary>
    public SiloConsoleLoggerProvider()
        : this(Console.Out, Console.Error)
    {
    }

    public ILogger CreateLogger(string categoryName) => new SiloConsoleLogger(categoryName, output, errors);

    public void Dispose()
    {
    }

    /// <summary>Adds the provider and the silo's levels: IceFire's information and up, Orleans' errors, others' warnings.</summary>
    public static ILoggingBuilder Configure(ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();
        logging.AddProvider(new SiloConsoleLoggerProvider());
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("IceFire", LogLevel.Information);
        // A failed bind is reported in one line; the host's own report is a stack trace.
        logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        logging.AddFilter("Orleans", LogLevel.Error);
        // The node service's base class (Orleans' GrainService) logs its start and ring range under the service's own name.
        logging.AddFilter(typeof(Grains.Cluster.Messaging.NodeService).FullName, LogLevel.Warning);
        // Orleans' retries of a placement that found no silo: the call's own failure says it.
        logging.AddFilter("Polly", LogLevel.None);
        return logging;
    }

    private sealed class SiloConsoleLogger(string category, TextWriter output, TextWriter errors) : ILogger
    {
        private readonly bool _ours = category.StartsWith("IceFire", StringComparison.Ordinal);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var message = formatter(state, exception);
            var line = !_ours ? $"icefire: {Level(logLevel)}: {category}[{eventId.Id}] {message}"
                : logLevel < LogLevel.Warning ? $"icefire: {message}"
                : logLevel == LogLevel.Warning ? $"icefire: warning: {message}"
                : $"icefire: error: {message}";
            if (exception is not null)
            {
                line += " " + exception.ToString().ReplaceLineEndings(" ");
            }
            // TextWriter.Synchronized (Console.Out and Console.Error are) keeps concurrent lines whole.
            (logLevel >= LogLevel.Warning ? errors : output).WriteLine(line);
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
    }
}
