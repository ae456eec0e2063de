using System.Collections.Concurrent;
using System.Globalization;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Local.Commands.Simulate;

/// <summary>
/// Plays calls as a switch does: authorize before connecting; when a grant is used up, an interim for the next
/// one, unless <c>finalUnit</c> said it was the last, which ends the call; terminate with the use since the last
/// report. Time runs <c>speed</c> times faster than the clock. Each call's CDR goes to the books and the poster.
/// A pre-paid customer denied for credit tops up (at most once every <see cref="TopUpInterval"/>).
/// </summary>
public sealed class SwitchCall(PlatformClient client, SimulationStats stats, Books books, CdrPoster cdrs, string idPrefix, int speed, TimeProvider time)
{
    /// <summary>What the switch asks for at each authorize and interim, as switches commonly do (5 minutes).</summary>
    public const int QuotaSeconds = 300;

    public static readonly TimeSpan TopUpInterval = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, int Count)> _topUps = new(StringComparer.Ordinal);

    public string AccountId(SimulatedAccount account) => $"{idPrefix}-{account.Name}";

    /// <summary>Plays <paramref name="call"/> to its end. Errors the platform answers are counted; not reaching it is thrown.</summary>
    public async Task RunAsync(PlannedCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        stats.CallStarted();
        try
        {
            var cdr = await PlaceAsync(call, cancellationToken);
            books.Record(cdr);
            cdrs.Add(cdr);
        }
        catch (PlatformErrorException e)
        {
            stats.Failed($"call {call.Number}: {e.Message}");
        }
        finally
        {
            stats.CallEnded();
        }
    }

    private async Task<Core.Cdrs.Cdr> PlaceAsync(PlannedCall call, CancellationToken cancellationToken)
    {
        var sessionId = string.Create(CultureInfo.InvariantCulture, $"{idPrefix}-c{call.Number}");
        var accountId = AccountId(call.Account);
        var now = time.GetUtcNow();
        var start = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        Core.Cdrs.Cdr Cdr(Disposition disposition, int seconds, string? session) =>
            new(sessionId, accountId, call.CallingNumber, call.CalledNumber, start, seconds, disposition, session);

        var asked = time.GetTimestamp();
        var grant = await client.AuthorizeAsync(new AuthorizeBody(sessionId, accountId, call.CallingNumber, call.CalledNumber, start, QuotaSeconds), cancellationToken);
        stats.AuthorizeTook(time.GetElapsedTime(asked));
        if (grant.ResultCode != ResultCode.Success)
        {
            stats.Denied(grant.Reason is null ? grant.ResultCode.ToWire() : $"{grant.ResultCode.ToWire()} ({grant.Reason})");
            if (IsForCredit(grant) && call.Account.TopUp > 0)
            {
                await TopUpAsync(call.Account, cancellationToken);
            }

            // The call never connected: its CDR says so, with no session (a denial opens none).
            return Cdr(Disposition.Failed, 0, null);
        }

        stats.Granted();
        var request = 0;
        if (call.Disposition != Disposition.Answered)
        {
            await TalkAsync(call.TalkSeconds, cancellationToken); // ringing
            await client.TerminateAsync(sessionId, new TerminateBody(++request, 0), cancellationToken);
            return Cdr(call.Disposition, 0, sessionId);
        }

        var remaining = call.TalkSeconds;
        var used = 0;
        while (true)
        {
            var granted = grant.GrantedSeconds;
            if (remaining <= granted)
            {
                await TalkAsync(remaining, cancellationToken);
                used += remaining;
                await client.TerminateAsync(sessionId, new TerminateBody(++request, remaining), cancellationToken);
                break;
            }

            await TalkAsync(granted, cancellationToken);
            used += granted;
            remaining -= granted;
            if (grant.FinalUnit)
            {
                // The grant was the last one: the switch ends the call when it is used, not a second later.
                stats.Cut();
                await client.TerminateAsync(sessionId, new TerminateBody(++request, granted), cancellationToken);
                break;
            }

            grant = await client.InterimAsync(sessionId, new InterimBody(++request, granted, QuotaSeconds), cancellationToken);
            stats.Interim();
            if (grant.GrantedSeconds == 0)
            {
                // No further grant (credit ran out, or the account was suspended): the use is reported, the call ends.
                stats.Cut();
                await client.TerminateAsync(sessionId, new TerminateBody(++request, 0), cancellationToken);
                break;
            }
        }

        return Cdr(Disposition.Answered, used, sessionId);
    }

    private Task TalkAsync(int seconds, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromSeconds(seconds / (double)speed), time, cancellationToken);

    /// <summary>
    /// Whether a denial is one a top-up answers: <c>CREDIT_LIMIT_REACHED</c> with no reason. One with a reason was refused at
    /// the open-session bound, with credit left: a customer would not pay in for it, and the simulator does not either.
    /// </summary>
    public static bool IsForCredit(Core.CreditControl.GrantAnswer grant) => grant.ResultCode == ResultCode.CreditLimitReached && grant.Reason is null;

    private async Task TopUpAsync(SimulatedAccount account, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var claimed = false;
        var number = 0;
        _topUps.AddOrUpdate(
            account.Name,
            _ => { claimed = true; number = 1; return (now, 1); },
            (_, last) =>
            {
                claimed = now - last.At >= TopUpInterval;
                number = last.Count + 1;
                return claimed ? (now, number) : last;
            });
        if (!claimed)
        {
            return;
        }

        var accountId = AccountId(account);
        await client.TopUpAsync(accountId, string.Create(CultureInfo.InvariantCulture, $"{accountId}-t{number}"), account.TopUp, cancellationToken);
        books.TopUp(accountId, account.TopUp);
        stats.ToppedUp();
    }
}
