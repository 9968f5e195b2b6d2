// MetaRec on Azure: the Function App (Elastic Premium, Linux, dotnet-isolated), its storage
// account, the Service Bus interactions queue, the Container Apps training job, monitoring, and
// one user-assigned identity with the data and job roles the app needs. No keys in the app's
// settings: storage, Service Bus and ARM are reached with the identity. See infra/README.md.

targetScope = 'resourceGroup'

@description('Azure region for every resource.')
param location string = resourceGroup().location

@description('Prefix of resource names: 3-11 lower-case letters or digits.')
@minLength(3)
@maxLength(11)
param namePrefix string = 'metarec'

@description('Suffix that makes the global names (storage, Function App, Service Bus) unique.')
param uniqueSuffix string = uniqueString(resourceGroup().id)

@description('Workload profile type of the training job: a serverless GPU one, or empty to train on CPU (Consumption profile).')
@allowed([
  ''
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('Training image repository:tag (built from infra/training), in registryName\'s registry when that is set.')
param trainingImage string = empty(gpuProfileType) ? 'metarec-train:cpu' : 'metarec-train:cuda'

@description('An Azure Container Registry in this resource group that holds the training image (the identity gets AcrPull on it), or empty.')
param registryName string = ''

@description('Served model family (MetaRec__Family).')
param family string = 'limaml'

@description('Durable Functions task hub name.')
param durableTaskHub string = 'metarec'

@description('Function App plan size.')
@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param functionPlanSku string = 'EP1'

@description('Most instances the Function App scales out to.')
@minValue(1)
param maximumInstances int = 4

@description('Longest one training attempt runs before the app stops it (MetaRec__Training__Deadline).')
param trainingDeadline string = '02:00:00'

@description('Give the training job the storage connection string (a key) as a secret, and keep shared-key access on. Off by default: the app passes the job the account URLs and the job reaches storage with the identity (AZURE_CLIENT_ID).')
param trainingJobStorageKey bool = false

// Names the app and the infrastructure must agree on.
var containerName = 'metarec'
var packageContainerName = 'deployments'
var packageBlobName = 'metarec-functions.zip'
var tableName = 'embeddings'
var storageQueueName = 'interactions'
var serviceBusQueueName = 'interactions'
var trainingContainerName = 'metarec'
var jobName = '${namePrefix}-train'

// Built-in role definition ids, from the Azure built-in roles page
// (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
}

var useGpu = !empty(gpuProfileType)
var registryServer = empty(registryName) ? '' : '${registryName}${environment().suffixes.acrLoginServer}'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    location: location
    name: '${namePrefix}-id'
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    workspaceName: '${namePrefix}-logs'
    appInsightsName: '${namePrefix}-ai'
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: take('${namePrefix}${uniqueSuffix}', 24)
    containerName: containerName
    packageContainerName: packageContainerName
    tableName: tableName
    queueName: storageQueueName
    allowSharedKeyAccess: trainingJobStorageKey
    principalId: identity.outputs.principalId
    // Host storage with an identity needs Blob Data Owner; the Durable task hub's queues and
    // tables and the app's own table need the queue and table contributor roles.
    roleIds: [
      roles.storageBlobDataOwner
      roles.storageQueueDataContributor
      roles.storageTableDataContributor
    ]
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    location: location
    name: '${namePrefix}-sb-${uniqueSuffix}'
    queueName: serviceBusQueueName
    maxDeliveryCount: 5
    principalId: identity.outputs.principalId
    receiverRoleId: roles.serviceBusDataReceiver
  }
}

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' existing = if (!empty(registryName)) {
  name: empty(registryName) ? 'none' : registryName
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(registryName)) {
  name: guid(resourceGroup().id, registryName, 'acrpull')
  scope: registry
  properties: {
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
  }
}

module training 'modules/training.bicep' = {
  name: 'training'
  params: {
    location: location
    environmentName: '${namePrefix}-cae'
    jobName: jobName
    containerName: trainingContainerName
    image: empty(registryServer) ? trainingImage : '${registryServer}/${trainingImage}'
    gpuProfileType: gpuProfileType
    registryServer: registryServer
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    principalId: identity.outputs.principalId
    workspaceId: monitoring.outputs.workspaceId
    // An hour past the app's own deadline, so the app's stop comes first.
    replicaTimeout: int(split(trainingDeadline, ':')[0]) * 3600 + int(split(trainingDeadline, ':')[1]) * 60 + 3600
    storageAccountName: trainingJobStorageKey ? storage.outputs.name : ''
  }
  dependsOn: [
    acrPull
  ]
}

// Every setting the app reads under the Functions host (local.settings.sample.json lists them
// all); the ones left out belong to the standalone host, the folder backend or the local
// launcher, or are connection strings the identity settings replace.
var appSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
  // No Azure Files content share (it needs a key): the app runs from a package URL in its own
  // storage account, fetched with the identity (see infra/README.md, Deploy).
  WEBSITE_RUN_FROM_PACKAGE: '${storage.outputs.blobEndpoint}${packageContainerName}/${packageBlobName}'
  WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID: identity.outputs.id
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.appInsightsConnectionString
  // Host storage (and the Durable task hub, and the Interactions queue trigger) with the identity.
  AzureWebJobsStorage__accountName: storage.outputs.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  // DefaultAzureCredential in the app picks the user-assigned identity by this.
  AZURE_CLIENT_ID: identity.outputs.clientId
  DurableTaskHub: durableTaskHub
  InteractionsQueue: storageQueueName
  GenerationSchedule: '0 0 3 * * *'
  WEBSITE_TIME_ZONE: ''

  MetaRec__Family: family
  MetaRec__ModelPollInterval: '00:00:10'
  MetaRec__PluginsFolder: ''
  MetaRec__Storage__Backend: 'azure'
  MetaRec__Storage__BlobServiceUrl: storage.outputs.blobEndpoint
  MetaRec__Storage__TableServiceUrl: storage.outputs.tableEndpoint
  MetaRec__Storage__Container: containerName
  MetaRec__Storage__Table: tableName
  MetaRec__Scoring__MaxK: '100'
  MetaRec__Scoring__MaxCandidates: '1000'
  MetaRec__Scoring__Concurrency: '0'
  MetaRec__Scoring__CacheCapacity: '100000'
  MetaRec__Scoring__CacheMaxAge: '00:00:05'
  MetaRec__Scoring__ResultCacheCapacity: '100000'
  MetaRec__Interactions__WindowSize: '100'
  MetaRec__Interactions__PositiveRating: '4'
  MetaRec__Interactions__RefreshInterval: '00:00:00.200'
  MetaRec__Limits__MaxRequestBytes: '1048576'
  // Behind the Functions host every request reaches the worker from the host, one address, so a
  // per-client bucket would be one bucket for all clients: per-client limits belong in front of
  // the app (API Management, Front Door); the body limit stays.
  MetaRec__Limits__RequestsPerSecond: '0'
  MetaRec__Limits__Burst: '2000'
  MetaRec__ServiceBus__FullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
  MetaRec__ServiceBus__EntityName: serviceBusQueueName
  MetaRec__ServiceBus__SubscriptionName: ''
  MetaRec__ServiceBus__MaxConcurrentSessions: '8'
  MetaRec__ServiceBus__MaxConcurrentCallsPerSession: '1'
  MetaRec__ServiceBus__PrefetchCount: '0'
  MetaRec__ServiceBus__SessionIdleTimeout: ''
  MetaRec__ServiceBus__MaxAutoLockRenewalDuration: '00:05:00'
  MetaRec__ServiceBus__MaxMessageBytes: '262144'
  MetaRec__ServiceBus__TransportType: 'AmqpTcp'
  MetaRec__Generation__Generator: ''
  MetaRec__Generation__Data: ''
  MetaRec__Generation__Periods: '31'
  MetaRec__Generation__PretrainPeriods: '10'
  MetaRec__Generation__Seed: '1'
  MetaRec__Training__Launcher: 'aca'
  MetaRec__Training__BaseDataset: ''
  MetaRec__Training__PollInterval: '00:00:10'
  MetaRec__Training__Deadline: trainingDeadline
  MetaRec__Training__MaxAttempts: '2'
  MetaRec__Training__Devices: useGpu ? 'cpu,cuda' : 'cpu'
  MetaRec__Training__ContainerApps__SubscriptionId: subscription().subscriptionId
  MetaRec__Training__ContainerApps__ResourceGroup: resourceGroup().name
  MetaRec__Training__ContainerApps__JobName: training.outputs.jobName
  MetaRec__Training__ContainerApps__ContainerName: trainingContainerName
  MetaRec__Training__ContainerApps__ApiVersion: '2026-07-01'
  MetaRec__Training__ContainerApps__BaseUrl: environment().resourceManager
  MetaRec__Training__ContainerApps__MaxRetries: '4'
  MetaRec__Training__ContainerApps__RetryDelay: '00:00:02'
  MetaRec__Training__ContainerApps__MaxRetryDelay: '00:01:00'
  MetaRec__Training__ContainerApps__PollInterval: '00:00:02'
  MetaRec__Training__ContainerApps__StartTimeout: '00:02:00'
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    planName: '${namePrefix}-plan'
    name: '${namePrefix}-func-${uniqueSuffix}'
    sku: functionPlanSku
    alwaysReadyInstances: 1
    maximumInstances: maximumInstances
    identityId: identity.outputs.id
    appSettings: appSettings
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppHostName string = functionApp.outputs.defaultHostName
output storageAccountName string = storage.outputs.name
output serviceBusNamespace string = serviceBus.outputs.fullyQualifiedNamespace
output trainingJobName string = training.outputs.jobName
output identityClientId string = identity.outputs.clientId
output packageUrl string = '${storage.outputs.blobEndpoint}${packageContainerName}/${packageBlobName}'
