using System.Text;
using ServerlessBilling.Core.Cdrs;

namespace ServerlessBilling.Core.Tests.Cdrs;

/// <summary>
/// A JSON body that is not JSON is quarantined with its first 4,096 bytes as the raw text. Cut at byte 4,096, a two-byte
/// character that straddles the cut became U+FFFD: the quarantine showed a character the sender never sent, and a body that
/// was valid UTF-8 looked as if it was not. The cut falls between whole characters.
/// </summary>
public sealed class HostileRoundThirtySixRawExcerptTests
{
    [Fact]
    public void Malformed_json_keeps_whole_characters_in_its_raw_text()
    {
        var body = "[" + new string('é', 3000);

        var rejection = Assert.Single(CdrJsonReader.Read(Encoding.UTF8.GetBytes(body))).Rejection!;

        Assert.StartsWith("malformed JSON", rejection.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', rejection.Raw);
        Assert.StartsWith(rejection.Raw, body, StringComparison.Ordinal);
        Assert.Equal(1 + 2047, rejection.Raw.Length);
    }

    [Fact]
    public void A_body_not_utf8_shows_only_its_own_bad_byte_as_a_replacement()
    {
        var bytes = new List<byte> { (byte)'[', 0xFF, (byte)' ' };
        bytes.AddRange(Encoding.UTF8.GetBytes(new string('é', 3000)));

        var rejection = Assert.Single(CdrJsonReader.Read(bytes.ToArray())).Rejection!;

        Assert.Equal("malformed JSON: the body is not valid UTF-8", rejection.Reason);
        Assert.Equal(1, rejection.Raw.Count(c => c == '\uFFFD'));
        Assert.EndsWith("é", rejection.Raw, StringComparison.Ordinal);
    }
}
