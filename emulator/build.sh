#!/usr/bin/env bash
# Builds deeploy's QEMU (qemu-system-riscv32 with the CORE-V extensions, the cluster DMA and the NPU) from Debian's
# QEMU 7.2 source package plus every emulator/patches/*.patch, in name order, into OUTDIR:
#
#   emulator/build.sh [OUTDIR]          (default OUTDIR: <repo>/build/qemu-xpulp)
#
# Result: OUTDIR/qemu-system-riscv32. Skipped when OUTDIR/stamp holds the sha256 of the patches and of this
# script (so it rebuilds only when a patch changes; an unchanged file keeps its time stamp, so such a rebuild
# is incremental). Needs Debian 12 and apt; installs the missing build dependencies (as root or with sudo).
# The source package is fetched with a private apt configuration under OUTDIR/apt (deb-src lines for
# bookworm and bookworm-security), which leaves the system's package lists alone. The build log is
# OUTDIR/build.log.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out="${1:-$repo/build/qemu-xpulp}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
log="$out/build.log"
want_version="1:7.2+dfsg-7+deb12u18"
configure_flags=(--target-list=riscv32-softmmu --without-default-features --disable-docs --enable-fdt=system
                 --enable-plugins)
jobs="$(nproc 2>/dev/null || echo 2)"

shopt -s nullglob
patches=("$here"/patches/*.patch)
shopt -u nullglob
# name order, independent of the locale
[ ${#patches[@]} -gt 0 ] || { echo "qemu-xpulp: no patches in $here/patches" >&2; exit 1; }
mapfile -t patches < <(printf '%s\n' "${patches[@]}" | LC_ALL=C sort)
stamp="$(cat "${patches[@]}" "$here/build.sh" | sha256sum | cut -d' ' -f1)"
if [ -x "$out/qemu-system-riscv32" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "qemu-xpulp: up to date ($out/qemu-system-riscv32)"
  exit 0
fi

fail() {
  echo "qemu-xpulp: FAILED: $1 (log: $log)" >&2
  tail -n 40 "$log" >&2 || true
  exit 1
}
step() { echo "qemu-xpulp: $*"; echo "=== $*" >>"$log"; }

start=$(date +%s)
: >"$log"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# Build dependencies.
deps=(build-essential dpkg-dev python3 python3-venv meson ninja-build pkg-config libglib2.0-dev libfdt-dev
      libpixman-1-dev flex bison xz-utils patch)
missing=()
for p in "${deps[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"; } >>"$log" 2>&1 || fail "apt-get install"
fi

# Debian's source package, through a private apt configuration.
dl="$out/download"
if ! ls "$dl"/qemu_7.2*.dsc >/dev/null 2>&1; then
  step "fetching Debian's qemu 7.2 source package"
  apt_dir="$out/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$dl"
  cat >"$apt_dir/sources.list" <<'EOF'
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOF
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o APT::Sandbox::User=root)
  apt-get "${apt_opts[@]}" update >>"$log" 2>&1 || fail "apt-get update (private deb-src lists)"
  versions="$(apt-cache "${apt_opts[@]}" showsrc qemu 2>>"$log" | awk '/^Version:/ {print $2}')"
  if grep -qxF "$want_version" <<<"$versions"; then
    version="$want_version"
  else
    version="$(grep -E '^1:7\.2\+' <<<"$versions" | sort -V | tail -n 1 || true)"
  fi
  [ -n "$version" ] || fail "no qemu 7.2 source package in bookworm or bookworm-security"
  echo "qemu source version $version" >>"$log"
  (cd "$dl" && apt-get "${apt_opts[@]}" source --download-only "qemu=$version") >>"$log" 2>&1 \
    || fail "apt-get source qemu=$version"
fi
dsc="$(ls "$dl"/qemu_7.2*.dsc | LC_ALL=C sort -V | tail -n 1)"

# A fresh patched tree; files equal to the previous tree's keep their time stamps (incremental rebuild).
step "unpacking $(basename "$dsc") and applying ${#patches[@]} patch(es)"
rm -rf "$out/src.new"
dpkg-source -x "$dsc" "$out/src.new" >>"$log" 2>&1 || fail "dpkg-source -x"
# dpkg-source leaves a copy of the upstream tarball beside the tree
rm -f "$out"/qemu_*.orig.tar.*
for p in "${patches[@]}"; do
  echo "--- applying $(basename "$p")" >>"$log"
  (cd "$out/src.new" && patch -p1 --forward --batch <"$p") >>"$log" 2>&1 || fail "patch $(basename "$p")"
done
if [ -d "$out/src" ]; then
  python3 - "$out/src.new" "$out/src" >>"$log" 2>&1 <<'EOF' || fail "updating the source tree"
import filecmp, os, shutil, sys
new, old = sys.argv[1], sys.argv[2]
for root, dirs, files in os.walk(new):
    rel = os.path.relpath(root, new)
    dst = os.path.normpath(os.path.join(old, rel))
    os.makedirs(dst, exist_ok=True)
    for f in files:
        s, d = os.path.join(root, f), os.path.join(dst, f)
        if os.path.islink(s) or os.path.islink(d):
            same = os.path.islink(s) and os.path.islink(d) and os.readlink(s) == os.readlink(d)
        else:
            same = os.path.isfile(d) and filecmp.cmp(s, d, shallow=False)
        if not same:
            if os.path.lexists(d):
                os.remove(d)
            shutil.copy2(s, d, follow_symlinks=False)
            print("updated", os.path.join(rel, f))
for root, dirs, files in os.walk(old):
    rel = os.path.relpath(root, old)
    if rel == "build" or rel.startswith("build" + os.sep):
        continue
    for f in files:
        if not os.path.lexists(os.path.join(new, rel, f)):
            os.remove(os.path.join(root, f))
            print("removed", os.path.join(rel, f))
EOF
  rm -rf "$out/src.new"
else
  mv "$out/src.new" "$out/src"
fi

# Configure (again only when the flags changed), then build.
mkdir -p "$out/src/build"
if [ "$(cat "$out/src/build/deeploy-configure" 2>/dev/null)" != "${configure_flags[*]}" ]; then
  step "configuring (${configure_flags[*]})"
  rm -rf "$out/src/build"
  mkdir -p "$out/src/build"
  (cd "$out/src/build" && ../configure "${configure_flags[@]}") >>"$log" 2>&1 || fail "configure"
  echo "${configure_flags[*]}" >"$out/src/build/deeploy-configure"
fi
step "building qemu-system-riscv32 (ninja -j$jobs, several minutes on 2 cores)"
ninja -C "$out/src/build" -j"$jobs" qemu-system-riscv32 >>"$log" 2>&1 &
ninja_pid=$!
# Ninja's last "[done/total]" from the log, every 30 s while it builds.
while kill -0 "$ninja_pid" 2>/dev/null; do
  for _ in $(seq 30); do
    kill -0 "$ninja_pid" 2>/dev/null || break
    sleep 1
  done
  done_steps="$(grep -o '^\[[0-9]*/[0-9]*\]' "$log" | tail -n 1 | tr -d '[]' || true)"
  [ -z "$done_steps" ] || echo "qemu-xpulp: building, ${done_steps/\// of } steps done"
done
wait "$ninja_pid" || fail "ninja"
cp "$out/src/build/qemu-system-riscv32" "$out/qemu-system-riscv32.new"
mv "$out/qemu-system-riscv32.new" "$out/qemu-system-riscv32"
"$out/qemu-system-riscv32" -cpu help >/dev/null 2>&1 || fail "the built qemu-system-riscv32 does not run"
echo "$stamp" >"$out/stamp"
echo "qemu-xpulp: built $out/qemu-system-riscv32 in $(( $(date +%s) - start )) s"
