using System.Globalization;
using System.Text;

namespace ServerlessBilling.LoadBench.Ingest;

/// <summary>
/// One generated CDR batch: its CSV text (with header), and what ingestion must make of it: every line is
/// accepted, a duplicate or quarantined, and the generator knows which. <see cref="Records"/> (as
/// <see cref="CdrCsvReader"/> reads them) and <see cref="Utf8"/> are made on first use.
/// </summary>
internal sealed class GeneratedBatch(int index, int size, string csv, int expectedAccepted, int expectedDuplicates, int expectedQuarantined)
{
    private IReadOnlyList<CdrRecord>? _records;
    private byte[]? _utf8;

    public int Index { get; } = index;

    public int Size { get; } = size;

    public string Csv { get; } = csv;

    public int ExpectedAccepted { get; } = expectedAccepted;

    public int ExpectedDuplicates { get; } = expectedDuplicates;

    public int ExpectedQuarantined { get; } = expectedQuarantined;

    public IReadOnlyList<CdrRecord> Records => _records ??= CdrCsvReader.Read(Csv).ToList();

    public byte[] Utf8 => _utf8 ??= Encoding.UTF8.GetBytes(Csv);
}

/// <summary>
/// CDR batches over a set of accounts: accounts picked uniformly, called numbers over the deck by country weight,
/// start times in the last hour, 80% answered (durations ~ exponential, mean 150 s, at most 1 h). Per batch,
/// 0.3% of lines call an unrated number and 0.1% have a malformed duration (both quarantined), and 0.2% repeat
/// an earlier line of the batch (duplicates). <c>sessionShare</c> of the CDRs name a session id that credit
/// control never saw (each costs a session-history look-up).
/// </summary>
internal sealed class CdrBatchFactory(IngestDeck deck, string[] accounts, string tag, DateTimeOffset now, double sessionShare, int seed)
{
    public const string Header = "cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id";

    public GeneratedBatch Create(int index, int size)
    {
        var random = new Random(HashCode.Combine(seed, index));
        var csv = new StringBuilder(size * 110).Append(Header).Append('\n');
        var good = new List<string>(size); // lines that are accepted: only those are repeated, so that a repeat is a duplicate
        int unrated = 0, malformed = 0, duplicates = 0;
        for (var i = 0; i < size; i++)
        {
            var roll = random.Next(1000);
            string line;
            if (roll < 2 && good.Count > 0)
            {
                line = good[random.Next(good.Count)];
                duplicates++;
            }
            else
            {
                var cdrId = string.Create(CultureInfo.InvariantCulture, $"{tag}-{index:D5}-{i:D5}");
                var account = accounts[random.Next(accounts.Length)];
                var called = roll is >= 2 and < 5 ? IngestDeck.UnratedNumber : deck.CalledNumber(random);
                unrated += roll is >= 2 and < 5 ? 1 : 0;
                var start = now.AddSeconds(-60 - random.Next(3600)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                var dispositionRoll = random.Next(100);
                var disposition = dispositionRoll < 80 ? "ANSWERED" : dispositionRoll < 90 ? "NO_ANSWER" : dispositionRoll < 97 ? "BUSY" : "FAILED";
                var duration = disposition == "ANSWERED" ? Math.Min(3600, 1 + (int)(-150 * Math.Log(1 - random.NextDouble()))) : 0;
                var durationText = roll == 5 ? "n/a" : duration.ToString(CultureInfo.InvariantCulture);
                malformed += roll == 5 ? 1 : 0;
                var session = random.NextDouble() < sessionShare ? "s-" + cdrId : "";
                var calling = string.Create(CultureInfo.InvariantCulture, $"+4477009{random.Next(100_000):D5}");
                line = $"{cdrId},{account},{calling},{called},{start},{durationText},{disposition},{session}";
                if (roll is < 2 or > 5)
                {
                    good.Add(line);
                }
            }

            csv.Append(line).Append('\n');
        }

        var quarantined = unrated + malformed;
        return new GeneratedBatch(index, size, csv.ToString(), size - duplicates - quarantined, duplicates, quarantined);
    }

    /// <summary>Batches <c>[first, first + count)</c>, generated on all cores, parsed (<paramref name="parse"/>) or as UTF-8 bytes, ready before any timing.</summary>
    public GeneratedBatch[] CreateMany(int count, int size, bool parse, bool utf8, int first = 0)
    {
        var batches = new GeneratedBatch[count];
        Parallel.For(0, count, i =>
        {
            var batch = Create(first + i, size);
            if (parse)
            {
                _ = batch.Records;
            }

            if (utf8)
            {
                _ = batch.Utf8;
            }

            batches[i] = batch;
        });
        return batches;
    }
}
