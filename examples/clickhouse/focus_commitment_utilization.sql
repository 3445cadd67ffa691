-- FOCUS: commitment (reservation, savings plan) utilization by CommitmentDiscountId (focus_costs).
-- Usage a commitment covers has CommitmentDiscountStatus 'Used', the commitment's unused hours
-- 'Unused'; utilization is used / (used + unused) EffectiveCost. Add a WHERE on
-- ChargePeriodStart for one billing period.
-- FINAL applies the ReplacingMergeTree de-duplication at query time.
SELECT
    CommitmentDiscountId AS commitment_discount_id,
    any(CommitmentDiscountName) AS commitment_discount_name,
    any(CommitmentDiscountType) AS commitment_discount_type,
    sumIf(EffectiveCost, ifNull(CommitmentDiscountStatus, '') = 'Used') AS used_cost,
    sumIf(EffectiveCost, ifNull(CommitmentDiscountStatus, '') = 'Unused') AS unused_cost,
    used_cost / (used_cost + unused_cost) AS utilization
FROM focus_costs FINAL
WHERE CommitmentDiscountId IS NOT NULL
  AND ifNull(CommitmentDiscountStatus, '') IN ('Used', 'Unused')
GROUP BY commitment_discount_id
HAVING used_cost + unused_cost != 0
ORDER BY utilization, commitment_discount_id;
