// The Service Bus namespace and the session-enabled interactions queue the app's session
// processor reads. Local (SAS) auth is off: the app reaches it with its identity, which gets
// Azure Service Bus Data Receiver on the queue (the app receives and settles, never sends).

@description('Azure region.')
param location string

@description('Service Bus namespace name (6-50 characters).')
@minLength(6)
@maxLength(50)
param name string

@description('Queue name (MetaRec__ServiceBus__EntityName).')
param queueName string

@description('Deliveries before a message is dead-lettered.')
@minValue(1)
param maxDeliveryCount int = 5

@description('Principal id of the identity that receives from the queue.')
param principalId string

@description('Built-in role definition id (GUID) of Azure Service Bus Data Receiver.')
param receiverRoleId string

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: name
  location: location
  sku: {
    // Sessions need Standard or Premium.
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2026-01-01' = {
  parent: namespace
  name: queueName
  properties: {
    requiresSession: true
    maxDeliveryCount: maxDeliveryCount
    deadLetteringOnMessageExpiration: true
    lockDuration: 'PT1M'
    defaultMessageTimeToLive: 'P14D'
  }
}

resource receiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(queue.id, principalId, receiverRoleId)
  scope: queue
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', receiverRoleId)
  }
}

// <namespace>.servicebus.windows.net, from the endpoint https://<namespace>.servicebus.windows.net:443/
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '//')[1], ':')[0]
