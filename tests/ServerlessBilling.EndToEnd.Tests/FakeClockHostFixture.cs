using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;

namespace ServerlessBilling.EndToEnd.Tests;

/// <summary>
/// The local host with a clock the tests move (from the real time it started at), so that a replay can come days after
/// the fact, and a rate deck store whose reads it can hold; the expiry sweep is run by the test (<see cref="SweepAsync"/>), not waited for.
/// </summary>
public sealed class FakeClockHostFixture : LocalHostFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>The host's rate deck store (in memory), whose reads a test can hold.</summary>
    public GatedDeckStore Decks { get; } = new(new InMemoryRateDeckStore());

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TimeProvider>(Clock);
        builder.Services.AddSingleton<IRateDeckStore>(Decks);
    }

    /// <summary>Moves the clock on and runs the sweep that releases lapsed reservations and drops old lapsed sessions.</summary>
    public async Task AdvanceAndSweepAsync(TimeSpan by)
    {
        Clock.Advance(by);
        await SweepAsync();
    }

    public Task<int> SweepAsync() => Services.GetRequiredService<CreditControlService>().ReleaseExpiredAsync(CancellationToken.None);
}
