using System.Net;
using System.Net.Security;
using Azure.Identity;
using Microsoft.Azure.Cosmos;

namespace ServerlessBilling.Cosmos;

/// <summary>Builds the one <see cref="CosmosClient"/> of a process from <see cref="CosmosOptions"/>.</summary>
public static class CosmosClientFactory
{
    public static CosmosClient Create(CosmosOptions options)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", errors));
        }

        var endpoint = new Uri(options.Endpoint!);
        var clientOptions = new CosmosClientOptions
        {
            ConnectionMode = options.ConnectionMode == "Direct" ? ConnectionMode.Direct : ConnectionMode.Gateway,
            UseSystemTextJsonSerializerWithOptions = CosmosJson.Options,
            MaxRetryAttemptsOnRateLimitedRequests = 5,
            MaxRetryWaitTimeOnRateLimitedRequests = TimeSpan.FromSeconds(2),
            RequestTimeout = TimeSpan.FromSeconds(5),
            ApplicationName = "ServerlessBilling",
        };

        if (IsLoopback(endpoint))
        {
            // A local emulator: one endpoint, no region discovery; its self-signed certificate is accepted
            // only when explicitly allowed and only for a loopback host.
            clientOptions.LimitToEndpoint = true;
            clientOptions.ConnectionMode = ConnectionMode.Gateway;
            if (options.AcceptLoopbackCertificate)
            {
                clientOptions.HttpClientFactory = () => new HttpClient(new SocketsHttpHandler
                {
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    MaxConnectionsPerServer = 64,
                    SslOptions =
                    {
                        RemoteCertificateValidationCallback = (sender, _, _, errors) =>
                            errors == SslPolicyErrors.None || sender is SslStream { TargetHostName: "127.0.0.1" or "localhost" },
                    },
                });
            }
        }

        return string.IsNullOrWhiteSpace(options.Key)
            ? new CosmosClient(endpoint.ToString(), new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = options.ManagedIdentityClientId }), clientOptions)
            : new CosmosClient(endpoint.ToString(), options.Key, clientOptions);
    }

    public static bool IsLoopback(Uri endpoint) =>
        endpoint.IsLoopback || (IPAddress.TryParse(endpoint.Host, out var ip) && IPAddress.IsLoopback(ip));
}
