#!/usr/bin/env bash
# Installs clickhouse-server and clickhouse-client from Debian when missing, starts a server on
# loopback only (HTTP 127.0.0.1:8123, native 9000) with its data, logs and pid file under
# $CLICKHOUSE_DIR, and waits until `SELECT 1` answers over HTTP. Stop it with clickhouse-stop.sh.
# If a server already answers on that port, it is used as is (and the stop script leaves it alone).
set -euo pipefail
source "$(dirname "$0")/clickhouse-env.sh"

if [ "$(clickhouse_ping)" = "1" ]; then
  echo "== clickhouse: a server already answers on $CLICKHOUSE_URL; using it"
  exit 0
fi

if ! command -v clickhouse-server >/dev/null 2>&1 || ! command -v clickhouse-client >/dev/null 2>&1; then
  echo "== clickhouse: installing clickhouse-server and clickhouse-client from Debian"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  # The package's service start is refused in containers (policy-rc.d); we start it ourselves.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null
fi

if [ -f "$CLICKHOUSE_PID_FILE" ] && kill -0 "$(cat "$CLICKHOUSE_PID_FILE")" 2>/dev/null; then
  echo "== clickhouse: process $(cat "$CLICKHOUSE_PID_FILE") from an earlier start is still running; waiting for it"
else
  rm -rf "$CLICKHOUSE_DIR"
  mkdir -p "$CLICKHOUSE_DIR"/{data,tmp,log,user_files,format_schemas}
  cat > "$CLICKHOUSE_DIR/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$CLICKHOUSE_DIR/log/clickhouse-server.log</log>
        <errorlog>$CLICKHOUSE_DIR/log/clickhouse-server.err.log</errorlog>
        <size>10M</size>
        <count>2</count>
    </logger>
    <listen_host>$CLICKHOUSE_HOST</listen_host>
    <http_port>$CLICKHOUSE_HTTP_PORT</http_port>
    <tcp_port>$CLICKHOUSE_TCP_PORT</tcp_port>
    <max_connections>128</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>32</max_concurrent_queries>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <mark_cache_size>268435456</mark_cache_size>
    <path>$CLICKHOUSE_DIR/data/</path>
    <tmp_path>$CLICKHOUSE_DIR/tmp/</tmp_path>
    <user_files_path>$CLICKHOUSE_DIR/user_files/</user_files_path>
    <format_schema_path>$CLICKHOUSE_DIR/format_schemas/</format_schema_path>
    <users_config>$CLICKHOUSE_DIR/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
</yandex>
XML
  cat > "$CLICKHOUSE_DIR/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <load_balancing>random</load_balancing>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
  nohup clickhouse-server --config-file="$CLICKHOUSE_DIR/config.xml" >"$CLICKHOUSE_DIR/log/stdout.log" 2>&1 &
  echo $! > "$CLICKHOUSE_PID_FILE"
  echo "== clickhouse: started clickhouse-server, pid $(cat "$CLICKHOUSE_PID_FILE"), data in $CLICKHOUSE_DIR"
fi

for _ in $(seq 1 120); do
  if [ "$(clickhouse_ping)" = "1" ]; then
    version="$(curl -s --max-time 2 "${CLICKHOUSE_URL}?query=SELECT%20version()")"
    echo "== clickhouse: ready on $CLICKHOUSE_URL (version $version)"
    exit 0
  fi
  if ! kill -0 "$(cat "$CLICKHOUSE_PID_FILE")" 2>/dev/null; then
    echo "== clickhouse: the server exited; its logs:" >&2
    tail -n 30 "$CLICKHOUSE_DIR/log/stdout.log" "$CLICKHOUSE_DIR/log/clickhouse-server.err.log" >&2 2>/dev/null || true
    rm -f "$CLICKHOUSE_PID_FILE"
    exit 1
  fi
  sleep 0.5
done
echo "== clickhouse: no answer on $CLICKHOUSE_URL after 60 s" >&2
exit 1
