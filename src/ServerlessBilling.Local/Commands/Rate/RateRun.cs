namespace ServerlessBilling.Local.Commands.Rate;

/// <summary>The result of one <c>rate</c> run: its exit code and, as far as it got, the deck import and the rating.</summary>
public sealed record RateRun(int ExitCode, int DeckRows = 0, TimeSpan DeckImportTime = default, RateSummary? Summary = null);
