// The storage account: the app's blob container (models, plugins, snapshots, run logs and the
// interaction log live in it under prefixes), the embeddings table, the interactions queue, and
// the Functions host's and Durable task hub's own blobs, queues and tables (they create those
// themselves through AzureWebJobsStorage). The identity gets the data roles on the account.

@description('Azure region.')
param location string

@description('Storage account name (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Blob container the app uses (MetaRec__Storage__Container).')
param containerName string

@description('Blob container the Function App\'s zip package is uploaded to (WEBSITE_RUN_FROM_PACKAGE points into it).')
param packageContainerName string

@description('Embeddings table (MetaRec__Storage__Table).')
param tableName string

@description('Storage queue the Interactions function reads (InteractionsQueue).')
param queueName string

@description('Whether shared-key access stays on. Only the training job needs it: metarec reaches storage with a connection string.')
param allowSharedKeyAccess bool

@description('Principal id of the identity that gets the data roles.')
param principalId string

@description('Built-in role definition ids (GUIDs) to assign to the identity on the account.')
param roleIds array

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: allowSharedKeyAccess
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}

resource packages 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: packageContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource table 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = {
  parent: tableService
  name: tableName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource queue 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = {
  parent: queueService
  name: queueName
}

resource dataRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in roleIds: {
    name: guid(account.id, principalId, roleId)
    scope: account
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output tableEndpoint string = account.properties.primaryEndpoints.table
output queueEndpoint string = account.properties.primaryEndpoints.queue
