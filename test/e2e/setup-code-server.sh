#!/usr/bin/env bash
# Installs what the end-to-end test drives: code-server (VS Code in the
# browser) into DIR with npm, and Debian's Chromium. Offline apart from the npm
# registry and Debian's apt mirror. Idempotent: a finished install is kept.
#
#   usage: test/e2e/setup-code-server.sh [DIR]
#          DIR defaults to $SUPCON_E2E_CACHE/code-server, where SUPCON_E2E_CACHE
#          defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/supcon-lab-e2e (outside the repo).
#   env:   CODE_SERVER_VERSION  (default 4.100.3 = newest release whose engines.node is 20)
#          SKIP_APT=1           (do not check/install Debian packages)
#
# Afterwards:  DIR/node_modules/.bin/code-server --auth none ...
set -euo pipefail

CACHE="${SUPCON_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/supcon-lab-e2e}"
DIR="${1:-$CACHE/code-server}"
CS_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
# Pinned by code-server 4.100.3's lib/vscode/npm-shrinkwrap.json and by
# @vscode/ripgrep@1.15.11's lib/postinstall.js (const VERSION).
RG_PKG_VERSION="1.15.11"
RG_TAG="v13.0.0-10"

log() { printf '[setup-code-server] %s\n' "$*" >&2; }

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != "20" ]; then
  log "code-server $CS_VERSION needs Node 20, found $(node -v)"; exit 1
fi

# 1. Debian packages: a C/C++ toolchain for the native modules (node-gyp uses
#    the headers in /usr/include/node, nothing is downloaded), Kerberos headers
#    for the 'kerberos' module, and ripgrep to stand in for the binary that
#    @vscode/ripgrep would fetch from GitHub; chromium (and fonts) for the browser.
if [ "${SKIP_APT:-0}" != "1" ]; then
  need=()
  for p in build-essential python3 pkg-config libkrb5-dev ripgrep chromium fonts-dejavu-core; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
  done
  if [ "${#need[@]}" -gt 0 ]; then
    log "apt-get install ${need[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
  fi
fi
command -v rg >/dev/null || { log "ripgrep (rg) not found"; exit 1; }

mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
MARKER="$DIR/.code-server-installed"
CS_PKG="$DIR/node_modules/code-server"

# 2. Idempotency: keep a finished install of the same version.
if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$CS_VERSION" ] \
   && "$DIR/node_modules/.bin/code-server" --version >/dev/null 2>&1; then
  log "code-server $CS_VERSION already installed in $DIR"
  exit 0
fi
rm -rf "$DIR/node_modules" "$DIR/package-lock.json" "$MARKER" "$DIR/.tmp"

cat > "$DIR/package.json" <<EOF
{
  "name": "code-server-install",
  "private": true,
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF

# 3. Seed @vscode/ripgrep's download cache ($TMPDIR/vscode-ripgrep-cache-<ver>/
#    <asset>.tar.gz). Its postinstall finds the cached asset ("Using cached
#    download"), skips api.github.com and untars our Debian rg into bin/rg.
#    A private TMPDIR keeps this from depending on / polluting /tmp.
export TMPDIR="$DIR/.tmp"
rg_cache="$TMPDIR/vscode-ripgrep-cache-$RG_PKG_VERSION"
mkdir -p "$rg_cache" "$TMPDIR/rg-stage"
cp "$(command -v rg)" "$TMPDIR/rg-stage/rg"
tar czf "$rg_cache/ripgrep-$RG_TAG-x86_64-unknown-linux-musl.tar.gz" -C "$TMPDIR/rg-stage" rg

# 4. Install. code-server's postinstall.sh runs a nested
#    'npm install --omit=dev' in lib/vscode and lib/vscode/extensions.
#  - npm_config_unsafe_perm=true: postinstall.sh refuses to run as root
#    without it (npm 11 warns "Unknown env config"; harmless).
#  - npm_config_yes=true: node-pty's postinstall runs 'npx node-gyp configure'
#    which otherwise aborts "npx canceled due to missing packages and no YES
#    option" (it fetches node-gyp from the npm registry).
#  - argon2 (node-pre-gyp) and kerberos (prebuild-install) try GitHub for
#    prebuilt binaries, get ENOTFOUND, and fall back to node-gyp builds.
log "npm install code-server@$CS_VERSION (takes ~2 min on 2 cores)"
start=$(date +%s)
(
  cd "$DIR"
  npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --loglevel=warn "code-server@$CS_VERSION"
)
log "npm install finished in $(( $(date +%s) - start ))s"

# 5. Verify the pieces that used to fail, then mark the install complete.
vs="$CS_PKG/lib/vscode"
"$vs/node_modules/@vscode/ripgrep/bin/rg" --version >/dev/null
for m in node-pty/build/Release/pty.node @vscode/spdlog/build/Release/spdlog.node \
         kerberos/build/Release/kerberos.node native-watchdog/build/Release/watchdog.node; do
  [ -f "$vs/node_modules/$m" ] || { log "missing $m"; exit 1; }
done
ls "$DIR"/node_modules/argon2/lib/binding/*/argon2.node >/dev/null
[ -d "$vs/extensions/node_modules/typescript" ]
"$DIR/node_modules/.bin/code-server" --version
rm -rf "$DIR/.tmp"
echo "$CS_VERSION" > "$MARKER"
log "installed: $(du -sh "$DIR/node_modules" | cut -f1) in $DIR/node_modules"
