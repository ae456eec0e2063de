using ServerlessBilling.Core.Rating;
using ServerlessBilling.Core.Tests.Rating;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests;

/// <summary>
/// Text an operator writes that invoices, statements, alerts and logs print as it is: an account's name and a deck's
/// destination names. A control character was refused there; a line or paragraph separator (U+2028, U+2029) breaks the
/// line as a line feed does, and a bidirectional embedding, override or isolate (U+202A-U+202E, U+2066-U+2069) reorders
/// what follows it on the page ("Trojan Source"): "Premium 0900" can print as "0090 muimerP", and an unclosed one
/// reorders the rest of the line. Both were accepted. One rule refuses them all, naming the field.
/// </summary>
public sealed class DisplayTextTests
{
    public static TheoryData<string> Unprintable() =>
    [
        "Acme\u2028Ltd", "Acme\u2029Ltd", "Acme\u202ALtd", "Acme\u202BLtd", "Acme\u202CLtd", "Acme\u202DLtd", "Acme\u202ELtd",
        "Acme\u2066Ltd", "Acme\u2067Ltd", "Acme\u2068Ltd", "Acme\u2069Ltd",
    ];

    [Theory]
    [MemberData(nameof(Unprintable))]
    public void An_account_name_holding_a_separator_or_a_bidirectional_control_is_refused_naming_it(string name)
    {
        var settings = Fixtures.Postpaid(100m, hard: false) with { Name = name };

        var error = Assert.Single(settings.Validate());
        Assert.StartsWith("name holds ", error, StringComparison.Ordinal);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"U+{(int)name[4]:X4}"), error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Unprintable))]
    public void A_destination_holding_a_separator_or_a_bidirectional_control_refuses_the_deck_naming_its_line(string destination)
    {
        var import = RateDeckParser.Parse("d", $"{Decks.Header}\n44,United Kingdom,0.01,0,60,60,,\n33,{destination},0.02,0,60,60,,\n");

        Assert.False(import.Succeeded);
        var error = Assert.Single(import.Errors);
        Assert.Equal(3, error.Line);
        Assert.StartsWith("destination '", error.Reason, StringComparison.Ordinal);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"U+{(int)destination[4]:X4}"), error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Acme\u009bLtd")]
    [InlineData("Acme\u0085Ltd")]
    public void A_destination_holding_a_c1_control_is_refused_as_a_name_is(string destination)
    {
        var import = RateDeckParser.Parse("d", $"{Decks.Header}\n33,{destination},0.02,0,60,60,,\n");

        Assert.EndsWith("holds a control character", Assert.Single(import.Errors).Reason, StringComparison.Ordinal);
        Assert.Contains((Fixtures.Postpaid(100m, hard: false) with { Name = destination }).Validate(), e => e.StartsWith("name holds a control character", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\u05E2\u05D1\u05E8\u05D9\u05EA \u05E0\u05D9\u05D9\u05D3")]
    [InlineData("\u0627\u0644\u0639\u0631\u0628\u064A\u0629 Mobile")]
    [InlineData("Right\u200Fmark and left\u200Emark")]
    public void Right_to_left_text_and_its_marks_are_taken(string text)
    {
        Assert.Empty((Fixtures.Postpaid(100m, hard: false) with { Name = text }).Validate());
        Assert.Equal(text, Assert.Single(RateDeckParser.Parse("d", $"{Decks.Header}\n44,{text},0.01,0,60,60,,\n").Deck!.Rows).Destination);
    }
}
