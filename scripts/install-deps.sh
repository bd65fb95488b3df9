#!/usr/bin/env bash
# Installs what Crosswire needs on a Debian machine, when it is missing.
#   scripts/install-deps.sh          build and run (make):  the "build" rows
#   scripts/install-deps.sh lab      + rebuilding the lab's captures (make pcaps)
#   scripts/install-deps.sh test     + everything the tests run (make test)
# The table below is the whole list: scripts/audit-commands.py (run by the
# tests) fails when a test or script runs a command that no row provides.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

level=${1:-build}
case "$level" in build|lab|test) ;; *) echo "usage: install-deps.sh [build|lab|test]" >&2; exit 2 ;; esac

# what: a command on PATH, lib:NAME a library package, python:MODULE a module
# python3 imports. Then the Debian package, then the level that first needs it
# (test includes lab, lab includes build). A python row's last column is the
# PyPI name, used when python3 is not Debian's own (pyenv, a venv).
read -r -d '' TABLE <<'TABLE' || true
lib:libpcap         libpcap-dev        build
pkg-config          pkg-config         build
cc                  gcc                build
make                make               build
git                 git                build
awk                 mawk               lab
ip                  iproute2           lab
tc                  iproute2           lab
bridge              iproute2           lab
ethtool             ethtool            lab
ping                iputils-ping       lab
sysctl              procps             lab
ps                  procps             lab
tcpdump             tcpdump            lab
tshark              tshark             lab
mergecap            tshark             lab
editcap             tshark             lab
capinfos            tshark             lab
bird                bird2              lab
birdc               bird2              lab
iptables            iptables           lab
ip6tables           iptables           lab
python3             python3            lab
python:yaml         python3-yaml       lab     PyYAML
time                time               test
cmark-gfm           cmark-gfm          test
chromium            chromium           test
xmllint             libxml2-utils      test
dpkg-shlibdeps      dpkg-dev           test
strip               binutils           test
lintian             lintian            test
man                 man-db             test
systemd-analyze     systemd            test
systemctl           systemd            test
python:junitparser  -                  test    junitparser
python:jsonschema   python3-jsonschema test    jsonschema
prometheus          prometheus         test
promtool            prometheus         test
curl                curl               test
tcpreplay           tcpreplay          test
TABLE

wanted() {   # wanted LEVEL: is a row of LEVEL needed at this run's level?
    case "$level:$1" in
        build:build|lab:build|lab:lab|test:*) return 0 ;;
        *) return 1 ;;
    esac
}

have_command() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }
have_package() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
have_module() { have_command python3 && python3 -c "import $1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

packages=()
add() { case " ${packages[*]-} " in *" $1 "*) ;; *) packages+=("$1") ;; esac; }
while read -r what package needed _; do
    [ -n "$what" ] || continue
    wanted "$needed" || continue
    case "$what" in
        lib:*)    have_package "$package" || add "$package" ;;
        python:*) have_module "${what#python:}" || { [ "$package" = - ] || add "$package"; } ;;
        *)        have_command "$what" || add "$package" ;;
    esac
done <<<"$TABLE"

if [ "${#packages[@]}" -gt 0 ]; then
    echo "install-deps: installing ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    # tshark asks whether non-root users may capture; the default (no) is fine.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections 2>/dev/null || true
    # Servers the tests use (prometheus) are started by the tests, on loopback only:
    # their packages must not start a service listening on every address.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
        as_root chmod 755 /usr/sbin/policy-rc.d
        trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    as_root apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# Modules still missing (python3 is not Debian's, so apt's modules are not its own): pip.
while read -r what package needed pypi; do
    case "$what" in python:*) ;; *) continue ;; esac
    wanted "$needed" || continue
    module=${what#python:}
    have_module "$module" && continue
    if ! python3 -m pip --version >/dev/null 2>&1; then
        as_root apt-get update -qq
        as_root apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
    fi
    python3 -m pip install -q "$pypi" 2>/dev/null || python3 -m pip install -q --break-system-packages "$pypi" >/dev/null
    have_module "$module" || { echo "install-deps: python3 cannot import $module after installing $pypi" >&2; exit 1; }
done <<<"$TABLE"
exit 0
