using System.Collections.Concurrent;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Core.Money;
using ServerlessBilling.Core.Rating;

namespace ServerlessBilling.Local.Commands.Simulate;

/// <summary>
/// The simulator's own books: every CDR it made and every top-up it paid, per account. What an account should
/// hold is computed from these alone, rated with Core's rules (<see cref="SimulatorDeck.Deck"/>), never from what
/// the platform answered.
/// </summary>
public sealed class Books
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Core.Cdrs.Cdr>> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, decimal> _topUps = new(StringComparer.Ordinal);

    public void Record(Core.Cdrs.Cdr cdr)
    {
        ArgumentNullException.ThrowIfNull(cdr);
        _calls.GetOrAdd(cdr.AccountId, _ => new ConcurrentQueue<Core.Cdrs.Cdr>()).Enqueue(cdr);
    }

    public void TopUp(string accountId, decimal amount) => _topUps.AddOrUpdate(accountId, amount, (_, sum) => sum + amount);

    public IReadOnlyCollection<Core.Cdrs.Cdr> CallsOf(string accountId) => _calls.TryGetValue(accountId, out var calls) ? [.. calls] : [];

    public decimal TopUpsOf(string accountId) => _topUps.GetValueOrDefault(accountId);

    /// <summary>The sum of the account's calls, each rated by the rating rules.</summary>
    public decimal ChargesOf(string accountId) => CallsOf(accountId).Sum(c => Rate(c).Charge);

    /// <summary>
    /// What an invoice for the calls started in [<paramref name="from"/>, <paramref name="to"/>) should total before
    /// tax: one line per destination, each rounded once to pennies.
    /// </summary>
    public decimal InvoiceSubtotalOf(string accountId, DateTimeOffset from, DateTimeOffset to) =>
        CallsOf(accountId)
            .Where(c => c.StartTime >= from && c.StartTime < to)
            .Select(c => Rate(c))
            .Where(r => r.IsRated && r.BilledSeconds > 0)
            .GroupBy(r => r.Row!.Destination, StringComparer.Ordinal)
            .Sum(line => Rounding.Invoice(line.Sum(r => r.Charge)));

    public static RatingOutcome Rate(Core.Cdrs.Cdr cdr)
    {
        ArgumentNullException.ThrowIfNull(cdr);
        return SimulatorDeck.Deck.Rate(cdr.CalledNumber, cdr.StartTime, cdr.DurationSeconds, cdr.Disposition);
    }
}

/// <summary>One figure of an account where the platform and the simulator disagree.</summary>
public sealed record Mismatch(string AccountId, string Figure, decimal Platform, decimal Expected)
{
    public override string ToString() =>
        $"{AccountId}: {Figure} is {Text(Platform)} on the platform, {Text(Expected)} by the simulator's rating (difference {Text(Platform - Expected)})";

    private static string Text(decimal amount) => amount.ToString("0.############", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One account's books as checked at the end of the run.</summary>
/// <param name="PeriodRolled">The billing period changed during the run, so periodSpend could not be checked.</param>
public sealed record AccountCheck(SimulatedAccount Account, string AccountId, Core.Accounts.BalanceView Platform, decimal ExpectedBalance, decimal Charges, int Calls, bool PeriodRolled, IReadOnlyList<Mismatch> Mismatches);

/// <summary>Compares the platform's figures for an account with the simulator's books.</summary>
public static class BooksCheck
{
    /// <param name="periodStartAtCreation">The account's billing period when the run created it.</param>
    public static AccountCheck Check(Books books, SimulatedAccount account, string accountId, Core.Accounts.BalanceView platform, DateTimeOffset periodStartAtCreation)
    {
        ArgumentNullException.ThrowIfNull(books);
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(platform);
        var charges = books.ChargesOf(accountId);
        var expectedBalance = account.OpeningBalance + books.TopUpsOf(accountId) - charges;
        var mismatches = new List<Mismatch>();
        Compare(mismatches, accountId, "balance", platform.Balance, expectedBalance);
        Compare(mismatches, accountId, "reserved", platform.Reserved, 0m);
        Compare(mismatches, accountId, "activeSessions", platform.ActiveSessions, 0m);

        // Every charge of the run was committed in the period the account was created in, unless it rolled over.
        var rolled = platform.PeriodStart != periodStartAtCreation;
        if (!account.Prepaid && !rolled)
        {
            Compare(mismatches, accountId, "periodSpend", platform.PeriodSpend, charges);
        }

        return new AccountCheck(account, accountId, platform, expectedBalance, charges, books.CallsOf(accountId).Count, rolled, mismatches);
    }

    private static void Compare(List<Mismatch> mismatches, string accountId, string figure, decimal platform, decimal expected)
    {
        if (platform != expected)
        {
            mismatches.Add(new Mismatch(accountId, figure, platform, expected));
        }
    }
}
