-- Generated from resources/schemas/tracking_conflicts.json by test/clickhouse/ddl.ts (npm run test:clickhouse checks this file is in sync).
-- Types as Airbyte's ClickHouse destination maps JSON schema: string -> String, date -> Date,
-- date-time -> DateTime('UTC'), number -> Float64, integer -> Int64, boolean -> UInt8,
-- object/array -> String (JSON text), nullable -> Nullable(...).
-- ReplacingMergeTree on the primary key `id`, newest sync wins.
CREATE TABLE IF NOT EXISTS tracking_conflicts
(
    `_airbyte_raw_id`       String,
    `_airbyte_extracted_at` DateTime,
    `_airbyte_emitted_at`   UInt64,
    `id`                    String,
    `record_id`             String,
    `stream`                Nullable(String),
    `usage_date`            Date,
    `resource_id`           Nullable(String),
    `tracking_key`          String,
    `chosen_rule`           String,
    `chosen_value`          String,
    `rejected_rules`        String,
    `rejected_values`       String,
    `priority`              Int64
)
ENGINE = ReplacingMergeTree(_airbyte_emitted_at)
PARTITION BY toYYYYMM(usage_date)
ORDER BY id;
