using FsCheck.Xunit;
using ServerlessBilling.Core.Cdrs;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Cdrs;

public class IdentifiersTests
{
    [Theory]
    [InlineData("a84b4c76e66710@pc33.atlanta.com")]
    [InlineData("3848276298220188511@atlanta.example.com")]
    [InlineData("a/b?c\\d\"e%41[f]{g}<h>:i'j`k~l(m)n!o*p+q_r.s-t@host")]
    [InlineData("#not-rfc3261-but-harmless")]
    public void A_session_id_may_be_any_call_id(string id)
    {
        Assert.Null(Identifiers.ValidateSession(id, "sessionId"));
    }

    [Fact]
    public void A_session_id_holds_256_characters_and_not_257()
    {
        Assert.Null(Identifiers.ValidateSession(Fixtures.CallId("x", 256), "sessionId"));
        Assert.Equal("sessionId is longer than 256 characters", Identifiers.ValidateSession(Fixtures.CallId("x", 257), "sessionId"));
    }

    [Theory]
    [InlineData("", "sessionId is missing")]
    [InlineData("a b", "sessionId contains a character that is not allowed (control, white space)")]
    [InlineData("a\tb", "sessionId contains a character that is not allowed (control, white space)")]
    [InlineData("a\u0000b", "sessionId contains a character that is not allowed (control, white space)")]
    public void A_session_id_has_no_white_space_or_control_character(string id, string reason)
    {
        Assert.Equal(reason, Identifiers.ValidateSession(id, "sessionId"));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a?b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    public void Other_ids_still_refuse_path_characters(string id)
    {
        Assert.Equal("accountId contains a character that is not allowed (control, white space, / \\ ? #)", Identifiers.Validate(id, "accountId"));
        Assert.False(Identifiers.IsPlain(id));
        Assert.Null(Identifiers.ValidateSession(id, "sessionId"));
    }

    /// <summary>Stores keep plain session ids as they are: an id valid before the session rule widened stays valid and plain.</summary>
    [Property(MaxTest = 500)]
    public bool Every_id_the_general_rule_accepts_is_a_valid_plain_session_id(string? id) =>
        id is null || Identifiers.Validate(id, "id") is not null || (Identifiers.IsPlain(id) && Identifiers.ValidateSession(id, "id") is null);
}
