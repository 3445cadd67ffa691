-- FOCUS: cost by ServiceCategory per day (focus_costs). EffectiveCost is the amortized cost
-- (commitment purchases spread over the usage they cover); BilledCost is what the invoice shows.
-- A day's EffectiveCost over all categories is the day's amortized cost, its BilledCost the actual cost.
-- FINAL applies the ReplacingMergeTree de-duplication at query time.
SELECT
    toDate(ChargePeriodStart) AS day,
    ifNull(ServiceCategory, '(none)') AS service_category,
    ifNull(BillingCurrency, '') AS currency,
    sum(EffectiveCost) AS effective_cost,
    sum(BilledCost) AS billed_cost,
    count() AS charges
FROM focus_costs FINAL
GROUP BY day, service_category, currency
ORDER BY day, effective_cost DESC;
