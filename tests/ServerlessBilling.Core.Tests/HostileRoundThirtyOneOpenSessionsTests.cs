using System.Text.Json;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests;

/// <summary>
/// Round thirty-one of the hostile review, on the open-session bound (CreditControl:MaxOpenSessionsPerAccount), which
/// exists to keep an account's document, rewritten whole by every step, below Cosmos DB's 2 MB item limit.
/// </summary>
public sealed class HostileRoundThirtyOneOpenSessionsTests
{
    /// <summary>Cosmos DB's item limit, less room for the rest of the document (closed sessions, applied CDR ids, spend).</summary>
    private const int OpenSessionsRoom = 1_800_000;

    /// <summary>
    /// The bound counted sessions, sized for a 50-character Call-ID (0.8 KB a session). A session id may hold 256
    /// characters (SIP stacks build Call-IDs from a random part, '@' and a host name), and it is stored three times (the
    /// key, the session, its first answer), JSON-escaped: 2,000 open sessions of 256 plain characters were 3 MB, of
    /// characters the serializer escapes (non-ASCII, '+', '&lt;') 10 MB. A switch with long Call-IDs broke the account's
    /// every write on Cosmos DB at about 1,350 open sessions, before the bound was reached.
    /// </summary>
    [Theory]
    [InlineData("plain-50")]
    [InlineData("plain-256")]
    [InlineData("call-id-256")]
    [InlineData("cjk-256")]
    [InlineData("emoji-256")]
    public void Open_sessions_at_the_default_bound_fit_a_cosmos_document_whatever_their_ids(string shape)
    {
        var options = new CreditControlOptions();
        var rules = new CreditControlRules(options);
        var account = AccountState.Open("acme", Fixtures.Prepaid(), 1_000m, Fixtures.Now);
        var deck = Fixtures.Deck();
        var granted = 0;
        GrantAnswer? first = null;
        for (var i = 0; i < options.MaxOpenSessionsPerAccount + 1; i++)
        {
            var decision = rules.Authorize(account, deck, new AuthorizeRequest(Id(shape, i), "acme", "+441234567890", "+447700900123", Fixtures.Now, 0), Fixtures.Now);
            if (decision.Answer!.ResultCode != ResultCode.Success)
            {
                break;
            }

            account = decision.Next!;
            first ??= decision.Answer;
            granted++;
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(account, StoredJson.Options).Length;
        Assert.True(bytes < OpenSessionsRoom, $"{granted} open sessions of {shape} ids: the document is {bytes:N0} bytes");
        Assert.True(granted >= 300, $"only {granted} open sessions of {shape} ids");
        // At the bound, a repeat of an authorize already granted is still answered as it was, with nothing changed.
        var replay = rules.Authorize(account, deck, new AuthorizeRequest(Id(shape, 0), "acme", "+441234567890", "+447700900123", Fixtures.Now, 0), Fixtures.Now);
        Assert.Null(replay.Next);
        Assert.Equal(first, replay.Answer);
        if (shape == "plain-50")
        {
            // A usual Call-ID counts once: the bound is as it was for it.
            Assert.Equal(options.MaxOpenSessionsPerAccount, granted);
        }
    }

    private static string Id(string shape, int i)
    {
        var tail = i.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);
        return shape switch
        {
            "plain-50" => new string('a', 42) + tail,
            "plain-256" => new string('a', 248) + tail,
            "call-id-256" => Fixtures.CallId(tail),
            "cjk-256" => new string('語', 248) + tail,
            _ => string.Concat(Enumerable.Repeat("🚀", 124)) + tail,
        };
    }
}
