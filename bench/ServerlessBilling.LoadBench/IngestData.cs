using System.Globalization;
using System.Text;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Core.Money;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.LoadBench;

/// <summary>
/// A reproducible, realistic rate deck for the ingest scenario: ~60 country codes with traffic weights, and nested
/// prefixes of 3 to 7 digits under them (mobile operators, cities, special services), 60/60, 30/6 and 1/1
/// tariffs, 10% with a connect fee, 5% with a rate change earlier this year (two rows with adjacent ranges).
/// </summary>
internal sealed class IngestDeck
{
    public const string DeckId = "ingestbench";

    /// <summary>Country code, name (some with commas, as real decks have) and a rough traffic weight.</summary>
    private static readonly (string Code, string Name, int Weight)[] Countries =
    [
        ("1", "United States/Canada", 40), ("7", "Russia/Kazakhstan", 6), ("20", "Egypt", 3), ("27", "South Africa", 3),
        ("30", "Greece", 2), ("31", "Netherlands", 6), ("32", "Belgium", 4), ("33", "France", 12), ("34", "Spain", 10),
        ("36", "Hungary", 2), ("39", "Italy", 10), ("40", "Romania", 4), ("41", "Switzerland", 4), ("43", "Austria", 3),
        ("44", "United Kingdom", 30), ("45", "Denmark", 3), ("46", "Sweden", 3), ("47", "Norway", 3), ("48", "Poland", 6),
        ("49", "Germany", 14), ("51", "Peru", 2), ("52", "Mexico", 5), ("54", "Argentina", 3), ("55", "Brazil", 6),
        ("56", "Chile", 2), ("57", "Colombia", 3), ("60", "Malaysia", 3), ("61", "Australia", 5), ("62", "Indonesia", 4),
        ("63", "Philippines", 5), ("64", "New Zealand", 2), ("65", "Singapore", 3), ("66", "Thailand", 3), ("81", "Japan", 5),
        ("82", "Korea, Republic of", 4), ("84", "Viet Nam", 3), ("86", "China", 10), ("90", "Turkey", 5), ("91", "India", 14),
        ("92", "Pakistan", 5), ("94", "Sri Lanka", 2), ("212", "Morocco", 3), ("213", "Algeria", 2), ("216", "Tunisia", 2),
        ("234", "Nigeria", 4), ("254", "Kenya", 2), ("351", "Portugal", 4), ("353", "Ireland", 5), ("358", "Finland", 2),
        ("359", "Bulgaria", 2), ("370", "Lithuania", 1), ("380", "Ukraine", 3), ("385", "Croatia", 2), ("420", "Czechia", 3),
        ("421", "Slovakia", 1), ("852", "Hong Kong", 3), ("880", "Bangladesh", 3), ("886", "Taiwan", 2), ("966", "Saudi Arabia", 3),
        ("971", "United Arab Emirates", 4), ("972", "Israel", 2), ("998", "Uzbekistan", 1),
    ];

    private static readonly string[] Operators = ["Vodacell", "Orangeline", "T-Net", "Telefon Nord", "Airtime", "Globalnet", "Skylink", "Metrotel"];
    private static readonly string[] Places = ["Capital", "North", "South", "East", "West", "Coast", "Central", "Islands"];
    private static readonly (int Min, int Increment)[] Steps = [(60, 60), (30, 6), (1, 1), (30, 6), (60, 60)];

    private readonly string[][] _prefixesByCountry;
    private readonly int[] _cumulativeWeights;

    private IngestDeck(string csv, int rows, string[][] prefixesByCountry)
    {
        Csv = csv;
        Rows = rows;
        _prefixesByCountry = prefixesByCountry;
        _cumulativeWeights = new int[Countries.Length];
        var sum = 0;
        for (var i = 0; i < Countries.Length; i++)
        {
            sum += Countries[i].Weight;
            _cumulativeWeights[i] = sum;
        }
    }

    public string Csv { get; }

    /// <summary>Rows of the deck (header excluded).</summary>
    public int Rows { get; }

    public int Prefixes => _prefixesByCountry.Sum(p => p.Length);

    /// <summary>A number that no prefix of this deck matches (999 is an ITU spare code; no row starts with 9 9).</summary>
    public const string UnratedNumber = "+99912345678";

    public static IngestDeck Create(int prefixes, DateTimeOffset now, int seed = 2026)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prefixes, Countries.Length);
        var random = new Random(seed);
        var byCountry = Countries.Select(c => new List<(string Prefix, string Destination)> { (c.Code, c.Name) }).ToArray();
        var seen = new HashSet<string>(Countries.Select(c => c.Code), StringComparer.Ordinal);
        var total = Countries.Sum(c => c.Weight);
        var guard = 0;
        while (seen.Count < prefixes && guard++ < prefixes * 50)
        {
            // Busy countries get more prefixes, as real decks do.
            var country = Pick(random, Countries.Select(c => c.Weight).ToArray(), total);
            var list = byCountry[country];
            var (parent, parentName) = list[random.Next(list.Count)];
            if (parent.Length >= 7)
            {
                continue;
            }

            var prefix = parent + random.Next(10).ToString(CultureInfo.InvariantCulture);
            if (parent.Length == Countries[country].Code.Length && random.Next(2) == 0)
            {
                prefix += random.Next(10).ToString(CultureInfo.InvariantCulture);
            }

            if (!seen.Add(prefix))
            {
                continue;
            }

            var destination = parent.Length == Countries[country].Code.Length
                ? random.Next(3) switch
                {
                    0 => $"{Countries[country].Name} Mobile {Operators[random.Next(Operators.Length)]}",
                    1 => $"{Countries[country].Name} {Places[random.Next(Places.Length)]}",
                    _ => $"{Countries[country].Name} Special Services",
                }
                : parentName + " " + Places[random.Next(Places.Length)];
            list.Add((prefix, destination));
        }

        var changeDay = new DateTimeOffset(now.Year, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(random.Next(Math.Max(1, now.DayOfYear - 2)));
        var csv = new StringBuilder("prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to\n");
        var rows = 0;
        foreach (var (prefix, destination) in byCountry.SelectMany(c => c))
        {
            var rate = Math.Round((decimal)(0.002 + (random.NextDouble() * random.NextDouble() * 0.3)), 4);
            var fee = random.Next(10) == 0 ? 0.0100m : 0m;
            var (min, increment) = Steps[random.Next(Steps.Length)];
            var name = destination.Contains(',', StringComparison.Ordinal) ? "\"" + destination + "\"" : destination;
            if (random.Next(20) == 0)
            {
                var day = changeDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                csv.Append(CultureInfo.InvariantCulture, $"{prefix},{name},{rate + 0.0010m},{fee},{min},{increment},,{day}\n");
                csv.Append(CultureInfo.InvariantCulture, $"{prefix},{name},{rate},{fee},{min},{increment},{day},\n");
                rows += 2;
            }
            else
            {
                csv.Append(CultureInfo.InvariantCulture, $"{prefix},{name},{rate},{fee},{min},{increment},,\n");
                rows++;
            }
        }

        return new IngestDeck(csv.ToString(), rows, byCountry.Select(l => l.Select(p => p.Prefix).ToArray()).ToArray());
    }

    /// <summary>A called number under one of the deck's prefixes, countries by traffic weight: "+" mostly, "00" sometimes.</summary>
    public string CalledNumber(Random random)
    {
        var country = Array.BinarySearch(_cumulativeWeights, random.Next(_cumulativeWeights[^1]) + 1);
        country = country < 0 ? ~country : country;
        var prefixes = _prefixesByCountry[country];
        var prefix = prefixes[random.Next(prefixes.Length)];
        var number = new StringBuilder(16).Append(random.Next(10) == 0 ? "00" : "+").Append(prefix);
        var length = 11 + random.Next(2);
        while (number.Length - 1 < length)
        {
            number.Append((char)('0' + random.Next(10)));
        }

        return number.ToString();
    }

    public RateDeck Parse() => RateDeckParser.Parse(DeckId, Csv).Deck ?? throw new InvalidOperationException("the generated deck is invalid");

    private static int Pick(Random random, int[] weights, int total)
    {
        var r = random.Next(total);
        for (var i = 0; i < weights.Length; i++)
        {
            r -= weights[i];
            if (r < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }
}

/// <summary>The accounts of the ingest scenario: even ids pre-paid, odd ids post-paid (soft limit), both on the bench deck.</summary>
internal static class IngestAccounts
{
    public const decimal PrepaidOpening = 1_000_000_000m;
    public const decimal PostpaidLimit = 1_000_000_000m;

    public static readonly Currency Gbp = new("GBP");

    public static string[] Ids(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D4}")).ToArray();

    public static bool IsPrepaid(int index) => index % 2 == 0;

    public static AccountSettings Settings(int index) => IsPrepaid(index)
        ? new AccountSettings("Ingest bench pre-paid", AccountMode.Prepaid, Gbp, null, false, IngestDeck.DeckId, 1, "Europe/London", TaxSettings.None)
        : new AccountSettings("Ingest bench post-paid", AccountMode.Postpaid, Gbp, PostpaidLimit, false, IngestDeck.DeckId, 1, "Europe/London", new TaxSettings(TaxTreatment.Standard, 0.20m));

    public static decimal Opening(int index) => IsPrepaid(index) ? PrepaidOpening : 0m;

    /// <summary>The body of PUT /api/accounts/{id} for the account of that index.</summary>
    public static byte[] PutBody(int index) => Encoding.UTF8.GetBytes(IsPrepaid(index)
        ? string.Create(CultureInfo.InvariantCulture, $$$"""{"name":"Ingest bench pre-paid","mode":"prepaid","currency":"GBP","initialBalance":{{{PrepaidOpening}}},"rateDeckId":"{{{IngestDeck.DeckId}}}","billingDay":1,"timeZone":"Europe/London","tax":{"treatment":"exempt"}}""")
        : string.Create(CultureInfo.InvariantCulture, $$$"""{"name":"Ingest bench post-paid","mode":"postpaid","currency":"GBP","creditLimit":{{{PostpaidLimit}}},"hardLimit":false,"initialBalance":0,"rateDeckId":"{{{IngestDeck.DeckId}}}","billingDay":1,"timeZone":"Europe/London","tax":{"treatment":"standard","rate":0.2}}"""));
}

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
