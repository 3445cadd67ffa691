-- FOCUS: the share of untagged cost per month (focus_costs): EffectiveCost of charges whose Tags
-- is the empty object (a Tags text that could not be read is empty too; see x_ParseErrors).
-- FINAL applies the ReplacingMergeTree de-duplication at query time.
SELECT
    toStartOfMonth(ChargePeriodStart) AS month,
    ifNull(BillingCurrency, '') AS currency,
    sumIf(EffectiveCost, ifNull(Tags, '{}') = '{}') AS untagged_cost,
    sum(EffectiveCost) AS effective_cost,
    untagged_cost / effective_cost AS untagged_share,
    countIf(ifNull(Tags, '{}') = '{}') AS untagged_charges,
    count() AS charges
FROM focus_costs FINAL
GROUP BY month, currency
ORDER BY month, currency;
