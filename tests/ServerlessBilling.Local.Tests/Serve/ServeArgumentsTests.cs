using System.Reflection;
using ServerlessBilling.Local.Commands.Serve;

namespace ServerlessBilling.Local.Tests.Serve;

public sealed class ServeArgumentsTests
{
    [Fact]
    public void No_demo_does_not_take_the_next_argument()
    {
        var parsed = ServeArguments.Parse(["--no-demo", "--urls", "http://127.0.0.1:8080"]);

        Assert.Null(parsed.Error);
        Assert.Equal(["--Local:SeedDemo=false", "--urls=http://127.0.0.1:8080"], parsed.Configuration);
    }

    [Theory]
    [InlineData("--CreditControl:MaxQuotaSeconds", "600", "--CreditControl:MaxQuotaSeconds=600")]
    [InlineData("--creditcontrol:maxquotaseconds=600", null, "--creditcontrol:maxquotaseconds=600")]
    [InlineData("--Cosmos:Endpoint=https://127.0.0.1:8081/", null, "--Cosmos:Endpoint=https://127.0.0.1:8081/")]
    [InlineData("--Logging:LogLevel:Default", "Debug", "--Logging:LogLevel:Default=Debug")]
    [InlineData("--Store=memory", null, "--Store=memory")]
    [InlineData("--Local:SeedDemo=false", null, "--Local:SeedDemo=false")]
    [InlineData("--Auth:AdminKeys=k1,k2", null, "--Auth:AdminKeys=k1,k2")]
    [InlineData("--Sqlite:Durability=PowerLoss", null, "--Sqlite:Durability=PowerLoss")]
    public void Settings_of_the_host_pass_through_as_key_equals_value(string arg, string? value, string expected)
    {
        var parsed = ServeArguments.Parse(value is null ? [arg] : [arg, value]);

        Assert.Null(parsed.Error);
        Assert.Equal([expected], parsed.Configuration);
    }

    [Theory]
    [InlineData("--Local:SeeDemo=false", "unknown setting '--Local:SeeDemo' (known: Local:")]
    [InlineData("--Nope:Key=1", "unknown option '--Nope:Key'")]
    [InlineData("--verbose", "unknown option '--verbose'")]
    [InlineData("urls=http://x", "unexpected argument 'urls=http://x'")]
    [InlineData("--", "unexpected argument '--'")]
    [InlineData("--urls", "option '--urls' needs a value")]
    public void Unknown_or_malformed_arguments_are_refused(string arg, string expected)
    {
        var parsed = ServeArguments.Parse([arg]);

        Assert.NotNull(parsed.Error);
        Assert.StartsWith(expected, parsed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flag_is_not_taken_as_the_value_of_the_option_before_it()
    {
        var parsed = ServeArguments.Parse(["--urls", "--no-demo"]);

        Assert.Equal("option '--urls' needs a value (--urls=VALUE)", parsed.Error);
    }

    [Fact]
    public void Help_wins_over_an_error()
    {
        var parsed = ServeArguments.Parse(["--bogus", "--help"]);

        Assert.True(parsed.Help);
    }

    /// <summary>
    /// Every settings section of the assemblies the host runs (each options class names its section in a
    /// <c>Section</c> constant) is accepted on the command line, so that no documented setting is refused as
    /// unknown when a new options class is added.
    /// </summary>
    [Fact]
    public void Every_options_section_the_host_reads_is_accepted()
    {
        var settings = (
            from options in OptionsClasses()
            from property in options.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            where property.CanWrite
            select $"--{options.Section}:{property.Name}=1").ToList();

        Assert.Contains("--Sqlite:Durability=1", settings);
        Assert.All(settings, setting => Assert.Null(ServeArguments.Parse([setting]).Error));
    }

    /// <summary>appsettings.json shows every settings section the host reads, so that an operator finds each one there.</summary>
    [Fact]
    public void Appsettings_shows_every_section_the_host_reads()
    {
        var sections = OptionsClasses().Select(o => o.Section).ToHashSet(StringComparer.Ordinal);
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(folder.FullName, "ServerlessBilling.sln")))
        {
            folder = folder.Parent ?? throw new InvalidOperationException("the repository root was not found");
        }

        using var settings = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.FullName, "src", "ServerlessBilling.Local", "appsettings.json")));
        var shown = settings.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("Memory", sections);
        Assert.Empty(sections.Except(shown).Order(StringComparer.Ordinal));
    }

    /// <summary>The options classes of the assemblies the host runs: each names its settings section in a <c>Section</c> constant.</summary>
    private static IEnumerable<(Type Type, string Section)> OptionsClasses()
    {
        var local = typeof(ServeArguments).Assembly;
        return
            from assembly in local.GetReferencedAssemblies()
                .Where(a => a.Name!.StartsWith("ServerlessBilling.", StringComparison.Ordinal))
                .Select(Assembly.Load)
                .Append(local)
            from type in assembly.GetExportedTypes()
            let section = type.GetField("Section", BindingFlags.Public | BindingFlags.Static)
            where section is { IsLiteral: true } && section.FieldType == typeof(string)
            select (type, (string)section.GetRawConstantValue()!);
    }
}
