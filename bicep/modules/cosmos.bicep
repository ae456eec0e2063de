// Cosmos DB for NoSQL: the account (Entra ID only), the database and every container the app uses, with the
// partition keys, indexing and TTL of src/ServerlessBilling.Cosmos (CosmosOptions, CosmosBootstrap), the change-feed
// leases, and the monitoring, alert and invoice containers (partition /accountId).
param accountName string
param location string
param tags object
param workspaceId string

@description('Database name (Cosmos__Database).')
param databaseName string = 'billing'

@description('serverless: pay per request (dev, small operators); autoscale: provisioned throughput shared by the database, scaling between 10% and maxAutoscaleThroughput.')
@allowed(['serverless', 'autoscale'])
param throughputMode string = 'serverless'

@description('Highest RU/s of the database when throughputMode is autoscale.')
@minValue(1000)
param maxAutoscaleThroughput int = 4000

@description('Seconds a session-index entry lives (Cosmos__SessionTimeToLiveSeconds): a day (86400) to a year, or -1 (never expires; the app refuses 0 to 86399 at start).')
@minValue(-1)
@maxValue(31536000)
param sessionTimeToLiveSeconds int = 604800

// Point reads and the queries of the stores only: the account document (with its session book) and rated usage are
// written far more than they are queried, so each container indexes just the paths its queries filter or sort on.
var pointReadsOnly = {
  indexingMode: 'consistent'
  includedPaths: []
  excludedPaths: [{ path: '/*' }]
}
var indexAll = {
  indexingMode: 'consistent'
  includedPaths: [{ path: '/*' }]
  excludedPaths: [{ path: '/"_etag"/?' }]
}
var containers = [
  { name: 'accounts', partitionKey: '/accountId', ttl: null, indexing: {
    indexingMode: 'consistent'
    includedPaths: [{ path: '/nextExpiryMs/?' }]
    excludedPaths: [{ path: '/*' }]
  } }
  { name: 'sessions', partitionKey: '/id', ttl: sessionTimeToLiveSeconds, indexing: pointReadsOnly }
  { name: 'ratedecks', partitionKey: '/deckId', ttl: null, indexing: pointReadsOnly }
  { name: 'usage', partitionKey: '/accountId', ttl: null, indexing: {
    indexingMode: 'consistent'
    includedPaths: [{ path: '/startMs/?' }]
    excludedPaths: [{ path: '/*' }]
  } }
  { name: 'quarantine', partitionKey: '/accountId', ttl: null, indexing: {
    indexingMode: 'consistent'
    includedPaths: [{ path: '/receivedMs/?' }]
    excludedPaths: [{ path: '/*' }]
  } }
  { name: 'topups', partitionKey: '/accountId', ttl: null, indexing: pointReadsOnly }
  { name: 'monitors', partitionKey: '/accountId', ttl: null, indexing: indexAll }
  { name: 'alerts', partitionKey: '/accountId', ttl: null, indexing: indexAll }
  { name: 'invoices', partitionKey: '/accountId', ttl: null, indexing: indexAll }
  // Invoice-number counters, one small document per series and year.
  { name: 'counters', partitionKey: '/id', ttl: null, indexing: pointReadsOnly }
  // The change-feed trigger's lease container: its partition key must be /id.
  { name: 'leases', partitionKey: '/id', ttl: null, indexing: indexAll }
]

resource account 'Microsoft.DocumentDB/databaseAccounts@2025-04-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [{ locationName: location, failoverPriority: 0, isZoneRedundant: false }]
    capabilities: throughputMode == 'serverless' ? [{ name: 'EnableServerless' }] : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    backupPolicy: { type: 'Continuous', continuousModeProperties: { tier: 'Continuous7Days' } }
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2025-04-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: { id: databaseName }
    options: throughputMode == 'autoscale' ? { autoscaleSettings: { maxThroughput: maxAutoscaleThroughput } } : {}
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-04-15' = [for c in containers: {
  parent: database
  name: c.name
  properties: {
    resource: union({
      id: c.name
      partitionKey: { paths: [c.partitionKey], kind: 'Hash', version: 2 }
      indexingPolicy: c.indexing
    }, c.ttl == null ? {} : { defaultTtl: c.ttl })
  }
}]

// 2021-05-01-preview is the newest API of diagnostic settings and the only one with category groups (allLogs);
// the GA 2016-09-01 that the linter offers would need every log category listed per resource type.
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [{ categoryGroup: 'allLogs', enabled: true }]
    metrics: [{ category: 'Requests', enabled: true }]
  }
}

output accountName string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
output containerNames array = [for (c, i) in containers: sqlContainers[i].name]
