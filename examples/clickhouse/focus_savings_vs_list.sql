-- FOCUS: savings against list (pay-as-you-go) prices, by PricingCategory (focus_costs):
-- ListCost - EffectiveCost over the charges that have a ListCost (not null, not 0; e.g. a
-- reservation purchase has none). 'Committed' is usage a reservation or savings plan covers.
-- FINAL applies the ReplacingMergeTree de-duplication at query time.
SELECT
    ifNull(PricingCategory, '(none)') AS pricing_category,
    ifNull(BillingCurrency, '') AS currency,
    sum(ListCost) AS list_cost,
    sum(EffectiveCost) AS effective_cost,
    list_cost - effective_cost AS savings,
    savings / list_cost AS savings_rate,
    count() AS charges
FROM focus_costs FINAL
WHERE ListCost IS NOT NULL AND ListCost != 0
GROUP BY pricing_category, currency
ORDER BY savings DESC;
