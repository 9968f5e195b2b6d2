// The Function App on an Elastic Premium (EP1, Linux) plan with one always-ready instance: the
// app's Service Bus session processor is a hosted service, not a trigger, so nothing would
// scale the app out from zero for it (see infra/README.md). It runs as the user-assigned
// identity; the settings come from main.bicep.

@description('Azure region.')
param location string

@description('App Service plan name.')
param planName string

@description('Function App name (globally unique).')
param name string

@description('Elastic Premium size.')
@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param sku string = 'EP1'

@description('Instances that always run (the session processor needs at least one).')
@minValue(1)
param alwaysReadyInstances int = 1

@description('Most instances the plan scales out to.')
@minValue(1)
param maximumInstances int = 4

@description('Resource id of the user-assigned identity.')
param identityId string

@description('App settings, name to value.')
param appSettings object

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  kind: 'elastic'
  sku: {
    name: sku
    tier: 'ElasticPremium'
    capacity: alwaysReadyInstances
  }
  properties: {
    reserved: true // Linux
    maximumElasticWorkerCount: maximumInstances
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    reserved: true
    siteConfig: {
      linuxFxVersion: 'DOTNET-ISOLATED|10.0'
      minimumElasticInstanceCount: alwaysReadyInstances
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      appSettings: [
        for setting in items(appSettings): {
          name: setting.key
          value: setting.value
        }
      ]
    }
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
