#!/usr/bin/env bash
# Installs the Debian packages Crosswire needs, when they are missing.
#   scripts/install-deps.sh            build and run: libpcap-dev
#   scripts/install-deps.sh test       + what the tests use (tshark, tcpdump, bird2, iptables, iproute2,
#                                        ethtool, cmark-gfm, chromium, xmllint, python3 junitparser,
#                                        jsonschema and PyYAML)
# Needs root (or sudo) only when something is missing.
set -euo pipefail

want=(libpcap-dev pkg-config)
if [ "${1:-}" = "test" ] || [ "${1:-}" = "lab" ]; then
    want+=(tcpdump tshark bird2 iptables iproute2 ethtool procps python3 python3-yaml time)
fi
if [ "${1:-}" = "test" ]; then
    want+=(cmark-gfm chromium libxml2-utils python3-pip)
fi

missing=()
for pkg in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    # tshark asks whether non-root users may capture; the default (no) is fine.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections 2>/dev/null || true
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "test" ]; then
    python3 -c 'import junitparser' 2>/dev/null || python3 -m pip install -q junitparser 2>/dev/null \
        || python3 -m pip install -q --break-system-packages junitparser 2>/dev/null \
        || echo "install-deps: junitparser not installed; the JUnit test will use xmllint only"
    # The plan schema test (scripts/validate-plans.py) validates plans as editors do.
    python3 -c 'import jsonschema, yaml' 2>/dev/null || python3 -m pip install -q jsonschema PyYAML 2>/dev/null \
        || python3 -m pip install -q --break-system-packages jsonschema PyYAML 2>/dev/null \
        || echo "install-deps: jsonschema or PyYAML not installed; the plan schema test will be skipped"
fi
exit 0
