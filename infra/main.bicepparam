// A local example: a T4 GPU job pulling metarec-train:cuda from a registry in the same
// resource group. Deploy with:
//   az deployment group create -g RG -f infra/main.bicep -p infra/main.bicepparam
using './main.bicep'

param namePrefix = 'metarec'
param gpuProfileType = 'Consumption-GPU-NC8as-T4'
param registryName = 'metarecregistry'
param trainingImage = 'metarec-train:cuda'
param family = 'limaml'
param maximumInstances = 4
param trainingDeadline = '02:00:00'
