-- Cost by tracking team per month, in the billing currency (actual cost: usage_details).
-- `tracking` is the JSON object your tracking rules set, e.g. {"team":"payments","cost_center":"CC-100"};
-- rows no rule matched are reported as '(untracked)'.
-- FINAL applies the ReplacingMergeTree de-duplication at query time: days re-read by later
-- syncs (look-back, month close) are counted once even before ClickHouse merges them.
-- ClickHouse before 19.x (e.g. Debian's 18.16): write visitParamExtractString for JSONExtractString.
SELECT
    toStartOfMonth(usage_date) AS month,
    if(JSONExtractString(ifNull(tracking, '{}'), 'team') = '', '(untracked)', JSONExtractString(ifNull(tracking, '{}'), 'team')) AS team,
    ifNull(billing_currency, '') AS currency,
    round(sum(cost), 2) AS cost,
    count() AS charges
FROM usage_details FINAL
GROUP BY month, team, currency
ORDER BY month, cost DESC;
