namespace ServerlessBilling.Local.Commands.Rate;

/// <summary>What a rate run did: every line is either rated or rejected, so Lines = Rated + Rejected.</summary>
/// <param name="HeaderError">Why the CDR header cannot be read; then nothing was rated or written.</param>
public sealed record RateSummary(long Lines, long Rated, long Rejected, decimal TotalCharge, TimeSpan Elapsed, string? HeaderError = null)
{
    public double CdrsPerSecond => Elapsed > TimeSpan.Zero ? Lines / Elapsed.TotalSeconds : 0d;
}
