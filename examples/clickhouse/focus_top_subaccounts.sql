-- FOCUS: top SubAccounts (Azure subscriptions) by EffectiveCost (focus_costs), with BilledCost
-- beside it.
-- FINAL applies the ReplacingMergeTree de-duplication at query time.
SELECT
    SubAccountId AS sub_account_id,
    any(SubAccountName) AS sub_account_name,
    ifNull(BillingCurrency, '') AS currency,
    sum(EffectiveCost) AS effective_cost,
    sum(BilledCost) AS billed_cost,
    count() AS charges
FROM focus_costs FINAL
GROUP BY sub_account_id, currency
ORDER BY effective_cost DESC
LIMIT 10;
