namespace ServerlessBilling.Core.Storage;

/// <summary>
/// A session id claimed in the name of an account that does not exist holds nothing: its authorize was answered
/// ACCOUNT_NOT_FOUND and reserved nothing. The claim is taken before the account is read (outside the account's
/// write), so such a claim is made, and let go again at once (<see cref="ISessionIndex.ReleaseAsync"/>). One that
/// is found before it was let go (a concurrent step, an authorize cut short, a process that remembered it) is let go
/// by whoever finds it, so that a misconfigured or hostile authorize never keeps a call id from its real account.
/// </summary>
public static class SessionClaims
{
    /// <summary>
    /// When <paramref name="owner"/>, the account the index names for the session, does not exist, lets its claim
    /// go and answers true: the index is then to be asked again. False when the account exists (its claim stands).
    /// Should the account be created between the read and the release, and an authorize have opened the session on it
    /// on the strength of that claim, the claim is made again and the answer is false: the account is read once more
    /// after the release, so an authorize that wrote before it is seen.
    /// </summary>
    public static async ValueTask<bool> ReleaseIfOwnerAbsentAsync(this ISessionIndex sessions, IAccountStore accounts, string sessionId, string owner, CancellationToken cancellationToken)
    {
        if (await accounts.GetAsync(owner, cancellationToken) is not null)
        {
            return false;
        }

        await sessions.ReleaseAsync(sessionId, owner, cancellationToken);
        if (await accounts.GetAsync(owner, cancellationToken) is { } created && created.Value.Sessions.ContainsKey(sessionId))
        {
            await sessions.ClaimNowAsync(sessionId, owner, cancellationToken);
            return false;
        }

        return true;
    }
}
