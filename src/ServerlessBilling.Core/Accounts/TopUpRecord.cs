namespace ServerlessBilling.Core.Accounts;

/// <summary>A top-up as recorded in the account's append-only history; its id is the caller's idempotency key.</summary>
public sealed record TopUpRecord(string TopUpId, string AccountId, decimal Amount, string Currency, DateTimeOffset AppliedAt);
