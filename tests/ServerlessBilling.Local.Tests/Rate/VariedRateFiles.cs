using System.Globalization;
using System.Text;

namespace ServerlessBilling.Local.Tests.Rate;

/// <summary>
/// A deck with many destinations and a CDR file that mixes every kind of line the <c>rate</c> command meets:
/// valid calls on every tariff shape and at rate changes, quoted and padded fields, blank and white-space lines,
/// CR, LF and CRLF line ends, quarantined lines of every reason, extreme durations and amounts, non-ASCII text
/// and bytes that are not UTF-8. Generated from a fixed seed, so the same bytes every time; the result of the
/// command on main (before the parallel byte-level rater) is kept in <c>Rate/Reference/varied-rated.csv</c>, brought up to
/// date once since: a CDR line with a quote in an unquoted field is refused, no longer rated (94 lines of shape 18).
/// </summary>
internal static class VariedRateFiles
{
    public const string DeckId = "varied";

    private static readonly string[] Destinations =
        ["United Kingdom", "France", "Korea, Republic of", "Netherlands \"NL\"", "Côte d'Ivoire", "日本", "Mobile, \"premium\"", "US"];

    private static readonly (int Min, int Increment)[] Steps = [(60, 60), (30, 6), (1, 1), (0, 1), (0, 60), (60, 1), (86_400, 1)];

    public static string Deck()
    {
        var random = new Random(15);
        var deck = new StringBuilder("prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to\n");
        var prefixes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 400; i++)
        {
            var prefix = Digits(random, 1 + random.Next(7));
            if ((prefix[0] == '9' && prefix.Length < 4) || !prefixes.Add(prefix))
            {
                continue;
            }

            var destination = Destinations[random.Next(Destinations.Length)] + " " + prefix;
            var (min, increment) = Steps[random.Next(Steps.Length)];
            var rate = random.Next(10) switch
            {
                0 => "0",
                1 => "99999999.9999",
                2 => "123456.123456789",
                3 => "0.00005",
                _ => (random.Next(1, 50_000) / 10_000m).ToString(CultureInfo.InvariantCulture),
            };
            var fee = random.Next(4) == 0 ? (random.Next(1, 500) / 10_000m).ToString(CultureInfo.InvariantCulture) : random.Next(8) == 0 ? "0.12345" : "";
            var quoted = destination.Contains(',') || destination.Contains('"') ? "\"" + destination.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : destination;
            if (random.Next(5) == 0)
            {
                // A rate change: one row up to the first of next month, the next from then on.
                deck.Append(CultureInfo.InvariantCulture, $"{prefix},{quoted},{rate},{fee},{min},{increment},,2026-12-01\n");
                deck.Append(CultureInfo.InvariantCulture, $"{prefix},{quoted},{random.Next(1, 900) / 1000m},,{min},{increment},2026-12-01,\n");
            }
            else
            {
                deck.Append(CultureInfo.InvariantCulture, $"{prefix},{quoted},{rate},{fee},{min},{increment},,\n");
            }
        }

        return deck.ToString();
    }

    public static byte[] Cdrs(int lines = 8000)
    {
        var random = new Random(2026);
        var text = new StringBuilder();
        text.Append("cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id\n");
        for (var i = 0; i < lines; i++)
        {
            text.Append(Line(random, i));
            text.Append(random.Next(40) switch
            {
                0 => "\r\n",
                1 => "\r",
                2 => "\n\n",
                3 => "\n   \t \n",
                _ => "\n",
            });
        }

        // No line end after the last line.
        text.Append("last,acct,+1,+4420,2026-11-26T10:00:00Z,61,ANSWERED,");
        var bytes = Encoding.UTF8.GetBytes(text.ToString());

        // Bytes that are not UTF-8 where the text has '¤' (two bytes, C2 A4): a lone continuation byte and a truncated sequence.
        for (var i = 0; i + 1 < bytes.Length; i++)
        {
            if (bytes[i] == 0xC2 && bytes[i + 1] == 0xA4)
            {
                (bytes[i], bytes[i + 1]) = (i % 2 == 0) ? ((byte)0xA4, (byte)0xFF) : ((byte)0xE2, (byte)0x82);
            }
        }

        return bytes;
    }

    private static string Line(Random random, int i)
    {
        var id = $"v-{i:D5}";
        var account = $"acct-{random.Next(50)}";
        var calling = "+4477009" + Digits(random, 5);
        var called = Called(random);
        var start = Start(random);
        var duration = Duration(random);
        var disposition = random.Next(10) switch { 0 => "NO_ANSWER", 1 => "busy", 2 => "Failed", 3 => " answered ", _ => "ANSWERED" };
        var session = random.Next(3) == 0 ? "s-" + i : "";
        return random.Next(60) switch
        {
            0 => $"\"{id}\",\"{account}\",{calling},\"{called}\",{start},{duration},{disposition},{session}",
            1 => $"\"v-\"\"q\"\"{i}\",{account},{calling},{called},{start},{duration},{disposition},{session}",
            2 => $"  {id} , {account} ,{calling}, {called} , {start} , {duration} ,{disposition}, {session} ",
            3 => $"{id},{account},{calling},{called},{start},{duration},{disposition}",
            4 => $"{id},{account},{calling},{called},{start},{duration},{disposition},{session},extra",
            5 => $"{id},{account},\"{calling},{called},{start},{duration},{disposition},{session}",
            6 => $"{id},\"{account}\"x,{calling},{called},{start},{duration},{disposition},{session}",
            7 => $"{id},{account},{calling},{called},{start},{duration},{disposition},{session}".PadRight(8200, ' ') + "x",
            8 => $"{new string('i', 129)},{account},{calling},{called},{start},{duration},{disposition},{session}",
            9 => $"{id}/x,{account},{calling},{called},{start},{duration},{disposition},{session}",
            10 => $",{account},{calling},{called},{start},{duration},{disposition},{session}",
            11 => $"{id},,{calling},{called},{start},{duration},{disposition},{session}",
            12 => $"{id},{account},{calling}\u0001,{called},{start},{duration},{disposition},{session}",
            13 => $"{id},{account},{new string('5', 65)},{called},{start},{duration},{disposition},{session}",
            14 => $"{id},{account},{calling},{called},{start},{duration},HUNG_UP,{session}",
            15 => $"{id},{account},{calling},{called},{start},{duration},{disposition},bad session\u0002",
            16 => $"{id}¤,{account}¤,{calling},{called},{start},{duration},{disposition},{session}",
            17 => $"v-é{i},{account},Zoë,{called},{start},{duration},{disposition},{session}",
            18 => $"{id}\"x,{account},{calling},{called},{start},{duration},{disposition},{session}",
            19 => $"{id},{account},{calling},{called},{start},{duration},{disposition},{new string('s', 257)}",
            20 => $"{id},{account},{calling},{called},{start},{duration},{disposition},sip:{i}@host/a\\b?c",
            _ => $"{id},{account},{calling},{called},{start},{duration},{disposition},{session}",
        };
    }

    private static string Called(Random random) => random.Next(80) switch
    {
        0 => "",
        1 => "+",
        2 => "abc",
        3 => "+44 20 7123",
        4 => "+" + Digits(random, 33),
        5 => "+" + Digits(random, 32),
        6 => "0044" + Digits(random, 9),
        7 => Digits(random, 11),
        8 => "00",
        9 => " +" + Digits(random, 10) + " ",
        10 => "+١٢٣",
        11 => "+9" + Digits(random, 3),
        _ => "+" + Digits(random, 6 + random.Next(8)),
    };

    private static string Start(Random random)
    {
        var at = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero).AddSeconds(random.Next(20 * 86_400));
        return random.Next(60) switch
        {
            0 => at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture),
            1 => at.ToOffset(TimeSpan.FromHours(random.Next(-12, 15))).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            2 => at.ToString("yyyy-MM-dd HH:mm:ssK", CultureInfo.InvariantCulture),
            3 => at.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
            4 => "2026-02-30T10:00:00Z",
            5 => "1999-12-31T23:59:59Z",
            6 => "9999-12-31T23:59:59+01:00",
            7 => "0001-01-01T00:00:00-01:00",
            8 => "",
            9 => "2026-11-30T23:59:59z",
            10 => "2026-11-30T24:00:00Z",
            11 => "2026-12-01T00:00:00+14:00",
            12 => "2026-11-30T23:59:59.9999999Z",
            _ => at.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
        };
    }

    private static string Duration(Random random) => random.Next(60) switch
    {
        0 => "0",
        1 => "-1",
        2 => "604800",
        3 => "604801",
        4 => "2147483648",
        5 => "+61",
        6 => "1.5",
        7 => "",
        8 => " 30 ",
        9 => "1",
        10 => "59",
        11 => "86400",
        12 => "٣",
        _ => random.Next(1, 3_600).ToString(CultureInfo.InvariantCulture),
    };

    private static string Digits(Random random, int count)
    {
        var digits = new char[count];
        digits[0] = (char)('1' + random.Next(9));
        for (var i = 1; i < count; i++)
        {
            digits[i] = (char)('0' + random.Next(10));
        }

        return new string(digits);
    }
}
