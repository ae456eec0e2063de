using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Functions.Invoicing;
using Names = ServerlessBilling.Api.ApiRoutes.Names;

namespace ServerlessBilling.Functions.Tests;

/// <summary>
/// Round thirty of the hostile review, on the daily invoice timer. An account the run cannot invoice (its documents
/// refused by the store, its document unreadable) is counted in the run's summary and left for the next run, which the
/// local host logs as a warning naming the account. The timer function returned that summary and logged only "Invoice
/// run done" at Information: a timer's return value goes nowhere, so in Azure an account whose invoices failed every day
/// failed silently, its period never invoiced and no one told.
/// </summary>
public sealed class HostileRoundThirtyFunctionsTests
{
    [Fact]
    public async Task The_invoice_timer_logs_each_account_it_could_not_invoice()
    {
        await using var functions = new FunctionsApp(new FakeTimeProvider(HttpParityTests.Now), s => s.AddSingleton<IDocumentSink, RefusingSink>());
        var dispatch = HttpParityTests.Dispatch(functions);
        foreach (var setup in new[]
        {
            new HttpCall(Names.PutRateDeck, "PUT", "ratedecks/demo", "prefix,destination,rate,min_seconds,increment_seconds\n44,United Kingdom,0.01,60,60\n", "text/csv"),
            new HttpCall(Names.PutAccount, "PUT", "accounts/refused", """{"name":"Refused","mode":"postpaid","currency":"GBP","rateDeckId":"demo"}"""),
            new HttpCall(Names.PostCdrs, "POST", "cdrs",
                "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\nr1,refused,+441,+442071234567,2026-10-20T10:00:00Z,61,ANSWERED,\n", "text/csv"),
        })
        {
            Assert.Equal(200, (await functions.CallAsync(setup, dispatch[setup.Function](setup))).Status);
        }

        var lines = new WarningLines();
        using var logging = LoggerFactory.Create(b => b.AddProvider(new OneLoggerProvider(lines)));
        var timer = new InvoiceRunFunction(functions.Services.GetRequiredService<InvoiceRunService>(), logging.CreateLogger<InvoiceRunFunction>());

        var summary = await timer.Run(new TimerInfo(), CancellationToken.None);

        Assert.Equal(1, summary!.Failed);
        Assert.Contains(lines.Lines, l => l.Level >= LogLevel.Warning && l.Message.Contains("refused: ", StringComparison.Ordinal) && l.Message.Contains("documents refused", StringComparison.Ordinal));
    }

    private sealed class RefusingSink : IDocumentSink
    {
        public Task PutAsync(string name, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
            throw new StoreUnavailableException("documents refused (injected)") { Store = "document store" };
    }

    private sealed class OneLoggerProvider(ILogger logger) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose()
        {
        }
    }

    /// <summary>Every line logged at Warning or above.</summary>
    private sealed class WarningLines : ILogger
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Lines.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
