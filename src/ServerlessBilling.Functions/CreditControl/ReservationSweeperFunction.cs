using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Functions.CreditControl;

/// <summary>
/// Every minute, releases reservations whose validity and grace have passed (the local host's expiry sweeper).
/// A failure propagates: the host logs it and retries (host.json); the next tick sweeps again in any case.
/// </summary>
public sealed partial class ReservationSweeperFunction(CreditControlService creditControl, ILogger<ReservationSweeperFunction> logger)
{
    public const string Name = "ReservationSweeper";
    public const string Schedule = "0 * * * * *";

    [Function(Name)]
    public async Task<int> Run([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var released = await creditControl.ReleaseExpiredAsync(cancellationToken);
        if (released > 0 || timer.IsPastDue)
        {
            LogReleased(logger, released, timer.IsPastDue);
        }

        return released;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Released expired reservations on {Accounts} account(s) (tick past due: {PastDue})")]
    private static partial void LogReleased(ILogger logger, int accounts, bool pastDue);
}
