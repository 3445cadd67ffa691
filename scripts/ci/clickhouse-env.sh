#!/usr/bin/env bash
# Settings shared by clickhouse-start.sh and clickhouse-stop.sh (source it).
CLICKHOUSE_DIR="${CLICKHOUSE_DIR:-${TMPDIR:-/tmp}/source-azure-billing-clickhouse}"
CLICKHOUSE_HOST="${CLICKHOUSE_HOST:-127.0.0.1}"
CLICKHOUSE_HTTP_PORT="${CLICKHOUSE_HTTP_PORT:-8123}"
CLICKHOUSE_TCP_PORT="${CLICKHOUSE_TCP_PORT:-9000}"
CLICKHOUSE_PID_FILE="$CLICKHOUSE_DIR/clickhouse-server.pid"
CLICKHOUSE_URL="http://$CLICKHOUSE_HOST:$CLICKHOUSE_HTTP_PORT/"

# Prints the answer of `SELECT 1` over HTTP, or nothing.
clickhouse_ping() {
  curl -s --max-time 2 "${CLICKHOUSE_URL}?query=SELECT%201" 2>/dev/null || true
}
