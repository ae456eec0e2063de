namespace ServerlessBilling.Core;

/// <summary>An answer, or a reason the request conflicts with what is stored (HTTP 409) or names nothing (HTTP 404).</summary>
public readonly record struct Outcome<T>(T? Answer, OutcomeError? Error)
    where T : class
{
    public static implicit operator Outcome<T>(T answer) => new(answer, null);

    public static implicit operator Outcome<T>(OutcomeError error) => new(null, error);
}

public enum OutcomeErrorKind
{
    Conflict,
    NotFound,
    Invalid,
}

public sealed record OutcomeError(OutcomeErrorKind Kind, string Detail)
{
    public static OutcomeError Conflict(string detail) => new(OutcomeErrorKind.Conflict, detail);

    public static OutcomeError NotFound(string detail) => new(OutcomeErrorKind.NotFound, detail);

    public static OutcomeError Invalid(string detail) => new(OutcomeErrorKind.Invalid, detail);
}
