using System.Threading.Channels;

namespace ServerlessBilling.Local.Commands.Simulate;

/// <summary>
/// Posts the CDRs of ended calls in batches, as a switch's CDR export does: a batch when <see cref="BatchSize"/>
/// have gathered or <see cref="FlushInterval"/> has passed. A batch is checked: every CDR accepted (or a duplicate
/// of a retried post), none quarantined.
/// </summary>
public sealed class CdrPoster
{
    public const int BatchSize = 500;
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<Core.Cdrs.Cdr> _queue = Channel.CreateUnbounded<Core.Cdrs.Cdr>(new UnboundedChannelOptions { SingleReader = true });
    private readonly PlatformClient _client;
    private readonly SimulationStats _stats;
    private readonly TimeProvider _time;
    private readonly Task _loop;

    public CdrPoster(PlatformClient client, SimulationStats stats, TimeProvider time, CancellationToken cancellationToken)
    {
        _client = client;
        _stats = stats;
        _time = time;
        _loop = Task.Run(() => LoopAsync(cancellationToken), CancellationToken.None);
    }

    public void Add(Core.Cdrs.Cdr cdr) => _queue.Writer.TryWrite(cdr);

    /// <summary>Posts what is left and waits for every batch to be answered.</summary>
    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return _loop;
    }

    /// <summary>Posts <paramref name="cdrs"/> at once and checks the answer.</summary>
    public async Task PostAsync(IReadOnlyList<Core.Cdrs.Cdr> cdrs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cdrs);
        var answer = await _client.PostCdrsAsync(cdrs, cancellationToken);
        if (answer.QuarantinedCount > 0 || answer.Accepted + answer.Duplicates != cdrs.Count)
        {
            var reasons = string.Join("; ", answer.Quarantined.Take(3).Select(q => $"{q.CdrId}: {q.Reason}"));
            throw new PlatformErrorException($"POST /api/cdrs: {cdrs.Count} sent, {answer.Accepted} accepted, {answer.Duplicates} duplicates, {answer.QuarantinedCount} quarantined ({reasons})");
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        var batch = new List<Core.Cdrs.Cdr>(BatchSize);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            var deadline = _time.GetUtcNow() + FlushInterval;
            while (batch.Count < BatchSize)
            {
                if (reader.TryRead(out var cdr))
                {
                    batch.Add(cdr);
                    continue;
                }

                var left = deadline - _time.GetUtcNow();
                if (left <= TimeSpan.Zero || reader.Completion.IsCompleted)
                {
                    break;
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(left);
                try
                {
                    if (!await reader.WaitToReadAsync(wait.Token))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    break; // the flush interval passed
                }
            }

            try
            {
                await PostAsync(batch, cancellationToken);
                _stats.CdrsSent(batch.Count);
            }
            catch (PlatformErrorException e)
            {
                _stats.Failed(e.Message);
            }

            batch.Clear();
        }
    }
}
