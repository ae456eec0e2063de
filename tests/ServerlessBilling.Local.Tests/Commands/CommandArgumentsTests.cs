using ServerlessBilling.Local.Commands;

namespace ServerlessBilling.Local.Tests.Commands;

public sealed class CommandArgumentsTests
{
    private static CommandArguments Parse(params string[] args) => CommandArguments.Parse(args, ["deck", "out"], ["quiet"]);

    [Fact]
    public void Values_come_after_an_equals_sign_or_as_the_next_argument()
    {
        var parsed = Parse("--deck", "a.csv", "--out=-", "--quiet");
        Assert.Null(parsed.Error);
        Assert.Equal("a.csv", parsed["deck"]);
        Assert.Equal("-", parsed["out"]);
        Assert.True(parsed.Has("quiet"));
        Assert.Null(Parse()["deck"]);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("-0.5")]
    [InlineData("-.5")]
    public void A_negative_number_after_an_option_is_its_value(string value)
    {
        var parsed = Parse("--deck", value, "--quiet");
        Assert.Null(parsed.Error);
        Assert.Equal(value, parsed["deck"]);
        Assert.True(parsed.Has("quiet"));
    }

    [Theory]
    [InlineData("option '--deck' needs a value", "--deck")]
    [InlineData("option '--deck' needs a value", "--deck", "-h")]
    [InlineData("option '--deck' needs a value", "--deck=")]
    [InlineData("option '--deck' needs a value", "--deck", "--out", "x")]
    [InlineData("option '--deck' is given more than once", "--deck", "a", "--deck=b")]
    [InlineData("flag '--quiet' takes no value", "--quiet=yes")]
    [InlineData("option '--quiet' is given more than once", "--quiet", "--quiet")]
    [InlineData("unknown option '--bogus'", "--bogus", "--deck")]
    [InlineData("unexpected argument 'x'", "x")]
    [InlineData("unexpected argument '--'", "--")]
    public void The_first_problem_is_named(string expected, params string[] args) =>
        Assert.Equal(expected, Parse(args).Error);

    [Fact]
    public void Help_wins_over_an_error_wherever_it_stands()
    {
        var parsed = Parse("--bogus", "x", "-h");
        Assert.True(parsed.Help);
        Assert.Equal("unknown option '--bogus'", parsed.Error);
    }
}
