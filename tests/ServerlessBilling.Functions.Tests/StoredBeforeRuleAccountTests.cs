using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Money;
using ServerlessBilling.Core.Storage;
using Names = ServerlessBilling.Api.ApiRoutes.Names;

namespace ServerlessBilling.Functions.Tests;

/// <summary>
/// An account stored before a validation rule was tightened (a name with a tab, a zone the tz rules now refuse) can
/// still be edited: only the values a PUT changes are checked against today's rules.
/// </summary>
public sealed class StoredBeforeRuleAccountTests
{
    private const string OldName = "Legacy\tTelecom";
    private const string OldZone = "posix/Europe/London";

    [Fact]
    public async Task A_put_that_keeps_an_old_value_is_taken_and_one_that_fixes_it_too_while_a_new_bad_value_is_400()
    {
        // A PUT replaces the settings whole and every value was checked against today's rules, the stored ones too: an
        // operator who read the account back and changed its payment terms got 400 for a name they had not touched, and
        // could fix neither field alone (fixing the name was refused for the zone, and the zone for the name).
        var clock = new FakeTimeProvider(HttpParityTests.Now);
        await using var functions = new FunctionsApp(clock);
        var dispatch = HttpParityTests.Dispatch(functions);
        async Task<Answer> CallAsync(HttpCall call) => await functions.CallAsync(call, dispatch[call.Function](call));
        var deck = new HttpCall(Names.PutRateDeck, "PUT", "ratedecks/demo", "prefix,destination,rate,min_seconds,increment_seconds\n44,United Kingdom,0.01,60,60\n", "text/csv");
        Assert.Equal(200, (await CallAsync(deck)).Status);
        var stored = new AccountSettings(OldName, AccountMode.Prepaid, new Currency("GBP"), null, false, "demo", 1, OldZone, TaxSettings.None);
        Assert.NotEmpty(stored.Validate());
        Assert.NotNull(await functions.Services.GetRequiredService<IAccountStore>().TryCreateAsync(AccountState.Open("legacy", stored, 10m, clock.GetUtcNow()), default));

        HttpCall Put(string name, string zone, int paymentTermsDays) => new(
            Names.PutAccount, "PUT", "accounts/legacy",
            JsonSerializer.Serialize(new { name, mode = "prepaid", currency = "GBP", rateDeckId = "demo", timeZone = zone, paymentTermsDays }));
        async Task<(string? Name, string? Zone, int Terms)> SettingsAsync()
        {
            var read = (await CallAsync(new HttpCall(Names.GetAccount, "GET", "accounts/legacy"))).Json;
            return (read.GetProperty("name").GetString(), read.GetProperty("timeZone").GetString(), read.GetProperty("paymentTermsDays").GetInt32());
        }

        var keeping = await CallAsync(Put(OldName, OldZone, 14));
        Assert.True(keeping.Status == 200, keeping.ToString());
        Assert.Equal((OldName, OldZone, 14), await SettingsAsync());

        // A value the PUT changes is checked as ever: another bad name, or another refused zone, is 400 naming it.
        var newBadName = await CallAsync(Put("Legacy\nTelecom", OldZone, 14));
        var newBadZone = await CallAsync(Put(OldName, "right/Europe/London", 14));
        Assert.Equal((400, 400), (newBadName.Status, newBadZone.Status));
        Assert.Contains("name holds a control character", newBadName.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("timeZone 'right/Europe/London' is not an IANA time zone", newBadZone.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal((OldName, OldZone, 14), await SettingsAsync());

        // Each field can be fixed on its own, the other left as it is stored.
        var fixingName = await CallAsync(Put("Legacy Telecom", OldZone, 14));
        Assert.True(fixingName.Status == 200, fixingName.ToString());
        Assert.Equal(("Legacy Telecom", OldZone, 14), await SettingsAsync());
        var fixingZone = await CallAsync(Put("Legacy Telecom", "Europe/London", 14));
        Assert.True(fixingZone.Status == 200, fixingZone.ToString());
        Assert.Equal(("Legacy Telecom", "Europe/London", 14), await SettingsAsync());

        // Once fixed, the old value is a change like any other: refused.
        var back = await CallAsync(Put(OldName, "Europe/London", 14));
        Assert.Equal(400, back.Status);
    }
}
