namespace ServerlessBilling.LoadBench.Calls;

/// <summary>
/// After a run: every account's ledger adds up, every successful pair was charged exactly once, and the only
/// sessions still open are those whose terminate failed.
/// </summary>
internal static class Ledger
{
    public static bool Check(IReadOnlyCollection<AccountState> accounts, long successfulPairs, long dangling, out string problem)
    {
        problem = "";
        long calls = 0;
        long active = 0;
        foreach (var account in accounts)
        {
            if (account.OpeningBalance + account.TopUps - account.Committed != account.Balance)
            {
                problem = $"account {account.AccountId}: opening + top-ups - committed != balance";
                return false;
            }

            calls += account.Totals.Values.Sum(t => (long)t.Total.Calls);
            active += account.ActiveSessions;
        }

        if (active != dangling)
        {
            problem = $"{active} sessions still open, {dangling} terminates failed";
            return false;
        }

        // Warm-up pairs run on other accounts; a pair cut short by the end of the run is not counted as successful.
        if (calls != successfulPairs)
        {
            problem = $"{calls} calls charged, {successfulPairs} pairs succeeded";
            return false;
        }

        return true;
    }
}
