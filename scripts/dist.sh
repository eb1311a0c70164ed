#!/usr/bin/env bash
# `make dist` (issue 25): the packages a user installs without Rust, all under build/dist/:
#
#   signbridge-V-cp39-abi3-manylinux_2_17_x86_64.whl   Python wheel (abi3), maturin --zig
#   signbridge-V.tar.gz                                 Python sdist (builds from source)
#   signbridge-V.tgz, signbridge-linux-x64-gnu-V.tgz    npm: main package + platform package
#   signbridge-V-linux-x86_64-gnu.tar.gz                C: lib/ (so, a, pkgconfig, cmake), include/
#   (DIST_AARCH64=1: also signbridge-V-cp39-abi3-manylinux_2_17_aarch64.whl; wheel only)
#
# One profile and target for all three: cargo profile `dist` (release without debug info,
# stripped), target x86_64-unknown-linux-gnu compiled and linked by zig against glibc 2.17
# (manylinux2014), in the shared target/ (target/x86_64-unknown-linux-gnu/dist/). maturin --zig
# runs cargo with zig wrappers as CC/linker; the C library and the Node addon are built by one
# cargo run with exactly that environment (recorded by a `cargo` shim on maturin's PATH), so
# what they share with the wheel's build is not compiled again (cargo-zigbuild's own wrappers would
# be other paths, and ring's build script, which watches CC, would make cargo rebuild everything
# above it). The core itself is compiled twice, once for the wheel and once for the C library and
# the addon together: pyo3's and napi's macros ask for other features of shared dependencies (syn,
# futures-util), so no single build can serve maturin's one-crate cargo run and the others.
#
# The tools come from PyPI into a private venv (build/dist-tools/venv): maturin (the wheel, and
# the zig set-up), ziglang (zig) and auditwheel (confirms the wheel's manylinux tag).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CARGO=${CARGO:-cargo}
DIST=$ROOT/build/dist
TOOLS=$ROOT/build/dist-tools
TRIPLE=x86_64-unknown-linux-gnu
GLIBC=2.17
PROFILE=dist
BUILT=$ROOT/target/$TRIPLE/$PROFILE
TOOL_PINS=(maturin==1.16.0 ziglang==0.17.1 auditwheel==6.8.2)
T0=$(date +%s)
step() { printf '\n== [%3ss] %s\n' "$(($(date +%s) - T0))" "$*"; }

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)

step "tools: ${TOOL_PINS[*]} (venv build/dist-tools/venv)"
if [ ! -x "$TOOLS/venv/bin/python" ]; then
  rm -rf "$TOOLS/venv"
  python3 -m venv "$TOOLS/venv"
fi
if [ "$(cat "$TOOLS/venv/pins" 2>/dev/null)" != "${TOOL_PINS[*]}" ]; then
  "$TOOLS/venv/bin/pip" install -q --disable-pip-version-check "${TOOL_PINS[@]}"
  echo "${TOOL_PINS[*]}" >"$TOOLS/venv/pins"
fi
# zig is `python -m ziglang` of this venv (maturin looks for it there).
REAL_CARGO=$(command -v "$CARGO")
export PATH=$TOOLS/venv/bin:$PATH
export CARGO_TARGET_DIR=$ROOT/target
# The shim: records the environment maturin gives cargo, then runs cargo.
mkdir -p "$TOOLS/shim"
cat >"$TOOLS/shim/cargo" <<SH
#!/bin/sh
env >"$TOOLS/maturin-cargo.env"
exec "$REAL_CARGO" "\$@"
SH
chmod +x "$TOOLS/shim/cargo"

rm -rf "$DIST"
mkdir -p "$DIST"

# ---- Python: the wheel (zig, manylinux2014) and the sdist ----
step "Python wheel: maturin build --profile $PROFILE --zig --compatibility manylinux2014 --target $TRIPLE"
rm -f "$TOOLS/maturin-cargo.env"
(cd bindings-python && PATH=$TOOLS/shim:$PATH maturin build --quiet --profile "$PROFILE" --zig --compatibility manylinux2014 \
  --target "$TRIPLE" --strip --interpreter "$TOOLS/venv/bin/python" --out "$DIST")
WHEEL=$(ls "$DIST"/signbridge-"$VERSION"-*.whl)
auditwheel show "$WHEEL" | tee "$TOOLS/auditwheel.txt"
grep -q 'manylinux_2_17_x86_64' "$TOOLS/auditwheel.txt" ||
  { echo "auditwheel: $(basename "$WHEEL") is not manylinux_2_17_x86_64" >&2; exit 1; }
case "$(basename "$WHEEL")" in
  *-cp39-abi3-*manylinux_2_17_x86_64*.whl) ;;
  *) echo "unexpected wheel name $(basename "$WHEEL")" >&2; exit 1 ;;
esac

step "Python sdist: maturin sdist"
(cd bindings-python && maturin sdist --out "$DIST" 2>&1 | grep -v '^$' | tail -2)
ls "$DIST/signbridge-$VERSION.tar.gz" >/dev/null

# ---- optional: the wheel for Linux aarch64 (DIST_AARCH64=1; not part of make test) ----
# zig links for aarch64 without a cross toolchain; cargo needs the target's standard library
# (rustup target add). Nothing here can run it, so it is only checked for its tag.
if [ -n "${DIST_AARCH64:-}" ]; then
  step "Python wheel for aarch64: maturin build --profile $PROFILE --zig --compatibility manylinux2014 --target aarch64-unknown-linux-gnu"
  rustup target list --installed | grep -qx aarch64-unknown-linux-gnu || rustup target add aarch64-unknown-linux-gnu
  (cd bindings-python && maturin build --quiet --profile "$PROFILE" --zig --compatibility manylinux2014 \
    --target aarch64-unknown-linux-gnu --strip --interpreter "$TOOLS/venv/bin/python" --out "$DIST")
  auditwheel show "$DIST"/signbridge-"$VERSION"-*aarch64*.whl | grep -q 'manylinux_2_17_aarch64' ||
    { echo "auditwheel: the aarch64 wheel is not manylinux_2_17_aarch64" >&2; exit 1; }
fi

# ---- the C library and the Node addon: the same zig set-up, the same profile and target dir ----
# maturin's zig set-up: compiler, archiver and linker wrappers for the target (glibc $GLIBC) and
# the switches that keep build scripts on the host toolchain; not its Python (PYO3_*) settings.
ZIG_ENV=()
while IFS= read -r line; do ZIG_ENV+=("$line"); done < <(grep -E \
  '^(CC|CXX|AR|RANLIB|CMAKE_TOOLCHAIN_FILE)_x86_64_unknown_linux_gnu=|^CARGO_TARGET_|^CARGO_UNSTABLE_TARGET_APPLIES_TO_HOST=|^CARGO_ZIGBUILD_|^ZIG_COMMAND=|^__CARGO_TEST_CHANNEL_OVERRIDE_DO_NOT_USE_THIS=' \
  "$TOOLS/maturin-cargo.env" | grep -v '^CARGO_TARGET_DIR=')
grep -q "^CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER=.*zigcc-$TRIPLE.$GLIBC" "$TOOLS/maturin-cargo.env" ||
  { echo "maturin did not run cargo with its zig linker for $TRIPLE.$GLIBC" >&2; exit 1; }
# One cargo run for both: they then share one compiled core (built apart, each would need its
# own: napi turns on more futures-util features, and every crate above it would differ).
step "signbridge-ffi + signbridge-node: cargo build --profile $PROFILE --target $TRIPLE (maturin's zig set-up)"
env "${ZIG_ENV[@]}" "$REAL_CARGO" build --profile "$PROFILE" --target "$TRIPLE" -p signbridge-ffi -p signbridge-node

# ---- C tarball ----
C_NAME=signbridge-$VERSION-linux-x86_64-gnu
step "C tarball: $C_NAME.tar.gz (scripts/c-install.sh into a staging prefix)"
STAGE=$TOOLS/stage
rm -rf "$STAGE" && mkdir -p "$STAGE"
FROM=$BUILT PROFILE=$PROFILE RELOCATABLE=1 scripts/c-install.sh "$STAGE/$C_NAME" >/dev/null
install -d "$STAGE/$C_NAME/share/doc/signbridge"
install -m 644 docs/install.md "$STAGE/$C_NAME/share/doc/signbridge/INSTALL.md"
# Reproducible: fixed order, owner and time (the last commit's).
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$(git log -1 --format=%ct)" \
  -C "$STAGE" -czf "$DIST/$C_NAME.tar.gz" "$C_NAME"

# ---- npm: the platform package with the .node, the main package wired to it ----
step "npm: signbridge-linux-x64-gnu (prebuilt addon) and signbridge (optionalDependencies)"
NODE_STAGE=$STAGE/npm
mkdir -p "$NODE_STAGE/linux-x64-gnu" "$NODE_STAGE/signbridge"
install -m 755 "$BUILT/libsignbridge_node.so" "$NODE_STAGE/linux-x64-gnu/signbridge.linux-x64-gnu.node"
strip --strip-unneeded "$NODE_STAGE/linux-x64-gnu/signbridge.linux-x64-gnu.node"
(cd bindings-node && cp index.js index.mjs index.d.ts operations.d.ts securosys.js securosys.d.ts zignsec-eid.js zignsec-eid.d.ts onespan.js onespan.d.ts zignsec-signing.js zignsec-signing.d.ts signing.js signing.d.ts config.d.ts binding.js "$NODE_STAGE/signbridge/" &&
  mkdir -p "$NODE_STAGE/signbridge/examples" &&
  cp examples/contract.pdf examples/express-webhook.js examples/securosys-approvals.js "$NODE_STAGE/signbridge/examples/")
# The package.json files: what `napi create-npm-dirs` and `napi prepublish` write, from
# bindings-node/package.json (the one source of name, version, license, engines).
node - "$ROOT/bindings-node/package.json" "$NODE_STAGE" "$ROOT/Cargo.toml" <<'JS'
const fs = require('node:fs')
const path = require('node:path')
const [src, stage, cargoToml] = process.argv.slice(2)
const pkg = JSON.parse(fs.readFileSync(src, 'utf8'))
const repo = /^repository = "(.*)"$/m.exec(fs.readFileSync(cargoToml, 'utf8'))[1]
const platformName = `${pkg.name}-linux-x64-gnu`
const platform = {
  name: platformName,
  version: pkg.version,
  description: `The prebuilt native addon of ${pkg.name} for Linux x64 (glibc >= 2.17)`,
  license: pkg.license,
  repository: { type: 'git', url: `git+${repo}.git` },
  main: 'signbridge.linux-x64-gnu.node',
  files: ['signbridge.linux-x64-gnu.node'],
  os: ['linux'],
  cpu: ['x64'],
  libc: ['glibc'],
  engines: pkg.engines
}
const main = { ...pkg }
delete main.devDependencies
delete main.scripts
main.repository = { type: 'git', url: `git+${repo}.git` }
main.files = pkg.files.filter((f) => !f.endsWith('.node'))
main.optionalDependencies = { [platformName]: pkg.version }
fs.writeFileSync(path.join(stage, 'linux-x64-gnu', 'package.json'), JSON.stringify(platform, null, 2) + '\n')
fs.writeFileSync(path.join(stage, 'signbridge', 'package.json'), JSON.stringify(main, null, 2) + '\n')
JS
for p in linux-x64-gnu signbridge; do
  (cd "$NODE_STAGE/$p" && npm pack --quiet --pack-destination "$DIST" >/dev/null)
done
ls "$DIST/signbridge-$VERSION.tgz" "$DIST/signbridge-linux-x64-gnu-$VERSION.tgz" >/dev/null

step "build/dist/"
(cd "$DIST" && for f in *; do printf '  %-62s %8s KiB\n' "$f" "$(($(stat -c %s "$f") / 1024))"; done)
echo "make dist: done ($(($(date +%s) - T0))s)"
