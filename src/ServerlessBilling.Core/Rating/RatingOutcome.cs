namespace ServerlessBilling.Core.Rating;

public enum RatingFailure
{
    None,
    InvalidNumber,
    NoMatchingPrefix,
}

/// <summary>The rating of one call: the matched row, billed seconds and charge; or why it could not be rated.</summary>
public readonly record struct RatingOutcome(RateDeckRow? Row, int BilledSeconds, decimal Charge, RatingFailure Failure)
{
    public bool IsRated => Failure == RatingFailure.None;

    public string? Reason => Failure switch
    {
        RatingFailure.None => null,
        RatingFailure.InvalidNumber => "called number is not a dialable digit string",
        _ => "destination not rated: no rate-deck prefix matches the called number at the call's start time",
    };
}
