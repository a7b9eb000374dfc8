#!/usr/bin/env bash
# Brings a fresh Debian/Ubuntu machine (or a fresh clone) to the point where the platform runs,
# and does nothing that is already done, so a warm `npm start` spends well under a second here.
#   scripts/setup.sh              what `npm start` needs
#   scripts/setup.sh --for-tests  also what `npm test` needs (Chromium for the browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."

FOR_TESTS=false
[[ "${1:-}" == "--for-tests" ]] && FOR_TESTS=true

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[setup]\033[0m %s\n' "$*" >&2; exit 1; }

# Debian packages. Build: what the mediasoup worker compiles against (see build-mediasoup-worker.sh).
# Run: the shared libraries that worker links, and FFmpeg for the recorder.
BUILD_DEBS=(meson ninja-build pkg-config g++ patch libabsl-dev libsrtp2-dev libuv1-dev nlohmann-json3-dev libssl-dev libusrsctp-dev catch2)
RUN_DEBS=(ffmpeg openssl)
TEST_DEBS=(chromium fonts-liberation poppler-utils)

check_node() {
  local version major minor
  version=$(node -p 'process.versions.node')
  IFS=. read -r major minor _ <<<"$version"
  if (( major < 20 || (major == 20 && minor < 19) )); then
    die "Node.js $version is too old: install Node.js 20.19 or newer (22 LTS works too)."
  fi
}

ensure_debs() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  (( ${#missing[@]} == 0 )) && return 0
  if [[ $(id -u) -ne 0 ]]; then
    die "Missing Debian packages. Install them with:
  sudo apt-get update && sudo apt-get install -y ${missing[*]}
then run the command again."
  fi
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Hash of files, for "has this changed since the last time we built it" stamps.
fingerprint() { sha256sum "$@" 2>/dev/null | sha256sum | cut -c1-16; }

ensure_node_modules() {
  local worker_bin=$1 stamp=node_modules/.aethex-installed want
  want=$(fingerprint package.json package-lock.json)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then return 0; fi
  log "installing npm dependencies"
  # MEDIASOUP_WORKER_BIN tells mediasoup's install step to use our worker instead of downloading one.
  MEDIASOUP_WORKER_BIN="$worker_bin" npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" >"$stamp"
}

# mediasoup looks for its worker next to its own code unless MEDIASOUP_WORKER_BIN is set at run
# time; putting it there makes every way of starting the platform (npm start, tests, benchmarks) work.
install_worker_into_mediasoup() {
  local worker_bin=$1 target=node_modules/mediasoup/worker/out/Release/mediasoup-worker
  if cmp -s "$worker_bin" "$target"; then return 0; fi
  mkdir -p "$(dirname "$target")"
  cp "$worker_bin" "$target.tmp" && mv "$target.tmp" "$target"
}

ensure_prisma_client() {
  local stamp=prisma/generated/.aethex-generated want
  want=$(fingerprint prisma/schema.prisma package-lock.json)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then return 0; fi
  log "generating the Prisma client"
  # The CLI wants a URL even though generate never connects; without one it may try to fetch an engine.
  DATABASE_URL="${DATABASE_URL:-postgresql://localhost/unused}" CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1 \
    npx --no-install prisma generate >&2
  echo "$want" >"$stamp"
}

# The web app's sources: everything under web/ but its builds.
web_fingerprint() {
  find web package-lock.json \( -path web/dist -o -path web/dist-test \) -prune -o -type f -print |
    LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16
}

# Builds the app into web/<dist> with `vite build $*` unless the sources are unchanged since the last time.
build_web_into() {
  local dist=$1 stamp=web/$1/.aethex-built want
  shift
  want=$(web_fingerprint)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then return 0; fi
  log "building the web app into web/$dist"
  npx --no-install vite build --config web/vite.config.ts --logLevel warn "$@" >&2
  echo "$want" >"$stamp"
}

ensure_web_build() {
  build_web_into dist
  # Only test builds let scripts on the page reach the player and publisher (web/src/test-hooks.ts).
  if grep -rlq __aethex web/dist; then
    rm -f web/dist/.aethex-built
    die "web/dist mentions __aethex: the test hooks leaked into the production build (comments count: the source maps carry the sources)"
  fi
}

# What the browser tests and benchmarks serve by default: the app with its test hooks.
ensure_web_test_build() {
  build_web_into dist-test --mode test
}

main() {
  check_node
  local debs=("${BUILD_DEBS[@]}" "${RUN_DEBS[@]}")
  $FOR_TESTS && debs+=("${TEST_DEBS[@]}")
  ensure_debs "${debs[@]}"
  local worker_bin
  worker_bin=$(bash scripts/build-mediasoup-worker.sh | tail -n 1)
  [[ -x $worker_bin ]] || die "the mediasoup worker build did not produce a binary (got '$worker_bin')"
  ensure_node_modules "$worker_bin"
  install_worker_into_mediasoup "$worker_bin"
  ensure_prisma_client
  ensure_web_build
  if $FOR_TESTS; then ensure_web_test_build; fi
}

main
