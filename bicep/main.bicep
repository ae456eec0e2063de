// ServerlessBilling in one resource group: the Functions app and everything it uses, reached through one
// user-assigned managed identity. Deploy with:
//   az deployment group create -g <group> -f bicep/main.bicep -p bicep/main.parameters.json
targetScope = 'resourceGroup'

@description('Short name of the environment (dev, test, prod); part of every resource name.')
@minLength(2)
@maxLength(8)
param environmentName string

@description('Region of every resource; the resource group\'s by default.')
param location string = resourceGroup().location

@description('Cosmos DB capacity: serverless (pay per request) or autoscale (provisioned, shared by the database).')
@allowed(['serverless', 'autoscale'])
param cosmosThroughputMode string = 'serverless'

@description('Highest RU/s of the database when cosmosThroughputMode is autoscale.')
@minValue(1000)
param cosmosMaxAutoscaleThroughput int = 4000

@description('Warm instances of the HTTP functions (the switch-facing ones must not cold-start).')
@minValue(0)
param alwaysReadyHttpInstances int = 1

@description('Seconds a session-index entry lives: a day (86400) to a year, or -1 (never expires). The container and the app (Cosmos__SessionTimeToLiveSeconds) get the same value, so the app\'s start-up check (at least twice the longest a session may go unreported and still be terminated) sees what the container does.')
@minValue(-1)
@maxValue(31536000)
param cosmosSessionTimeToLiveSeconds int = 604800

@description('Partitions of hub cdrs (the most parallel ingestion instances).')
@minValue(1)
param cdrPartitionCount int = 4

param tags object = {}

// Globally unique names from the resource group and environment, stable across redeployments.
var suffix = take(uniqueString(resourceGroup().id, environmentName), 6)
var baseName = 'sbill-${environmentName}'
var allTags = union(tags, { application: 'ServerlessBilling', environment: environmentName })
// Names are computed here, before deployment, so that what-if can predict the role assignments that use them.
var names = {
  identity: 'id-${baseName}'
  workspace: 'log-${baseName}-${suffix}'
  appInsights: 'appi-${baseName}-${suffix}'
  storage: toLower(take('st${replace(baseName, '-', '')}${suffix}', 24))
  cosmos: 'cosmos-${baseName}-${suffix}'
  eventHubs: 'evhns-${baseName}-${suffix}'
  serviceBus: 'sbns-${baseName}-${suffix}'
  plan: 'asp-${baseName}-${suffix}'
  app: 'func-${baseName}-${suffix}'
}
var cdrHub = 'cdrs'
var alertsTopic = 'alerts'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
    tags: allTags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: allTags
    workspaceId: monitoring.outputs.workspaceId
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    accountName: names.cosmos
    location: location
    tags: allTags
    workspaceId: monitoring.outputs.workspaceId
    throughputMode: cosmosThroughputMode
    maxAutoscaleThroughput: cosmosMaxAutoscaleThroughput
    sessionTimeToLiveSeconds: cosmosSessionTimeToLiveSeconds
  }
}

module eventHubs 'modules/eventhubs.bicep' = {
  name: 'eventhubs'
  params: {
    namespaceName: names.eventHubs
    hubName: cdrHub
    location: location
    tags: allTags
    workspaceId: monitoring.outputs.workspaceId
    partitionCount: cdrPartitionCount
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    namespaceName: names.serviceBus
    topicName: alertsTopic
    location: location
    tags: allTags
    workspaceId: monitoring.outputs.workspaceId
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  dependsOn: [identity, storage, cosmos, eventHubs, serviceBus, monitoring]
  params: {
    identityName: names.identity
    storageAccountName: names.storage
    cosmosAccountName: names.cosmos
    eventHubNamespaceName: names.eventHubs
    eventHubName: cdrHub
    serviceBusNamespaceName: names.serviceBus
    alertsTopicName: alertsTopic
    appInsightsName: names.appInsights
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  dependsOn: [roles] // the host starts with its storage roles in place
  params: {
    planName: names.plan
    appName: names.app
    location: location
    tags: allTags
    workspaceId: monitoring.outputs.workspaceId
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${storage.outputs.deploymentContainerName}'
    documentsServiceUri: storage.outputs.blobEndpoint
    documentsContainerName: storage.outputs.invoicesContainerName
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    cosmosSessionTimeToLiveSeconds: cosmosSessionTimeToLiveSeconds
    eventHubsFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    eventHubName: eventHubs.outputs.hubName
    eventHubConsumerGroup: eventHubs.outputs.consumerGroupName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    alertsTopicName: serviceBus.outputs.topicName
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
  }
}

output appUrl string = functionApp.outputs.url
output functionAppName string = functionApp.outputs.name
output identityName string = identity.outputs.name
output identityClientId string = identity.outputs.clientId
output storageAccountName string = storage.outputs.name
output cosmosAccountName string = cosmos.outputs.accountName
output cosmosEndpoint string = cosmos.outputs.endpoint
output cosmosDatabaseName string = cosmos.outputs.databaseName
output cosmosContainers array = cosmos.outputs.containerNames
output eventHubsNamespaceName string = eventHubs.outputs.namespaceName
output cdrHubName string = eventHubs.outputs.hubName
output serviceBusNamespaceName string = serviceBus.outputs.namespaceName
output alertsTopicName string = serviceBus.outputs.topicName
output logAnalyticsWorkspaceName string = monitoring.outputs.workspaceName
output appInsightsName string = monitoring.outputs.appInsightsName
