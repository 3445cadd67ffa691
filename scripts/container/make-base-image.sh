#!/usr/bin/env bash
# Makes a local stand-in for the official Node base image, for machines that cannot reach a
# container registry. It is tagged with the name the Dockerfile's FROM uses
# (docker.io/library/node:22-bookworm-slim) but it is NOT the official image: it is a Debian
# bookworm minbase root file system carrying THIS machine's Node.js and npm (Node 20 here), plus
# a `node` user (uid/gid 1000) like the official image has. Elsewhere, `docker build .` pulls the
# real node:22-bookworm-slim and this script is not needed.
#
# Usage: scripts/container/make-base-image.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/container/common.sh

force=0
[ "${1:-}" = "--force" ] && force=1

ensure_podman
if [ "$force" = 0 ] && pm image exists "$BASE_IMAGE"; then
  log "base image $BASE_IMAGE already present locally; not replacing it"
  exit 0
fi

node_version="$(node --version)"
log "making a STAND-IN for $BASE_IMAGE: Debian bookworm minbase + this machine's Node.js $node_version (not the official image, not Node 22)"

rootfs="$CONTAINER_WORK/rootfs"
rm -rf "$rootfs"
mkdir -p "$rootfs"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$CONTAINER_WORK/debootstrap.log" 2>&1 || {
  tail -20 "$CONTAINER_WORK/debootstrap.log" >&2
  exit 1
}

# Node.js from this machine's Debian package (headers and docs are skipped, as the slim image does).
dpkg -L nodejs | while read -r f; do
  case "$f" in /usr/include/*|/usr/share/doc/*|/usr/share/man/*) continue ;; esac
  if [ -f "$f" ] && [ ! -d "$f" ]; then
    mkdir -p "$rootfs$(dirname "$f")"
    cp -a "$f" "$rootfs$f"
  fi
done
# npm was upgraded after the Debian package was installed: take its whole folder and links.
npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
mkdir -p "$rootfs/usr/lib/node_modules"
rm -rf "$rootfs/usr/lib/node_modules/npm"
cp -a "$npm_dir" "$rootfs/usr/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/bin/npx"

# The registry is reached through a proxy with its own CA: npm inside the build needs it.
mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/usr/etc"
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\n' > "$rootfs/usr/etc/npmrc"

# The official image has a `node` user and group (1000:1000) with a home directory.
if ! grep -q '^node:' "$rootfs/etc/passwd"; then
  echo 'node:x:1000:' >> "$rootfs/etc/group"
  echo 'node:x:1000:1000::/home/node:/bin/bash' >> "$rootfs/etc/passwd"
  echo 'node:*:19000:0:99999:7:::' >> "$rootfs/etc/shadow"
  mkdir -p "$rootfs/home/node"
  chown 1000:1000 "$rootfs/home/node"
fi

# Trim what a slim image does not carry.
rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"* "$rootfs/usr/share/doc" "$rootfs/usr/share/man" "$rootfs/usr/share/locale"

tar -C "$rootfs" -cf "$CONTAINER_WORK/base.tar" .
pm import \
  --change 'CMD ["node"]' \
  --change 'ENV NODE_VERSION='"${node_version#v}" \
  --change 'LABEL org.opencontainers.image.description=stand-in-for-node-22-bookworm-slim-carrying-local-node-'"${node_version#v}" \
  "$CONTAINER_WORK/base.tar" "$BASE_IMAGE" >/dev/null
rm -rf "$rootfs" "$CONTAINER_WORK/base.tar"
log "stand-in $BASE_IMAGE ready ($(pm image inspect --format '{{.Size}}' "$BASE_IMAGE") bytes, Node.js $node_version)"
