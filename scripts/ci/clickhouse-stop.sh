#!/usr/bin/env bash
# Stops the clickhouse-server that clickhouse-start.sh started, by the process id in its pid file
# (a server it did not start is left alone).
set -uo pipefail
source "$(dirname "$0")/clickhouse-env.sh"

if [ ! -f "$CLICKHOUSE_PID_FILE" ]; then
  echo "== clickhouse: no pid file ($CLICKHOUSE_PID_FILE); nothing to stop"
  exit 0
fi
pid="$(cat "$CLICKHOUSE_PID_FILE")"
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "== clickhouse: pid $pid still running after 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  echo "== clickhouse: stopped pid $pid"
else
  echo "== clickhouse: pid $pid is not running"
fi
rm -f "$CLICKHOUSE_PID_FILE"
