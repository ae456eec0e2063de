using Microsoft.Extensions.Logging;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Ingestion;

/// <summary>A bad feed costs one warning per batch, not one per line; the lines themselves are at Debug.</summary>
public sealed class QuarantineLogTests
{
    private static readonly IngestResult Batch = new(5000, 4980, 0,
        [.. Enumerable.Range(1, 20).Select(i => new QuarantinedItem($"c-{i}", i + 1, "duration_seconds is not a whole number"))]);

    [Fact]
    public void A_batch_with_quarantined_lines_logs_one_warning_that_counts_them_and_names_the_first()
    {
        var logger = new ListLogger(LogLevel.Information);

        QuarantineLog.Write(logger, "http", Batch);

        var line = Assert.Single(logger.Lines);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("20 of 5000 CDRs from http quarantined", line.Message, StringComparison.Ordinal);
        Assert.Contains("line 2, id c-1: duration_seconds is not a whole number", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_line_is_logged_at_debug_only_when_debug_is_on()
    {
        var logger = new ListLogger(LogLevel.Debug);

        QuarantineLog.Write(logger, "http", Batch);

        Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning);
        Assert.Equal(20, logger.Lines.Count(l => l.Level == LogLevel.Debug));
        Assert.Contains(logger.Lines, l => l.Message.Contains("line 21 (id c-20)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_clean_batch_logs_nothing()
    {
        var logger = new ListLogger(LogLevel.Debug);

        QuarantineLog.Write(logger, "http", new IngestResult(10, 10, 0, []));

        Assert.Empty(logger.Lines);
    }
}
