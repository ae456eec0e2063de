using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Core.Tests.Cdrs;

/// <summary>
/// Round twenty-five of the hostile review: a CDR whose id holds U+FFFD is quarantined (a byte that is not UTF-8), but
/// the API still took such an id elsewhere: an authorize opened a session "call-\uFFFD-1" whose CDR could then never
/// be charged (quarantined as not UTF-8), so a call whose terminate never came, or met a 409, went uncharged; an account
/// with such an id had every CDR quarantined. Every id received is held to the rule its CDRs are (HTTP:
/// HostileRoundTwentyFiveHttpTests).
/// </summary>
public sealed class HostileRoundTwentyFiveIdentifierTests
{
    [Theory]
    [InlineData("call-\uFFFD-1")]
    [InlineData("\uFFFD")]
    [InlineData("a@b\uFFFD")]
    public void A_session_id_or_an_id_holding_the_replacement_character_is_refused_as_its_cdr_would_be(string id)
    {
        Assert.Contains("not valid UTF-8", Identifiers.ValidateSessionReceived(id, "sessionId"), StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", Identifiers.ValidateReceived(id, "accountId"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cdr_id_holding_it_keeps_its_reason()
    {
        var reason = CdrValidation.Validate("c-\uFFFD", "acme", "+441234", "+442071234567", "2026-11-26T09:00:00Z", "60", "ANSWERED", "", out _);
        Assert.Equal("cdr_id is not valid UTF-8 (a byte that is not was read as U+FFFD): send the file in UTF-8", reason);
    }

    [Theory]
    [InlineData("appel-é-1")]
    [InlineData("通话-1")]
    public void Other_letters_are_still_ids(string id)
    {
        Assert.Null(Identifiers.ValidateSessionReceived(id, "sessionId"));
        Assert.Null(Identifiers.ValidateReceived(id, "accountId"));
    }
}
