// Event Hubs: the namespace (Entra ID only), hub `cdrs` that switches and mediation publish CDRs to, and the
// consumer group of the ingestion function.
param namespaceName string
param location string
param tags object
param workspaceId string

param hubName string = 'cdrs'
param consumerGroupName string = 'billing'

@minValue(1)
param partitionCount int = 4

@minValue(1)
@maxValue(7)
param retentionInDays int = 7

resource namespace 'Microsoft.EventHub/namespaces@2026-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard', capacity: 1 }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    isAutoInflateEnabled: true
    maximumThroughputUnits: 4
  }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2026-01-01' = {
  parent: namespace
  name: hubName
  properties: {
    partitionCount: partitionCount
    messageRetentionInDays: retentionInDays
  }
}

resource consumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2026-01-01' = {
  parent: hub
  name: consumerGroupName
}

// 2021-05-01-preview is the newest API of diagnostic settings and the only one with category groups (allLogs);
// the GA 2016-09-01 that the linter offers would need every log category listed per resource type.
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: namespace
  properties: {
    workspaceId: workspaceId
    logs: [{ categoryGroup: 'allLogs', enabled: true }]
    metrics: [{ category: 'AllMetrics', enabled: true }]
  }
}

output namespaceId string = namespace.id
output namespaceName string = namespace.name
// The host name of the namespace endpoint (https://<name>.servicebus.windows.net:443/ in the public cloud).
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '//')[1], ':')[0]
output hubId string = hub.id
output hubName string = hub.name
output consumerGroupName string = consumerGroup.name
