namespace ServerlessBilling.AzureAdapters.Tests;

/// <summary>A fact that needs Azurite: skipped, saying why, when AZURITE_CONNECTION_STRING is not set (./test.sh sets it).</summary>
public sealed class AzuriteFactAttribute : FactAttribute
{
    public const string Variable = "AZURITE_CONNECTION_STRING";

    public AzuriteFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            Skip = $"{Variable} is not set: run ./test.sh (it starts infra/azurite), or infra/azurite/start.sh and export its output as {Variable}";
        }
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable);
}
