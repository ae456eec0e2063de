using System.Text.Json;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Local.Commands.Simulate;

namespace ServerlessBilling.Local.Tests.Simulate;

/// <summary>Which denials the simulator's pre-paid customers top up for.</summary>
public sealed class SwitchCallDenialTests
{
    private const string Refused = """{"sessionId":"s","resultCode":"CREDIT_LIMIT_REACHED","grantedSeconds":0,"validitySeconds":0,"finalUnit":true,"reservedAmount":0,"ratePerMinute":0.6,"currency":"GBP","availableAfter":40""";

    [Theory]
    [InlineData(Refused + "}", true)]
    [InlineData(Refused + ""","reason":"OPEN_SESSIONS"}""", false)]
    [InlineData(Refused + ""","reason":"OPEN_SESSIONS_SIZE"}""", false)]
    [InlineData("""{"sessionId":"s","resultCode":"ACCOUNT_SUSPENDED","grantedSeconds":0,"validitySeconds":0,"finalUnit":true,"reservedAmount":0,"ratePerMinute":0,"currency":"GBP","availableAfter":40}""", false)]
    public void A_top_up_answers_a_refusal_for_credit_only_not_one_at_the_open_session_bound(string answer, bool topsUp)
    {
        // The open-session bound refuses CREDIT_LIMIT_REACHED with credit left and a reason: a top-up does not help there,
        // and the simulator topped up on it as on a refusal for credit, misleading its report and the account's balance.
        var grant = JsonSerializer.Deserialize<GrantAnswer>(answer, Api.Http.ApiJson.Options)!;

        Assert.Equal(topsUp, SwitchCall.IsForCredit(grant));
    }
}
