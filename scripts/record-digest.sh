#!/usr/bin/env bash
# The RECORD output's fingerprint, to prove a refactoring changed no byte of it (issue 13).
#
#   bash scripts/record-digest.sh [--root DIR] [--rows-per-day N] [--no-build] [--keep DIR]
#
# Starts the sandbox (lib/sandbox/cli.js) with fixed data (seed 42, 30 days from 2026-08-17 to
# 2026-09-15, so both the legacy and the current CSV column sets; "today" 2026-11-15; default
# 3334 rows a day, about 100k rows), runs the built connector's `read` once per API with
# SOURCE_AZURE_BILLING_TODAY pinned:
#   cost_details  service principal: Cost Details CSV, streams usage_details + usage_details_amortized
#   ea            api key: EA Reporting JSON pages, stream usage_details
# and prints, per API, the md5 of its RECORD lines with `"emitted_at":N,` removed (in emitted
# order: records leave slice by slice, in date order) and the RECORD count per stream.
# --root: the checkout to measure (default: the one holding this script). It is built first
# (npm run build) unless --no-build. --keep DIR keeps the raw outputs there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROWS_PER_DAY=3334
BUILD=1
KEEP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="$(cd "$2" && pwd)"; shift 2 ;;
    --rows-per-day) ROWS_PER_DAY="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

START=2026-08-17
END=2026-09-15
TODAY=2026-11-15
SEED=42

if [ "$BUILD" = 1 ]; then (cd "$ROOT" && npm run --silent build >&2); fi
[ -f "$ROOT/lib/sandbox/cli.js" ] || { echo "no $ROOT/lib/sandbox/cli.js: build first" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/record-digest.XXXXXX")"
SB_PID=""
cleanup() {
  if [ -n "$SB_PID" ]; then kill "$SB_PID" 2>/dev/null || true; wait "$SB_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

node "$ROOT/lib/sandbox/cli.js" --seed "$SEED" --start "$START" --end "$END" --today "$TODAY" \
  --rows-per-day "$ROWS_PER_DAY" --max-concurrent-reports 16 --retry-after-seconds 0 \
  >"$WORK/sandbox.json" 2>"$WORK/sandbox.err" &
SB_PID=$!
for _ in $(seq 1 600); do
  [ -s "$WORK/sandbox.json" ] && break
  kill -0 "$SB_PID" 2>/dev/null || { cat "$WORK/sandbox.err" >&2; exit 1; }
  sleep 0.1
done
[ -s "$WORK/sandbox.json" ] || { echo "sandbox did not start" >&2; exit 1; }

# config + catalog per API, from the sandbox's line (its credentials stay in $WORK)
node - "$WORK" <<'EOF'
const fs = require('fs');
const path = require('path');
const work = process.argv[2];
const sb = JSON.parse(fs.readFileSync(path.join(work, 'sandbox.json'), 'utf8').split('\n')[0]);
const base = {
  enrollment_number: sb.enrollmentNumber, start_date: sb.startDate, end_date: sb.endDate,
  month_close_days: 0, slice_days: 7, max_concurrency: 2, tracking_rules: [],
  api_base_url: sb.baseUrl, login_base_url: sb.baseUrl, ea_base_url: sb.baseUrl,
};
const stream = (name) => ({stream: {name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental']}, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite'});
const runs = {
  cost_details: {credentials: {auth_type: 'service_principal', tenant_id: sb.tenantId, client_id: sb.clientId, client_secret: sb.clientSecret}, streams: ['usage_details', 'usage_details_amortized']},
  ea: {credentials: {auth_type: 'api_key', api_key: sb.apiKey}, streams: ['usage_details']},
};
for (const [api, r] of Object.entries(runs)) {
  fs.writeFileSync(path.join(work, `config-${api}.json`), JSON.stringify({...base, credentials: r.credentials}));
  fs.writeFileSync(path.join(work, `catalog-${api}.json`), JSON.stringify({streams: r.streams.map(stream)}));
}
EOF

echo "record digest: seed $SEED, $START..$END, today $TODAY, $ROWS_PER_DAY rows/day, root $ROOT"
for api in cost_details ea; do
  out="$WORK/$api.records"
  SOURCE_AZURE_BILLING_TODAY="$TODAY" node "$ROOT/bin/source-azure-billing" read \
    --config "$WORK/config-$api.json" --catalog "$WORK/catalog-$api.json" 2>"$WORK/$api.err" \
    | { grep '^{"type":"RECORD"' || true; } | sed -E 's/"emitted_at":[0-9]+,//' >"$out"
  rc=${PIPESTATUS[0]}
  if [ "$rc" != 0 ]; then echo "$api: connector exited with $rc" >&2; tail -5 "$WORK/$api.err" >&2; exit 1; fi
  md5=$(md5sum <"$out" | cut -d' ' -f1)
  counts=$(sed -E 's/^\{"type":"RECORD","record":\{"stream":"([^"]+)".*/\1/' "$out" | sort | uniq -c | awk '{printf "%s%s=%s", sep, $2, $1; sep=" "}')
  echo "$api md5 $md5 records $(wc -l <"$out" | tr -d ' ') ($counts)"
  if [ -n "$KEEP" ]; then mkdir -p "$KEEP" && cp "$out" "$KEEP/"; fi
done
