#!/usr/bin/env bash
# Installs what building, running and testing Doorstep needs on a Debian machine of this
# kind. Idempotent: every step checks first, so a warm machine installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.11
# The published crate's SHA-256, as the registry's index lists it.
CARGO_LEPTOS_SHA256=2d8cab2c1d4397b3275fd234757d6467c3db7b2fde13377ef9d543a5e80b0be0
# cargo-leptos runs wasm-bindgen in-process (scripts/cargo-leptos.patch), pinned to the version
# of the wasm-bindgen crate that Cargo.toml pins; checked below on every run.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' Cargo.toml)

# Binaryen's wasm-opt, which cargo-leptos runs on the release front end (from npm: Debian's
# is too old for today's WASM); it lands in .tools/binaryen, which the Makefile puts on PATH.
BINARYEN_VERSION=132.0.0
# esbuild minifies the release front end's JavaScript for cargo-leptos (scripts/cargo-leptos.patch
# takes swc out of it); from npm, into .tools/esbuild, also on the Makefile's PATH.
ESBUILD_VERSION=0.28.2
# The test runner `make test` drives; machines of this kind ship it, a bare one gets it built.
NEXTEST_VERSION=0.9.143
# The dependency policy of make test (deny.toml): licences, duplicates, sources.
CARGO_DENY_VERSION=0.18.9
# Lighthouse for the phone benchmark (make bench), pinned: version 13 needs a newer Node.
LIGHTHOUSE_VERSION=12.2.3

want_e2e=0
want_pg=0
want_release=0
want_lighthouse=0
for arg in "$@"; do
  case "$arg" in
    --e2e) want_e2e=1 ;;
    --postgres) want_pg=1 ;;
    --release) want_release=1 ;;
    --lighthouse) want_lighthouse=1 ;;
  esac
done

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian's rustc 1.96 with its std source: rustup cannot fetch the wasm32 std here, so the
# front end is built with -Z build-std against this toolchain. rust-web-llvm links rust-lld
# to lld-22 without depending on it, so lld-22 is named here.
apt_packages=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22 pkg-config)
# Tests read the calendar feed with a real iCalendar parser (Python's icalendar).
# Presentation tests read the PDFs with real PDF tools (pdfinfo, pdftotext, qpdf).
# The proxy test puts Debian's nginx in front, with a certificate from openssl, and asks it
# for HTTP/2 with curl; Caddy checks the Caddyfile.
[ "$want_e2e" = 1 ] && apt_packages+=(chromium python3-icalendar poppler-utils qpdf nginx caddy openssl curl)
# make test lints with Debian's clippy, the one matching Debian's rustc.
[ "$want_e2e" = 1 ] && apt_packages+=(rust-web-clippy)
[ "$want_pg" = 1 ] && apt_packages+=(postgresql)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
apt_install() { sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; }
# The compiler comes first, as building cargo-leptos (below) needs it. The rest (the std source
# the front end is built against, 340 MB unpacked; lld; the test tools) is installed while
# cargo-leptos compiles, and waited for before anything else runs: on a bare machine, most of
# the packages' 15 s no longer come before the build.
later=()
apt_pid=
apt_log=$(mktemp)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_if_needed apt-get update -qq
  first=()
  for p in "${missing[@]}"; do
    case "$p" in rustc-web | cargo-web) first+=("$p") ;; *) later+=("$p") ;; esac
  done
  [ "${#first[@]}" -eq 0 ] || apt_install "${first[@]}"
  if [ "${#later[@]}" -gt 0 ]; then
    apt_install "${later[@]}" >"$apt_log" 2>&1 &
    apt_pid=$!
  fi
fi
apt_wait() {
  if [ -n "$apt_pid" ] && ! wait "$apt_pid"; then
    cat "$apt_log" >&2
    echo "setup: installing ${later[*]} failed" >&2
    exit 1
  fi
  apt_pid=
  rm -f "$apt_log"
}

export PATH="$HOME/.cargo/bin:$PATH"
# The wasm-bindgen the front end is built with and the one cargo-leptos binds it with must be
# the same version; a change to the patch's pin builds cargo-leptos again (below).
if [ -z "$WASM_BINDGEN_VERSION" ] ||
  ! grep -A1 '^+\[dependencies.wasm-bindgen-cli-support\]' scripts/cargo-leptos.patch | grep -q "\"=$WASM_BINDGEN_VERSION\""; then
  echo "setup: Cargo.toml pins wasm-bindgen \"=${WASM_BINDGEN_VERSION:-?}\"; pin wasm-bindgen-cli-support to the same version in scripts/cargo-leptos.patch" >&2
  exit 1
fi
# Built again when the patch changes: the binary's checksum of it is kept beside it.
patch_sum=$(sha256sum < scripts/cargo-leptos.patch | cut -d' ' -f1)
patch_stamp="$HOME/.cargo/bin/.cargo-leptos.patch.sha256"
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION" || [ "$(cat "$patch_stamp" 2>/dev/null)" != "$patch_sum" ]; then
  echo "setup: building cargo-leptos $CARGO_LEPTOS_VERSION with wasm-bindgen $WASM_BINDGEN_VERSION (about 4 minutes, once)"
  # Its published source, checked against the registry's checksum, less what Doorstep's
  # builds never run (scripts/cargo-leptos.patch says what and why): 7 min to build -> 3.8,
  # 4.8 with wasm-bindgen in it, 4.0 without its dev server and downloader (docs/build.md).
  root=$PWD
  build=$(mktemp -d)
  trap 'rm -rf "$build"' EXIT
  dl=$(curl -fsSL https://index.crates.io/config.json | python3 -c 'import json, sys; print(json.load(sys.stdin)["dl"])')
  case "$dl" in
    *"{crate}"*) url=${dl//\{crate\}/cargo-leptos}; url=${url//\{version\}/$CARGO_LEPTOS_VERSION} ;;
    *) url="$dl/cargo-leptos/$CARGO_LEPTOS_VERSION/download" ;;
  esac
  curl -fsSL -o "$build/cargo-leptos.crate" "$url"
  echo "$CARGO_LEPTOS_SHA256  $build/cargo-leptos.crate" | sha256sum --check --quiet
  tar -xzf "$build/cargo-leptos.crate" -C "$build"
  src="$build/cargo-leptos-$CARGO_LEPTOS_VERSION"
  (cd "$src" && git apply -p1 "$root/scripts/cargo-leptos.patch")
  # Debian's cargo: cargo-leptos needs rustc >= 1.96. It mostly drives cargo, so its crates
  # are built unoptimised; the crates that do work on every build (the WASM splitter and its
  # parser, brotli and gzip for --precompress, regex) keep full optimisation, so builds take
  # as long as with an optimised cargo-leptos (docs/build.md). The CSS minifier is not among
  # them: optimised it took 128 s to compile, and unoptimised it still handles our 28 KB of
  # CSS unnoticed. wasm-bindgen (cli-support and walrus, its WASM reader and writer) is
  # optimised as the command was. The optimised crates take cargo's usual 16 codegen units
  # (256 for the rest): 11 s less to build, and no slower. At opt-level 1 they built 16 s
  # quicker but split and bound every build's WASM 0.55 s slower, so they stay at 3. Its own
  # Cargo.lock pins every version; the build drops the entries the patch no longer uses and
  # adds wasm-bindgen's.
  hot=()
  for crate in wasm_split_cli_support wasmparser wasm-encoder gimli regex regex-automata regex-syntax memchr \
    brotli brotli-decompressor miniz_oxide libflate libflate_lz77 seahash md-5 \
    wasm-bindgen-cli-support walrus wasm-bindgen-shared leb128 rustc-demangle; do
    hot+=(--config "profile.release.package.$crate.opt-level=3" --config "profile.release.package.$crate.codegen-units=16")
  done
  (cd "$src" && PATH=/usr/bin:$PATH CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 CARGO_PROFILE_RELEASE_INCREMENTAL=false \
    cargo build "${hot[@]}" --release --features no_downloads --target-dir "$build/target")
  mkdir -p "$HOME/.cargo/bin"
  install -m 0755 "$build/target/release/cargo-leptos" "$HOME/.cargo/bin/cargo-leptos"
  echo "$patch_sum" > "$patch_stamp"
  rm -rf "$build"
  trap - EXIT
fi
apt_wait

if [ "$want_e2e" = 1 ] && ! cargo nextest --version >/dev/null 2>&1; then
  echo "setup: installing cargo-nextest $NEXTEST_VERSION"
  PATH=/usr/bin:$PATH cargo install cargo-nextest --version "$NEXTEST_VERSION" --locked
fi
if [ "$want_e2e" = 1 ] && ! cargo deny --version 2>/dev/null | grep -q "$CARGO_DENY_VERSION"; then
  echo "setup: installing cargo-deny $CARGO_DENY_VERSION"
  PATH=/usr/bin:$PATH CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked
fi
if [ "$want_e2e" = 1 ] && [ ! -d end2end/node_modules/@playwright/test ]; then
  echo "setup: installing the Playwright runner (no browser download: Debian's Chromium is used)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
if [ "$want_release" = 1 ] && ! .tools/binaryen/node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  echo "setup: installing wasm-opt (binaryen $BINARYEN_VERSION) into .tools/binaryen"
  npm install --prefix .tools/binaryen "binaryen@$BINARYEN_VERSION" --no-audit --no-fund --silent
fi
if [ "$want_release" = 1 ] && ! .tools/esbuild/node_modules/.bin/esbuild --version 2>/dev/null | grep -qx "$ESBUILD_VERSION"; then
  echo "setup: installing esbuild $ESBUILD_VERSION into .tools/esbuild"
  npm install --prefix .tools/esbuild -E "esbuild@$ESBUILD_VERSION" --no-audit --no-fund --silent
fi
if [ "$want_lighthouse" = 1 ] && ! .tools/lighthouse/node_modules/.bin/lighthouse --version 2>/dev/null | grep -qx "$LIGHTHOUSE_VERSION"; then
  echo "setup: installing lighthouse $LIGHTHOUSE_VERSION into .tools/lighthouse"
  npm install --prefix .tools/lighthouse -E "lighthouse@$LIGHTHOUSE_VERSION" --no-audit --no-fund --silent
fi
echo "setup: ready"
