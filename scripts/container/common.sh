#!/usr/bin/env bash
# Shared settings for running podman on these machines (see CONTAINERS.md in the project's notes):
# crun and podman's default rlimits fail in this sandbox, so every podman call goes through
# `pm`, which uses runc and a containers.conf without default ulimits.
# Source this file; it defines BASE_IMAGE, IMAGE, pm() and ensure_podman().

BASE_IMAGE="${BASE_IMAGE:-docker.io/library/node:22-bookworm-slim}"
IMAGE="${IMAGE:-localhost/source-azure-billing:dev}"
CONTAINER_WORK="${CONTAINER_WORK:-${TMPDIR:-/tmp}/source-azure-billing-container}"
mkdir -p "$CONTAINER_WORK"

if [ -z "${CONTAINERS_CONF:-}" ]; then
  export CONTAINERS_CONF="$CONTAINER_WORK/containers.conf"
  printf '[containers]\ndefault_ulimits = []\n' > "$CONTAINERS_CONF"
fi

pm() { podman --runtime runc "$@"; }

log() { printf '== %s\n' "$*" >&2; }

# Installs podman (and what the stand-in base needs) from Debian when missing.
ensure_podman() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  command -v buildah >/dev/null 2>&1 || missing+=(buildah)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]} from Debian"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq podman buildah runc debootstrap >/dev/null
  fi
}
