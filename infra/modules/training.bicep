// The training side: a Container Apps environment (with a GPU workload profile unless turned
// off) and a manual-trigger job whose one container runs the training image. The image's entry
// point is metarec (infra/training), so the container's args are a metarec command line; the
// app's aca launcher overrides args and env per execution and keeps everything else. The
// identity gets a custom role on the job that reads, starts and stops it and reads executions.

@description('Azure region.')
param location string

@description('Container Apps environment name.')
param environmentName string

@description('Container Apps job name (MetaRec__Training__ContainerApps__JobName).')
param jobName string

@description('Name of the job container that runs metarec (MetaRec__Training__ContainerApps__ContainerName).')
param containerName string

@description('Training image, e.g. myregistry.azurecr.io/metarec-train:cuda.')
param image string

@description('Workload profile type for the job: a GPU one, or empty for the Consumption profile (CPU image).')
@allowed([
  ''
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string

@description('Registry login server the image comes from (pulled with the identity), or empty for a public image.')
param registryServer string

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Principal id of the identity that starts the job (the Function App\'s).')
param principalId string

@description('Log Analytics workspace the environment sends its logs to.')
param workspaceId string

@description('Longest one execution may run, in seconds; the app stops a job at MetaRec__Training__Deadline before that.')
param replicaTimeout int

@description('Storage account whose connection string the job gets as a secret, or empty for none.')
param storageAccountName string

var gpuProfileName = 'gpu'
var useGpu = !empty(gpuProfileType)
// The largest replica each profile takes (Consumption: 4 vCPU and 8 GiB).
var sizes = {
  '': {
    cpu: '4.0'
    memory: '8Gi'
  }
  'Consumption-GPU-NC8as-T4': {
    cpu: '8.0'
    memory: '56Gi'
  }
  'Consumption-GPU-NC24-A100': {
    cpu: '24.0'
    memory: '220Gi'
  }
}
var storageSecretName = 'storage-connection-string'
var useStorageKey = !empty(storageAccountName)

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = if (useStorageKey) {
  name: useStorageKey ? storageAccountName : 'none'
}

resource environment 'Microsoft.App/managedEnvironments@2025-01-01' = {
  name: environmentName
  location: location
  properties: {
    // Logs go to Azure Monitor; the diagnostic setting below sends them to the workspace (no key).
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    workloadProfiles: concat(
      [
        {
          name: 'Consumption'
          workloadProfileType: 'Consumption'
        }
      ],
      useGpu
        ? [
            {
              name: gpuProfileName
              workloadProfileType: gpuProfileType
            }
          ]
        : []
    )
  }
}

resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs'
  scope: environment
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

resource job 'Microsoft.App/jobs@2025-01-01' = {
  name: jobName
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: useGpu ? gpuProfileName : 'Consumption'
    configuration: {
      triggerType: 'Manual'
      manualTriggerConfig: {
        parallelism: 1
        replicaCompletionCount: 1
      }
      replicaTimeout: replicaTimeout
      // The pipeline retries a failed attempt itself (MetaRec__Training__MaxAttempts).
      replicaRetryLimit: 0
      registries: empty(registryServer)
        ? []
        : [
            {
              server: registryServer
              identity: identityId
            }
          ]
      secrets: useStorageKey
        ? [
            {
              name: storageSecretName
              value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage!.listKeys().keys[0].value};EndpointSuffix=${az.environment().suffixes.storage}'
            }
          ]
        : []
    }
    template: {
      containers: [
        {
          name: containerName
          image: image
          // The images' ENTRYPOINT (infra/training/Dockerfile.*): the args are a metarec command line.
          command: [
            'dotnet'
            '/app/metarec.dll'
          ]
          // What a hand-started execution runs; the app's launcher replaces the args with its train command.
          args: [
            'train'
            '--help'
          ]
          env: concat(
            [
              {
                name: 'AZURE_CLIENT_ID'
                value: identityClientId
              }
            ],
            useStorageKey
              ? [
                  {
                    name: 'METAREC_STORAGE_CONNECTION_STRING'
                    secretRef: storageSecretName
                  }
                ]
              : []
          )
          resources: {
            cpu: json(sizes[gpuProfileType].cpu)
            memory: sizes[gpuProfileType].memory
          }
        }
      ]
    }
  }
}

// Exactly what ContainerAppsJobLauncher calls: read the job, start it, list and read executions,
// stop an execution.
resource jobOperator 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'metarec-training-job-operator')
  properties: {
    // Role names are unique in the tenant: one per resource group.
    roleName: 'MetaRec training job operator ${uniqueString(resourceGroup().id)}'
    description: 'Read, start and stop the MetaRec training job and read its executions.'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: [
          'Microsoft.App/jobs/read'
          'Microsoft.App/jobs/start/action'
          'Microsoft.App/jobs/stop/action'
          'Microsoft.App/jobs/execution/read'
          'Microsoft.App/jobs/executions/read'
          'Microsoft.App/jobs/stop/execution/action'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
  }
}

resource jobOperatorAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(job.id, principalId, jobOperator.id)
  scope: job
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: jobOperator.id
  }
}

output jobName string = job.name
output environmentName string = environment.name
