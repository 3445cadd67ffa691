-- Top AKS clusters by cost over the last 30 days of data (actual cost: usage_details).
-- The connector attributes node VMs, disks and load balancers of a cluster's node resource group
-- (MC_<rg>_<cluster>_<region> or the aks-managed-* tags) to aks_cluster / aks_node_pool.
-- FINAL applies the ReplacingMergeTree de-duplication at query time.
SELECT
    aks_cluster,
    any(aks_cluster_resource_group) AS cluster_resource_group,
    groupUniqArray(aks_node_pool) AS node_pools,
    round(sum(cost), 2) AS cluster_cost,
    round(sumIf(cost, vm_priority = 'spot'), 2) AS spot_cost,
    count() AS charges
FROM usage_details FINAL
WHERE aks_cluster IS NOT NULL
  AND usage_date > (SELECT max(usage_date) FROM usage_details) - 30
GROUP BY aks_cluster
ORDER BY cluster_cost DESC
LIMIT 10;
