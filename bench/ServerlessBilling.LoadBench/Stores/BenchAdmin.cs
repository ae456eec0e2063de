namespace ServerlessBilling.LoadBench.Stores;

/// <summary>Sets a case up through Core's <see cref="AccountService"/>, as an operator would: its rate deck and its accounts.</summary>
internal static class BenchAdmin
{
    public static async Task ImportDeckAsync(AccountService admin, string deckId, string csv, CancellationToken cancellationToken)
    {
        var import = await admin.ImportDeckAsync(deckId, new StringReader(csv), cancellationToken);
        if (!import.Succeeded)
        {
            throw new InvalidOperationException($"the bench deck '{deckId}' is invalid: " + string.Join("; ", import.Errors));
        }
    }

    /// <summary>Opens <paramref name="ids"/>[i] with the settings and opening balance <paramref name="account"/> gives for i.</summary>
    public static Task OpenAsync(
        AccountService admin, IReadOnlyList<string> ids, Func<int, (AccountSettings Settings, decimal Opening)> account, int parallel, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, ids.Count),
            new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var (settings, opening) = account(i);
                var opened = await admin.UpsertAsync(ids[i], settings, opening, ct);
                if (opened.Error is { } error)
                {
                    throw new InvalidOperationException($"could not open account {ids[i]}: {error.Detail}");
                }
            });
}
