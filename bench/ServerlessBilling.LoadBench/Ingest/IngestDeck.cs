using System.Globalization;
using System.Text;

namespace ServerlessBilling.LoadBench.Ingest;

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
