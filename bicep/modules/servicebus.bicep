// Service Bus: the namespace (Entra ID only) and the `alerts` topic that spend monitoring publishes to, with
// duplicate detection (an alert's id is its idempotency key) and one subscription for the operator's consumers.
param namespaceName string
param location string
param tags object
param workspaceId string

param topicName string = 'alerts'
param subscriptionName string = 'operations'

@description('How long the topic remembers message ids to drop a re-sent alert.')
param duplicateDetectionWindow string = 'PT1H'

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    defaultMessageTimeToLive: 'P14D'
    enableBatchedOperations: true
  }
}

resource subscription 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2026-01-01' = {
  parent: topic
  name: subscriptionName
  properties: {
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    deadLetteringOnMessageExpiration: true
  }
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
output topicId string = topic.id
output topicName string = topic.name
output subscriptionName string = subscription.name
