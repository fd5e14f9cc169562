#!/usr/bin/env bash
# Packaging test: builds the .deb from BUILD_DIR (already built), checks its contents and
# Depends, and verifies the systemd unit with systemd-analyze against the extracted tree.
# usage: test_package.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$1
tmp=$(mktemp -d /tmp/sw-pkg.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

BUILD_DIR=$build SOCKWARDEN_SKIP_BUILD=1 "$root/scripts/package.sh" "$tmp/dist" >/dev/null
deb=$(ls "$tmp"/dist/sockwarden_*.deb)
echo "package: $(basename "$deb")"

contents=$(dpkg-deb -c "$deb")
for f in ./usr/sbin/sockwarden ./usr/lib/systemd/system/sockwarden.service ./etc/sockwarden/config.yaml \
         ./usr/share/sockwarden/sockwarden-event.schema.json ./usr/share/sockwarden/sockwarden-doctor.schema.json; do
  grep -q " $f\$" <<<"$contents" || fail "$f missing from the package: $contents"
done
grep -E ' \./usr/sbin/sockwarden$' <<<"$contents" | grep -q '^-rwxr-xr-x' || fail "binary not executable"

info=$(dpkg-deb -I "$deb")
echo "$info" | sed -n '/Package:/,$p'
[[ $(dpkg-deb -f "$deb" Package) == sockwarden ]] || fail "package name"
[[ -n $(dpkg-deb -f "$deb" Maintainer) ]] || fail "no Maintainer"
[[ -n $(dpkg-deb -f "$deb" Description) ]] || fail "no Description"
depends=$(dpkg-deb -f "$deb" Depends)
# Every shared library the binary needs must come from a package named in Depends.
dpkg-deb -x "$deb" "$tmp/root"
while read -r lib; do
  # usrmerge: dpkg knows a library under /lib or under /usr/lib, by its link or its real name.
  pkg=
  for cand in "$lib" "$(readlink -f "$lib")" "${lib/#\/lib\//\/usr\/lib\/}"; do
    pkg=$(dpkg -S "$cand" 2>/dev/null | head -1 | cut -d: -f1) || true
    [[ -n $pkg ]] && break
  done
  [[ -n $pkg ]] || fail "no Debian package owns $lib"
  # Depends entries without their version constraints, one a line; fixed-string match (libstdc++6).
  sed 's/ *([^)]*)//g; s/, */\n/g' <<<"$depends" | grep -qxF "$pkg" || fail "Depends lacks $pkg (for $lib): $depends"
done < <(ldd "$tmp/root/usr/sbin/sockwarden" | awk '/=> \//{print $3}')
grep -q '/etc/sockwarden/config.yaml' <(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles) || fail "config.yaml not a conffile"

unit=$tmp/root/usr/lib/systemd/system/sockwarden.service
grep -q '^ExecStart=/usr/sbin/sockwarden run --config /etc/sockwarden/config.yaml$' "$unit" || fail "ExecStart"
for key in 'ProtectSystem=strict' 'PrivateTmp=yes' 'ProtectHome=read-only' 'NoNewPrivileges=yes' \
           'Restart=on-failure' 'ExecReload=/bin/kill -HUP $MAINPID' 'ReadWritePaths=/run/sockwarden /var/log/sockwarden -/var/lib/prometheus/node-exporter'; do
  grep -qxF "$key" "$unit" || fail "unit lacks $key"
done
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
for c in $caps; do
  case $c in CAP_BPF|CAP_PERFMON|CAP_SYS_ADMIN|CAP_SYS_PTRACE|CAP_DAC_READ_SEARCH|CAP_SYS_RESOURCE) ;;
    *) fail "unexpected capability $c" ;; esac
done

if command -v systemd-analyze >/dev/null; then
  # The unit names /usr/sbin/sockwarden, which is not installed here: verify a copy
  # pointing at the extracted binary.
  sed "s|/usr/sbin/sockwarden|$tmp/root/usr/sbin/sockwarden|" "$unit" >"$tmp/sockwarden.service"
  out=$(systemd-analyze verify "$tmp/sockwarden.service" 2>&1) || { echo "$out"; fail "systemd-analyze verify"; }
  # verify also reports problems of unrelated units on this host; only ours matter.
  if grep -i 'sockwarden' <<<"$out" | grep -qiv 'Documentation'; then echo "$out"; fail "systemd-analyze warnings"; fi
  echo "systemd-analyze verify: ok"
else
  echo "systemd-analyze not installed: unit syntax not verified"
fi
echo "PASS"
