#!/usr/bin/env bash
# Fetches the Debian kernels the vmtest matrix boots and writes a manifest.
#
#   vmtest/fetch-kernels.sh            # prints the manifest path on stdout
#
# Kernels (the newest package of each that apt offers):
#   6.1   linux-image-6.1.0-<N>-cloud-amd64-unsigned      (bookworm / bookworm-security)
#   6.12  linux-image-6.12.<N>+deb12-cloud-amd64-unsigned (bookworm-backports; Debian also
#         ships 6.12 for bookworm through bookworm-security, and the newest of either wins)
#   5.10  linux-image-5.10.0-<N>-cloud-amd64-unsigned     (Debian 11 "bullseye" main, the LTS
#         kernel many fleets still run). The host is bookworm, so bullseye is read through a
#         PRIVATE apt list and state under $SW_VMTEST_CACHE/apt-bullseye (a one-line sources
#         list with the same URI and key as the host's debian.sources, passed with
#         -o Dir::Etc::SourceList=...): the system's apt sources and lists are never touched.
# Pin an exact package with SW_VMTEST_PKG_61=... / SW_VMTEST_PKG_612=... / SW_VMTEST_PKG_510=...
#
# Each .deb is fetched with `apt-get download` and unpacked with `dpkg-deb -x` into
# $SW_VMTEST_CACHE (default /var/cache/sockwarden-vmtest). Idempotent: a package already
# unpacked there is not fetched again. The manifest ($SW_VMTEST_CACHE/kernels.manifest) has
# one line per kernel:  <label> <vmlinuz path> <package> <version>
set -euo pipefail

CACHE=${SW_VMTEST_CACHE:-/var/cache/sockwarden-vmtest}
# SW_VMTEST_ARCH=arm64: Debian's arm64 cloud kernels instead (6.1 and 6.12, same packages with
# -cloud-arm64-; apt lists them once scripts/setup.sh --target arm64 added the architecture),
# manifest kernels-arm64.manifest. No 5.10 for arm64: BPF trampolines (fentry, BPF LSM) came to
# arm64 in 6.0, so 5.10 arm64 would only run syscall-tp.
ARCH=${SW_VMTEST_ARCH:-amd64}
case $ARCH in
  amd64) MANIFEST=$CACHE/kernels.manifest ;;
  arm64) MANIFEST=$CACHE/kernels-arm64.manifest ;;
  *) echo "fetch-kernels.sh: SW_VMTEST_ARCH must be amd64 or arm64, not '$ARCH'" >&2; exit 1 ;;
esac

die() {
  echo "fetch-kernels.sh: $*" >&2
  exit 1
}

command -v apt-cache >/dev/null && command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
  die "needs apt-cache, apt-get and dpkg-deb (a Debian host)"

# apt options of the suite being resolved: empty for the host's own sources (bookworm and
# backports), the private bullseye list for 5.10 (see private_suite).
APT_OPTS=()

# Newest (by candidate version) package whose name matches the regex; prints "name version".
newest_pkg() {
  local regex=$1 best="" best_v="" p v
  while read -r p _; do
    [[ $p =~ $regex ]] || continue
    v=$(apt-cache "${APT_OPTS[@]}" policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
    [[ -n $v && $v != "(none)" ]] || continue
    if [[ -z $best_v ]] || dpkg --compare-versions "$v" gt "$best_v"; then
      best=$p
      best_v=$v
    fi
  done < <(apt-cache "${APT_OPTS[@]}" search --names-only "$regex" 2>/dev/null)
  [[ -n $best ]] && echo "$best $best_v"
}

# A Debian suite the host does not use (bullseye on a bookworm host), read through apt state of
# its own: list file, lists, cache and status under $CACHE/apt-<suite>. Same mirror URI and key
# as the host's debian.sources (the way scripts/setup.sh adds bookworm-backports), but nothing is
# written to /etc/apt or /var/lib/apt. Sets APT_OPTS; `apt-get update` of that state runs when
# its lists are missing or older than a day.
private_suite() {
  local suite=$1 dir=$CACHE/apt-$1 sources_dir=${SW_APT_SOURCES_DIR:-/etc/apt/sources.list.d} uris key
  uris=$(awk '/^URIs:/ {print $2; exit}' "$sources_dir/debian.sources" 2>/dev/null || true)
  key=$(awk '/^Signed-By:/ {print $2; exit}' "$sources_dir/debian.sources" 2>/dev/null || true)
  : "${uris:=http://deb.debian.org/debian}"
  : "${key:=/usr/share/keyrings/debian-archive-keyring.gpg}"
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  echo "deb [signed-by=$key] $uris $suite main" >"$dir/sources.list"
  : >"$dir/status"
  APT_OPTS=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o "Dir::State::status=$dir/status"
    -o APT::Sandbox::User=root)
  if [[ -z $(find "$dir/lists" -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null) ]]; then
    echo "fetch-kernels.sh: apt-get update of the private $suite list ($uris $suite main, state in $dir)" >&2
    apt-get "${APT_OPTS[@]}" update -qq >&2 || echo "fetch-kernels.sh: apt-get update of $suite failed" >&2
  fi
}

# label | package regex | env pin | private suite ("" = the host's sources) | where apt should find it
KERNELS=(
  "6.1|^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$|${SW_VMTEST_PKG_61:-}||bookworm (main or security)"
  "6.12|^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$|${SW_VMTEST_PKG_612:-}||bookworm-backports (or bookworm-security)"
  "5.10|^linux-image-5\.10\.0-[0-9]+-cloud-amd64-unsigned$|${SW_VMTEST_PKG_510:-}|bullseye|Debian 11 bullseye main (private apt list under \$SW_VMTEST_CACHE/apt-bullseye)"
)
if [[ $ARCH == arm64 ]]; then
  KERNELS=(
    "6.1|^linux-image-6\.1\.0-[0-9]+-cloud-arm64-unsigned$|${SW_VMTEST_PKG_61:-}||bookworm (main or security), arm64 (scripts/setup.sh --target arm64)"
    "6.12|^linux-image-6\.12\.[0-9]+\+deb12-cloud-arm64-unsigned$|${SW_VMTEST_PKG_612:-}||bookworm-backports (or bookworm-security), arm64 (scripts/setup.sh --target arm64)"
  )
fi

resolve() {
  local regex=$1 pin=$2 v
  if [[ -n $pin ]]; then
    v=$(apt-cache "${APT_OPTS[@]}" policy "$pin" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
    [[ -n $v && $v != "(none)" ]] && echo "$pin $v"
    return 0
  fi
  newest_pkg "$regex"
}

mkdir -p "$CACHE"
tmp_manifest=$(mktemp "$CACHE/.manifest.XXXXXX")
trap 'rm -f "$tmp_manifest"' EXIT
updated=""

for spec in "${KERNELS[@]}"; do
  IFS='|' read -r label regex pin suite where <<<"$spec"
  APT_OPTS=()
  [[ -n $suite ]] && private_suite "$suite"
  found=$(resolve "$regex" "$pin")
  if [[ -z $found && -z $updated && -z $suite ]]; then
    echo "fetch-kernels.sh: no $label cloud kernel in the apt lists; running apt-get update once" >&2
    apt-get update -qq >&2 || true
    updated=1
    found=$(resolve "$regex" "$pin")
  fi
  if [[ -z $found ]]; then
    # Offline or lists gone: a kernel fetched earlier still serves.
    prev=$(awk -v l="$label" '$1 == l' "$MANIFEST" 2>/dev/null || true)
    if [[ -n $prev && -s $(awk '{print $2}' <<<"$prev") && ( -z $pin || $(awk '{print $3}' <<<"$prev") == "$pin" ) ]]; then
      echo "fetch-kernels.sh: apt does not list the $label kernel now; reusing the cached $(awk '{print $3"="$4}' <<<"$prev")" >&2
      echo "$prev" >>"$tmp_manifest"
      continue
    fi
    die "apt cannot provide the $label kernel (${pin:-$regex}). It comes from $where:
  check /etc/apt/sources.list.d/ (scripts/setup.sh adds bookworm-backports) and run apt-get update
  (bullseye: the private list above; is Debian's archive reachable?)."
  fi
  read -r pkg ver <<<"$found"

  dest=$CACHE/${pkg}_${ver}
  if ! compgen -G "$dest/boot/vmlinuz-*" >/dev/null; then
    work=$(mktemp -d "$CACHE/.dl.XXXXXX")
    echo "fetch-kernels.sh: downloading $pkg=$ver" >&2
    if ! (cd "$work" && apt-get "${APT_OPTS[@]}" download -qq -o APT::Sandbox::User=root "$pkg=$ver" >&2); then
      rm -rf "$work"
      die "apt-get download $pkg=$ver failed (is Debian's archive reachable?)"
    fi
    deb=$(ls "$work"/*.deb)
    rm -rf "$dest.partial"
    mkdir -p "$dest.partial"
    dpkg-deb -x "$deb" "$dest.partial" || die "dpkg-deb -x could not unpack $deb"
    rm -rf "$dest"
    mv "$dest.partial" "$dest"
    rm -rf "$work"
  fi
  vmlinuz=$(compgen -G "$dest/boot/vmlinuz-*" | head -1)
  [[ -s $vmlinuz ]] || die "no boot/vmlinuz-* inside $pkg"
  echo "$label $vmlinuz $pkg $ver" >>"$tmp_manifest"
done

mv "$tmp_manifest" "$MANIFEST"
trap - EXIT
echo "$MANIFEST"
