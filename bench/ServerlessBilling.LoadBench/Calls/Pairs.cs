using System.Globalization;
using ServerlessBilling.Core;
using ServerlessBilling.LoadBench.Infrastructure;

namespace ServerlessBilling.LoadBench.Calls;

/// <summary>What went wrong in pairs: the updater gave up (503 to a switch), or a session was left open.</summary>
internal sealed class PairStats
{
    /// <summary>Steps that threw <see cref="StoreUnavailableException"/>: "stayed contended after 51 attempts" or a store fault.</summary>
    public StripedCounter GaveUp { get; } = new();

    /// <summary>Authorized but not terminated (the terminate failed): the session still holds its reservation.</summary>
    public StripedCounter Dangling { get; } = new();
}

/// <summary>The unit of work of the core and cosmos scenarios: authorize a new session, then terminate it.</summary>
internal static class Pairs
{
    /// <summary>Session "{phase}{worker}-{sequence}" on account (sequence × workers + worker) mod N: workers walk the accounts in step.</summary>
    public static ClosedLoop.Operation Operation(CreditControlService service, string[] accounts, int workers, string phase, PairStats stats) =>
        async (worker, sequence) =>
        {
            var sessionId = string.Create(CultureInfo.InvariantCulture, $"{phase}{worker}-{sequence}");
            var accountId = accounts[(int)((sequence * workers + worker) % accounts.Length)];
            Outcome<GrantAnswer> grant;
            try
            {
                grant = await service.AuthorizeAsync(
                    new AuthorizeRequest(sessionId, accountId, BenchData.CallingNumber, BenchData.CalledNumber, null, BenchData.RequestedSeconds), CancellationToken.None);
            }
            catch (StoreUnavailableException)
            {
                stats.GaveUp.Add();
                return false;
            }

            if (grant.Answer is not { ResultCode: ResultCode.Success })
            {
                return false;
            }

            try
            {
                var end = await service.TerminateAsync(new TerminateRequest(sessionId, 1, BenchData.UsedSeconds), CancellationToken.None);
                if (end.Answer is { ResultCode: ResultCode.Success })
                {
                    return true;
                }
            }
            catch (StoreUnavailableException)
            {
                stats.GaveUp.Add();
            }

            stats.Dangling.Add();
            return false;
        };
}
