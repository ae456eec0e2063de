using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Core;

/// <summary>What a rule decided: the next account document (null: unchanged) and the answer, or an error.</summary>
public readonly record struct Decision<T>(AccountState? Next, T? Answer, OutcomeError? Error)
    where T : class
{
    /// <summary>
    /// Set when an authorize was refused because the account holds the most open sessions it may
    /// (<see cref="CreditControl.CreditControlOptions.MaxOpenSessionsPerAccount"/>): its answer, CREDIT_LIMIT_REACHED,
    /// tells that from credit spent only by its <see cref="CreditControl.GrantAnswer.Reason"/>, so the service also logs it
    /// for the operator.
    /// </summary>
    public CreditControl.OpenSessionBound? AtOpenSessionBound { get; init; }
}

public static class Decision
{
    public static Decision<T> Changed<T>(AccountState next, T answer) where T : class => new(next, answer, null);

    public static Decision<T> Unchanged<T>(T answer) where T : class => new(null, answer, null);

    public static Decision<T> Failed<T>(OutcomeError error) where T : class => new(null, null, error);
}
