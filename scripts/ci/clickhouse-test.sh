#!/usr/bin/env bash
# For .ci/run: starts ClickHouse on loopback (installing Debian's clickhouse-server/-client if
# missing), runs `npm run test:clickhouse`, and stops the server again, also when the test fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/ci/clickhouse-start.sh
trap 'bash scripts/ci/clickhouse-stop.sh' EXIT
npm run test:clickhouse
