using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Local.Commands.Simulate;

/// <summary>
/// The simulator's rate deck, uploaded as <see cref="DeckId"/>, and the destination mix its calls go to. The
/// simulator rates its own calls with <see cref="Deck"/> (Core's rating rules) to check the platform's books.
/// </summary>
public static class SimulatorDeck
{
    public const string DeckId = "simulator";

    public const string Csv = """
        prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to
        44,United Kingdom,0.0100,0,60,60,,
        4420,United Kingdom London,0.0080,0,30,6,,
        447,United Kingdom Mobile,0.0400,0,30,6,,
        33,France,0.0150,0,60,60,,
        336,France Mobile,0.2400,0.0100,30,6,,
        49,Germany,0.0120,0,60,60,,
        1,United States and Canada,0.0050,0,6,6,,
        91,India,0.0600,0,60,60,,
        234,Nigeria,0.2800,0.0200,60,60,,
        8816,Iridium Satellite,7.5000,0.5000,60,60,,

        """;

    /// <summary>Where the runaway account's calls go: a satellite range, the classic revenue-share fraud.</summary>
    public const string RunawayPrefix = "8816";

    /// <summary>The destinations of ordinary calls, as (dialled prefix, weight).</summary>
    public static readonly IReadOnlyList<(string Prefix, int Weight)> Mix =
    [
        ("4420", 25), ("441", 12), ("447", 25), ("331", 6), ("336", 7), ("49", 6), ("1", 12), ("91", 5), ("234", 2),
    ];

    public static RateDeck Deck { get; } = RateDeckParser.Parse(DeckId, Csv).Deck
        ?? throw new InvalidOperationException("the simulator's own rate deck does not parse");
}
