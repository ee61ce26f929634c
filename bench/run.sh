#!/usr/bin/env bash
# npm run bench [-- --quick] [--n8n 1.123.81|2.41.1] [--concurrency 8] [--verify on|off] [--repeat N] [--no-profile]
# npm run bench -- --queue [--quick] [--n8n 1.123.81|2.41.1]   (issue #13: through n8n queue mode with 1 and 2 workers; bench/lib/queue.ts)
#
# Issue #6 benchmark: raw client vs OpenIM Notify vs HTTP Request vs a floor node, in one real n8n,
# against one OpenIM sandbox process. Needs `npm ci --ignore-scripts` and `bash scripts/install-n8n.sh 1.123.81`
# (or 2.41.1 with --n8n 2.41.1). See bench/README.md. Ends with one JSON line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Compile only the benchmark and what it imports (test/e2e harness, sandbox types): build/bench/...
# (tsconfig.dev.json compiles it too; this keeps unrelated work in progress out of the way).
# The harness itself builds the sandbox CLI when stale, and builds + packs the package.
if ! npx tsc -p bench/tsconfig.json; then
	echo "[bench] tsc reported errors (see above)" >&2
	[[ -f build/bench/bench.js ]] || exit 1
	echo "[bench] build/bench/bench.js was emitted anyway; continuing" >&2
fi
exec node build/bench/bench.js "$@"
