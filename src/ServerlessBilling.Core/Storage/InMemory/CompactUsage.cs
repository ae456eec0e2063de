using System.Collections.Concurrent;
using ServerlessBilling.Core.Ingestion;

namespace ServerlessBilling.Core.Storage.InMemory;

/// <summary>
/// A usage record as the in-memory store keeps it: the text that repeats across records (account, prefix, destination,
/// currency, period, disposition) is shared, and times are ticks with their offset. <see cref="ToRecord"/> gives back
/// a record equal to the one stored.
/// </summary>
internal sealed class CompactUsage
{
    private readonly string? _sessionId;
    private readonly string _calledNumber;
    private readonly long _startTicks;
    private readonly long _appliedAtTicks;
    private readonly decimal _charge;
    private readonly string _disposition;
    private readonly string _prefix;
    private readonly string _destination;
    private readonly string _currency;
    private readonly string _period;
    private readonly string? _note;
    private readonly int _durationSeconds;
    private readonly int _billedSeconds;
    private readonly short _startOffsetMinutes;
    private readonly short _appliedAtOffsetMinutes;
    private readonly Settlement _settlement;

    public CompactUsage(UsageRecord record, string accountId, SharedText shared)
    {
        CdrId = record.CdrId;
        AccountId = accountId;
        _sessionId = record.SessionId;
        _calledNumber = record.CalledNumber;
        (_startTicks, _startOffsetMinutes) = (record.StartTime.Ticks, checked((short)record.StartTime.TotalOffsetMinutes));
        (_appliedAtTicks, _appliedAtOffsetMinutes) = (record.AppliedAt.Ticks, checked((short)record.AppliedAt.TotalOffsetMinutes));
        _charge = record.Charge;
        _disposition = shared.Of(record.Disposition);
        _prefix = shared.Of(record.Prefix);
        _destination = shared.Of(record.Destination);
        _currency = shared.Of(record.Currency);
        _period = shared.Of(record.Period);
        _note = record.Note;
        _durationSeconds = record.DurationSeconds;
        _billedSeconds = record.BilledSeconds;
        _settlement = record.SettledBy;
    }

    public string CdrId { get; }

    public string AccountId { get; }

    public DateTimeOffset StartTime => At(_startTicks, _startOffsetMinutes);

    public UsageRecord ToRecord() => new(
        CdrId, AccountId, _sessionId, _calledNumber, StartTime, _durationSeconds, _disposition, _prefix, _destination,
        _billedSeconds, _charge, _currency, _period, _settlement, _note, At(_appliedAtTicks, _appliedAtOffsetMinutes));

    private static DateTimeOffset At(long ticks, short offsetMinutes) => new(ticks, TimeSpan.FromMinutes(offsetMinutes));
}

/// <summary>
/// One copy of each short text that repeats across records; cleared when it grows past its bound. Safe from many
/// threads, so that records are made compact before the store's lock is taken.
/// </summary>
internal sealed class SharedText
{
    private const int Capacity = 200_000;
    private readonly ConcurrentDictionary<string, string> _texts = new(StringComparer.Ordinal);

    public string Of(string text)
    {
        if (_texts.TryGetValue(text, out var shared))
        {
            return shared;
        }

        if (_texts.Count >= Capacity)
        {
            _texts.Clear();
        }

        return _texts.GetOrAdd(text, text);
    }
}
