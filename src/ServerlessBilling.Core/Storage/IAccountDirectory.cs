namespace ServerlessBilling.Core.Storage;

/// <summary>Every account id, for the jobs that visit all accounts (the invoice run). Order is not specified.</summary>
public interface IAccountDirectory
{
    IAsyncEnumerable<string> ListAccountIdsAsync(CancellationToken cancellationToken);
}
