/**
 * Azure region names (ARM `name`, as `az account list-locations` prints them): the public
 * regions, the EUAP canary regions and the sovereign clouds. Used to find the region suffix of
 * an AKS node resource group `MC_<rg>_<cluster>_<region>`; a name missing here means the
 * group is not recognised (AKS fields stay null), never a wrong split.
 */
export const AZURE_REGIONS: ReadonlySet<string> = new Set([
  // Americas
  'eastus', 'eastus2', 'eastus3', 'westus', 'westus2', 'westus3', 'centralus', 'northcentralus',
  'southcentralus', 'westcentralus', 'eastus2euap', 'centraluseuap', 'canadacentral', 'canadaeast',
  'brazilsouth', 'brazilsoutheast', 'brazilus', 'mexicocentral', 'chilecentral',
  // Europe
  'northeurope', 'westeurope', 'uksouth', 'ukwest', 'francecentral', 'francesouth',
  'germanywestcentral', 'germanynorth', 'switzerlandnorth', 'switzerlandwest', 'norwayeast',
  'norwaywest', 'swedencentral', 'swedensouth', 'polandcentral', 'italynorth', 'spaincentral',
  'austriaeast', 'belgiumcentral', 'denmarkeast',
  // Middle East and Africa
  'uaenorth', 'uaecentral', 'qatarcentral', 'israelcentral', 'southafricanorth',
  'southafricawest', 'saudiarabiacentral',
  // Asia Pacific
  'eastasia', 'southeastasia', 'japaneast', 'japanwest', 'koreacentral', 'koreasouth',
  'centralindia', 'southindia', 'westindia', 'jioindiawest', 'jioindiacentral', 'australiaeast',
  'australiasoutheast', 'australiacentral', 'australiacentral2', 'newzealandnorth',
  'indonesiacentral', 'malaysiawest', 'taiwannorth', 'taiwannorthwest',
  // Sovereign clouds
  'usgovvirginia', 'usgovarizona', 'usgovtexas', 'usgoviowa', 'usdodeast', 'usdodcentral',
  'chinaeast', 'chinaeast2', 'chinaeast3', 'chinanorth', 'chinanorth2', 'chinanorth3',
  'germanycentral', 'germanynortheast',
]);
