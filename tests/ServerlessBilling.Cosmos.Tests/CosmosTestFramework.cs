using System.ComponentModel;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("ServerlessBilling.Cosmos.Tests.CosmosTestFramework", "ServerlessBilling.Cosmos.Tests")]

namespace ServerlessBilling.Cosmos.Tests;

/// <summary>Where the integration tests find Cosmos DB, and why they are skipped when they cannot.</summary>
public static class CosmosEnvironment
{
    public const string EndpointVariable = "COSMOS_ENDPOINT";

    public const string SkipReason =
        "COSMOS_ENDPOINT is not set: these integration tests need Cosmos DB; ./test.sh starts the local emulator " +
        "(infra/cosmos) and sets it, or export COSMOS_ENDPOINT to use another one";

    public static string? Endpoint =>
        Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } endpoint && !string.IsNullOrWhiteSpace(endpoint) ? endpoint : null;
}

/// <summary>
/// The xunit framework of this assembly: with no COSMOS_ENDPOINT, every test (the contract facts are inherited
/// from ServerlessBilling.Testing, so no attribute here can mark them) is discovered as skipped with
/// <see cref="CosmosEnvironment.SkipReason"/>, so that a bare <c>dotnet test</c> passes and counts them as skipped.
/// </summary>
public sealed class CosmosTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assembly, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assembly, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            if (CosmosEnvironment.Endpoint is not null || !testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any())
            {
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            }

            var testCase = new CosmosUnavailableTestCase(
                DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
            return ReportDiscoveredTestCase(testCase, includeSourceInformation, messageBus);
        }
    }
}

/// <summary>A test case that reports itself skipped because Cosmos DB is not configured (one per method, theories included).</summary>
public sealed class CosmosUnavailableTestCase : XunitTestCase
{
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public CosmosUnavailableTestCase()
    {
    }

    public CosmosUnavailableTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, display, displayOptions, testMethod)
    {
    }

    protected override void Initialize()
    {
        base.Initialize();
        SkipReason = CosmosEnvironment.SkipReason;
    }
}
