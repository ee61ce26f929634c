#!/usr/bin/env bash
# `npm run demo [-- --headless] [-- --n8n 2.41.1]`: the product on the embedded default (OpenIM sandbox).
# Installs what is missing (dev dependencies, the pinned n8n), builds, then runs tools/demo.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version=1.123.81
prev=""
for arg in "$@"; do [[ "$prev" == "--n8n" ]] && version="$arg"; prev="$arg"; done

[[ -d node_modules/n8n-workflow ]] || npm ci --ignore-scripts --no-audit --no-fund
bash scripts/install-n8n.sh "$version"
npm run build >/dev/null
npx tsc -p tsconfig.dev.json
exec node build/tools/demo.js "$@"
