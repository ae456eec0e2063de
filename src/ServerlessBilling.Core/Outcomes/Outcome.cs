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
    /// <summary>Each problem of an invalid request on its own (the <c>errors</c> of a 400), when there are several to list.</summary>
    public IReadOnlyList<string>? Errors { get; init; }

    public static OutcomeError Invalid(IReadOnlyList<string> errors) => new(OutcomeErrorKind.Invalid, string.Join("; ", errors)) { Errors = errors };

    public static OutcomeError Conflict(string detail) => new(OutcomeErrorKind.Conflict, detail);

    public static OutcomeError NotFound(string detail) => new(OutcomeErrorKind.NotFound, detail);

    public static OutcomeError Invalid(string detail) => new(OutcomeErrorKind.Invalid, detail);
}
