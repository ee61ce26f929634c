#!/usr/bin/env bash
# `npm run demo [-- --headless] [-- --n8n 2.41.1] [-- --queue]`: the product on the embedded default (OpenIM sandbox);
# --queue: n8n in queue mode (PostgreSQL, Redis, main + 2 workers + webhook processor; needs postgresql, redis-server).
# Installs what is missing (dev dependencies, the pinned n8n), builds, then runs tools/demo.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version=1.123.81
prev=""
for arg in "$@"; do [[ "$prev" == "--n8n" ]] && version="$arg"; prev="$arg"; done

if [[ " $* " == *" --queue "* ]]; then
	missing=()
	compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
	command -v redis-server >/dev/null || missing+=(redis-server)
	if [[ ${#missing[@]} -gt 0 ]]; then
		[[ "$(id -u)" -eq 0 ]] || { echo "queue mode needs: sudo apt-get install -y ${missing[*]}" >&2; exit 1; }
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
	fi
fi
[[ -d node_modules/n8n-workflow ]] || npm ci --ignore-scripts --no-audit --no-fund
bash scripts/install-n8n.sh "$version"
npm run build >/dev/null
npx tsc -p tsconfig.dev.json
exec node build/tools/demo.js "$@"
