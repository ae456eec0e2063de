// The Functions app on Flex Consumption (.NET 10 isolated worker), running as the user-assigned identity with
// identity-based connections only: no connection string or key in any app setting.
param planName string
param appName string
param location string
param tags object
param workspaceId string

param identityId string
param identityClientId string

param storageAccountName string
param deploymentContainerUrl string
@description('Blob endpoint of the storage account and the container the invoice documents go to')
param documentsServiceUri string
param documentsContainerName string
param appInsightsConnectionString string

param cosmosEndpoint string
param cosmosDatabaseName string
@description('The sessions container\'s time to live (seconds, or -1), as the Cosmos module set it: the app checks it against its credit-control settings at start.')
param cosmosSessionTimeToLiveSeconds int
param eventHubsFullyQualifiedNamespace string
param eventHubName string
param eventHubConsumerGroup string
param serviceBusFullyQualifiedNamespace string
param alertsTopicName string

@description('Warm instances kept for the HTTP functions, so that a switch\'s authorize never waits for a cold start.')
@minValue(0)
param alwaysReadyHttpInstances int = 1

@description('Most instances the app scales out to.')
@minValue(40)
param maximumInstanceCount int = 100

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Most traces per second exported to Application Insights (rate-limited sampling).')
@minValue(1)
param tracesPerSecond int = 5

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

var identityConnection = {
  credential: 'managedidentity'
  clientId: identityClientId
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        // Flex Consumption scales all HTTP triggers as one group, "http": its always-ready instances are the ones
        // that serve the switch-facing functions (authorize, interim, terminate, balance) warm.
        alwaysReady: alwaysReadyHttpInstances == 0 ? [] : [{ name: 'http', instanceCount: alwaysReadyHttpInstances }]
      }
      runtime: { name: 'dotnet-isolated', version: '10.0' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [
        // The host's storage, through the identity.
        { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
        { name: 'AzureWebJobsStorage__credential', value: identityConnection.credential }
        { name: 'AzureWebJobsStorage__clientId', value: identityConnection.clientId }
        // Invoice documents (HTML, PDF) in Blob storage, through the identity.
        { name: 'Documents__ServiceUri', value: documentsServiceUri }
        { name: 'Documents__Container', value: documentsContainerName }
        { name: 'Documents__ManagedIdentityClientId', value: identityClientId }
        // Telemetry: OpenTelemetry export to Application Insights, authenticated with Entra ID.
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
        // Sampling of the OpenTelemetry export (host and worker; host.json's telemetryMode is OpenTelemetry, where the
        // classic applicationInsights sampling settings do not apply): at most this many traces per second.
        { name: 'OTEL_TRACES_SAMPLER', value: 'microsoft.rate_limited' }
        { name: 'OTEL_TRACES_SAMPLER_ARG', value: string(tracesPerSecond) }
        // DefaultAzureCredential of the worker's SDK clients picks the user-assigned identity.
        { name: 'AZURE_CLIENT_ID', value: identityClientId }
        // Stores (section Cosmos): no key, so CosmosClientFactory uses the identity.
        { name: 'Cosmos__Endpoint', value: cosmosEndpoint }
        { name: 'Cosmos__Database', value: cosmosDatabaseName }
        { name: 'Cosmos__ManagedIdentityClientId', value: identityClientId }
        { name: 'Cosmos__ConnectionMode', value: 'Direct' }
        { name: 'Cosmos__SessionTimeToLiveSeconds', value: string(cosmosSessionTimeToLiveSeconds) }
        // Event Hubs trigger: %CdrEventHubName%, %CdrConsumerGroup%, connection EventHubConnection.
        { name: 'CdrEventHubName', value: eventHubName }
        { name: 'CdrConsumerGroup', value: eventHubConsumerGroup }
        { name: 'EventHubConnection__fullyQualifiedNamespace', value: eventHubsFullyQualifiedNamespace }
        { name: 'EventHubConnection__credential', value: identityConnection.credential }
        { name: 'EventHubConnection__clientId', value: identityConnection.clientId }
        // Cosmos DB change-feed trigger (spend monitoring): connection CosmosConnection, database and lease container.
        { name: 'CosmosConnection__accountEndpoint', value: cosmosEndpoint }
        { name: 'CosmosConnection__credential', value: identityConnection.credential }
        { name: 'CosmosConnection__clientId', value: identityConnection.clientId }
        { name: 'CosmosDatabaseName', value: cosmosDatabaseName }
        { name: 'CosmosLeasesContainerName', value: 'leases' }
        { name: 'CosmosAccountsContainerName', value: 'accounts' }
        // Alerts (Service Bus sender of spend monitoring).
        { name: 'ServiceBus__FullyQualifiedNamespace', value: serviceBusFullyQualifiedNamespace }
        { name: 'ServiceBus__AlertsTopic', value: alertsTopicName }
      ]
    }
  }
}

// No publishing with basic (user name and password) credentials: deployments authenticate with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

// 2021-05-01-preview is the newest API of diagnostic settings and the only one with category groups (allLogs);
// the GA 2016-09-01 that the linter offers would need every log category listed per resource type.
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: app
  properties: {
    workspaceId: workspaceId
    logs: [{ categoryGroup: 'allLogs', enabled: true }]
    metrics: [{ category: 'AllMetrics', enabled: true }]
  }
}

output id string = app.id
output name string = app.name
output url string = 'https://${app.properties.defaultHostName}'
output planName string = plan.name
