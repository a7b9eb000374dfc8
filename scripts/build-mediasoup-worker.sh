#!/usr/bin/env bash
# Build mediasoup's C++ worker from Debian's system libraries, offline, and
# cache it outside the clone.
#
# Why: `npm install mediasoup` downloads a prebuilt worker from GitHub, or
# builds one with pip's meson and source wraps from GitHub/wrapdb. Neither is
# reachable on this project's machines (only the npm registry and Debian apt
# are). mediasoup 3.12.16 is the newest release whose pinned dependencies all
# exist in Debian 12, so we build its worker against those packages instead.
#
# Usage:   scripts/build-mediasoup-worker.sh
# Output:  the absolute path of the worker binary, as the only line on stdout
#          (all progress goes to stderr), e.g.
#            export MEDIASOUP_WORKER_BIN="$(scripts/build-mediasoup-worker.sh)"
# Cache:   ${AETHEX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aethex-live}/mediasoup-worker/
#          <version>-<hash of this script and the wrapper subprojects>/mediasoup-worker
#          A cached binary that still runs is returned at once; a change to this
#          script, the wrappers or the patches gives a new key, hence a fresh build.
# Patches: scripts/mediasoup-worker-patches/*.patch, upstream fixes backported
#          to 3.12.16 (see each file's comment).

set -euo pipefail

readonly MEDIASOUP_VERSION=3.12.16

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly SCRIPT_NAME="build-mediasoup-worker.sh"
readonly WRAPPERS_NAME="mediasoup-worker-subprojects"
readonly WRAPPERS_DIR="$SCRIPT_DIR/$WRAPPERS_NAME"
readonly PATCHES_NAME="mediasoup-worker-patches"
readonly PATCHES_DIR="$SCRIPT_DIR/$PATCHES_NAME"

log() { printf '[mediasoup-worker] %s\n' "$*" >&2; }
die() { printf '[mediasoup-worker] error: %s\n' "$*" >&2; exit 1; }

# Hash of everything that shapes the build, so editing the script, a wrapper or
# a patch invalidates the cache. Paths are relative, so the clone location doesn't matter.
build_inputs_hash() {
  (
    cd "$SCRIPT_DIR"
    {
      sha256sum "$SCRIPT_NAME"
      find "$WRAPPERS_NAME" "$PATCHES_NAME" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    } | sha256sum | cut -c1-12
  )
}

cache_dir() {
  local root="${AETHEX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aethex-live}"
  printf '%s/mediasoup-worker/%s-%s' "$root" "$MEDIASOUP_VERSION" "$(build_inputs_hash)"
}

# A worker run without MEDIASOUP_VERSION exits with code 41 right away (see
# worker/src/main.cpp; mediasoup's own postinstall uses the same probe). Any
# other status means it can't start here, e.g. a shared library is missing
# (the dynamic loader exits with 127).
worker_runs() {
  local bin="$1" status=0
  [[ -x "$bin" ]] || return 1
  env -i "$bin" </dev/null >/dev/null 2>&1 || status=$?
  [[ "$status" -eq 41 ]]
}

# Print the exact apt-get line for whatever is missing, then stop.
check_build_tools() {
  local missing=()

  [[ "$(uname -s)" == "Linux" ]] || die "only Linux (Debian 12) is supported, not $(uname -s)"

  command -v npm >/dev/null 2>&1 || die "npm is needed to fetch the mediasoup sources (install Node.js 20)"
  command -v meson >/dev/null 2>&1 || missing+=(meson)
  command -v ninja >/dev/null 2>&1 || missing+=(ninja-build)
  command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v patch >/dev/null 2>&1 || missing+=(patch)

  if command -v pkg-config >/dev/null 2>&1; then
    # pkg-config module -> Debian package that ships it
    local -A modules=(
      [absl_flat_hash_map]=libabsl-dev
      [libsrtp2]=libsrtp2-dev
      [libuv]=libuv1-dev
      [nlohmann_json]=nlohmann-json3-dev
      [openssl]=libssl-dev
      [usrsctp]=libusrsctp-dev
    )
    local module
    for module in "${!modules[@]}"; do
      pkg-config --exists "$module" || missing+=("${modules[$module]}")
    done
  else
    missing+=(libabsl-dev libsrtp2-dev libuv1-dev nlohmann-json3-dev libssl-dev libusrsctp-dev)
  fi

  if ((${#missing[@]})); then
    log "missing build dependencies. Install them with:"
    printf '\n  sudo apt-get install -y %s\n\n' "$(printf '%s\n' "${missing[@]}" | sort -u | xargs)" >&2
    exit 1
  fi
}

# Fetch the published package (it contains worker/ as a meson project) into $1.
fetch_sources() {
  local dest="$1"
  local tarball="$dest/mediasoup-$MEDIASOUP_VERSION.tgz"
  log "fetching mediasoup@$MEDIASOUP_VERSION sources with npm pack"
  # npm prints the tarball name on stdout: keep stdout clean for our caller.
  (cd "$dest" && npm pack --silent "mediasoup@$MEDIASOUP_VERSION" >/dev/null) \
    || die "npm pack mediasoup@$MEDIASOUP_VERSION failed (is the npm registry reachable?)"
  [[ -f "$tarball" ]] || die "npm pack did not produce $tarball"
  tar -xzf "$tarball" -C "$dest"
  [[ -f "$dest/package/worker/meson.build" ]] || die "unexpected tarball layout: no package/worker/meson.build"
}

# Swap upstream's download wraps for our folders that wrap Debian's libraries.
install_wrappers() {
  local worker_dir="$1"
  rm -f "$worker_dir"/subprojects/*.wrap
  cp -R "$WRAPPERS_DIR"/*/ "$worker_dir/subprojects/"
}

# Fixes from later mediasoup releases that 3.12.16 lacks, one file each, applied
# to the unpacked package (paths start with worker/). Each patch says why.
apply_patches() {
  local package_dir="$1" patch_file
  for patch_file in "$PATCHES_DIR"/*.patch; do
    [[ -e "$patch_file" ]] || continue
    log "applying $(basename "$patch_file")"
    patch --batch --forward --silent -p1 -d "$package_dir" <"$patch_file" >&2 \
      || die "patch $(basename "$patch_file") does not apply to mediasoup $MEDIASOUP_VERSION"
  done
}

# mediasoup asks for meson >= 1.1.0 but uses nothing newer than Debian 12's
# 1.0.1 offers; relax only that project() check, and only when needed.
relax_meson_version() {
  local worker_dir="$1" have
  have="$(meson --version)"
  if [[ "$(printf '%s\n' "$have" 1.1.0 | sort -V | head -n1)" != "1.1.0" ]]; then
    log "meson $have < 1.1.0: relaxing mediasoup's meson_version check"
    sed -i "s/meson_version: '>= 1.1.0'/meson_version: '>= 1.0.0'/" "$worker_dir/meson.build"
    grep -q "meson_version: '>= 1.0.0'" "$worker_dir/meson.build" \
      || die "could not relax the meson version check in worker/meson.build"
  fi
}

# Same flags as mediasoup's own `make` (worker/Makefile), minus downloads.
compile_worker() {
  local worker_dir="$1" build_dir="$2"
  log "configuring (meson setup)"
  meson setup \
    --wrap-mode=nodownload \
    --buildtype release \
    -Db_ndebug=true \
    -Db_pie=true \
    -Db_staticpic=true \
    "$build_dir" "$worker_dir" >&2
  log "compiling with $(nproc) jobs; this takes several minutes"
  meson compile -C "$build_dir" -j "$(nproc)" mediasoup-worker >&2
}

# Copy next to the destination first, then rename: readers never see a partial file.
install_binary() {
  local built="$1" dest_dir="$2"
  local tmp_bin="$dest_dir/.mediasoup-worker.$$.tmp"
  mkdir -p "$dest_dir"
  cp "$built" "$tmp_bin"
  chmod 0755 "$tmp_bin"
  mv -f "$tmp_bin" "$dest_dir/mediasoup-worker"
}

main() {
  local dest_dir bin
  dest_dir="$(cache_dir)"
  bin="$dest_dir/mediasoup-worker"

  if worker_runs "$bin"; then
    printf '%s\n' "$bin"
    exit 0
  fi

  check_build_tools

  local work_dir
  work_dir="$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker-build.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: work_dir is local to main
  trap "rm -rf '$work_dir'" EXIT

  local started=$SECONDS
  fetch_sources "$work_dir"
  local worker_dir="$work_dir/package/worker"
  install_wrappers "$worker_dir"
  apply_patches "$work_dir/package"
  relax_meson_version "$worker_dir"
  compile_worker "$worker_dir" "$work_dir/build"

  local built="$work_dir/build/mediasoup-worker"
  worker_runs "$built" || die "the freshly built worker does not start; ldd output: $(ldd "$built" 2>&1 | grep 'not found' || true)"
  install_binary "$built" "$dest_dir"
  log "built in $((SECONDS - started)) s: $bin"

  printf '%s\n' "$bin"
}

main "$@"
