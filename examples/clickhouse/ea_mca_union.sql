-- EA and MCA side by side, e.g. after an enrollment moved to the Microsoft Customer Agreement
-- (MCA-E): the EA connection keeps the history, an MCA connection (billing_scope
-- mca_billing_profile) reads from the migration on. Each connection writes to its own database
-- (Airbyte's destination namespace): here `ea` and `mca`, both with the usage_details.sql table.
-- Cost per day and agreement, in the billing currency and in USD where known: MCA rows carry
-- cost_in_usd; EA rows have none (null), so only EA rows billed in USD count there.
-- FINAL de-duplicates each table on `id` (days re-read by look-back and month close count once);
-- ids never collide across connections (the billing account is part of every id), so the union
-- needs no further de-duplication. One table fed by both connections: a single
-- `FROM usage_details FINAL` with `agreement` instead of the literals gives the same result.
SELECT
    usage_date,
    agreement,
    billing_currency,
    count() AS charges,
    sum(cost) AS cost,
    sum(cost_usd) AS cost_usd
FROM
(
    SELECT
        id,
        usage_date,
        'EA' AS agreement,
        ifNull(billing_currency, '') AS billing_currency,
        cost,
        if(billing_currency = 'USD', toNullable(cost), cost_in_usd) AS cost_usd
    FROM ea.usage_details FINAL
    UNION ALL
    SELECT
        id,
        usage_date,
        'MCA' AS agreement,
        ifNull(billing_currency, '') AS billing_currency,
        cost,
        cost_in_usd AS cost_usd
    FROM mca.usage_details FINAL
)
GROUP BY usage_date, agreement, billing_currency
ORDER BY usage_date, agreement, billing_currency;
