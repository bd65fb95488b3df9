#!/usr/bin/env bash
# The Debian package, installed for real (root): build it, lintian it, dpkg -i
# it, use it from outside the repository, purge it, and check nothing is left.
#   scripts/deb-check.sh DEB
# Prints one line per step and "N passed, N failed"; exit 1 on a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

deb=${1:?usage: deb-check.sh DEB}
[ "$(id -u)" = 0 ] || { echo "deb-check: needs root (dpkg -i)"; exit 2; }
if dpkg-query -W -f='${Status}' crosswire 2>/dev/null | grep -q "install ok installed"; then
    echo "deb-check: a crosswire package is already installed; not touching it"; exit 2
fi
work=$(mktemp -d /tmp/crosswire-deb-check.XXXXXX)
installed=0
cleanup() {
    [ "$installed" = 1 ] && dpkg --purge crosswire >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

passed=0; failed=0
step() {   # step NAME COMMAND...: runs it, output to the work dir, counts the result
    local name=$1; shift
    if "$@" >"$work/out" 2>&1; then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     /' "$work/out" | tail -20
    fi
}

# make install / make uninstall into a staging root: exactly the listed files, then none.
install_round_trip() {
    local root="$work/destdir"
    DESTDIR=$root PREFIX=/usr/local BIN=.build/release/crosswire scripts/install.sh install >/dev/null || return 1
    diff <(cd "$root" && find . -type f | sed 's#^\.##' | sort) <(PREFIX=/usr/local scripts/install.sh list | sort) || return 1
    DESTDIR=$root PREFIX=/usr/local scripts/install.sh uninstall >/dev/null || return 1
    [ -z "$(find "$root" -type f)" ] || { find "$root" -type f; return 1; }
}
step "make install puts exactly the listed files, make uninstall removes them" install_round_trip

version=$(dpkg-deb -f "$deb" Version)
echo "deb-check: $deb (version $version)"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./#/#' | grep -v '/$' >"$work/files"

no_lintian_errors() {
    lintian --tag-display-limit 0 "$deb" >"$work/lintian" 2>&1
    cat "$work/lintian"
    ! grep -q '^E: ' "$work/lintian"
}
step "lintian: no errors" no_lintian_errors
sed -n 's/^\([WI]\): /     lintian \1: /p' "$work/lintian"

step "dpkg -i" dpkg -i "$deb" && installed=1
cp "$REPO/pcaps/01-static-routes/"*.pcap "$work/"

same_version() { [ "$(cd /tmp && crosswire --version)" = "$version" ]; }
step "crosswire --version is the package's ($version)" same_version

verify_outside_repo() (
    cd "$work" && crosswire verify --plan /usr/share/crosswire/examples/01-static-routes.yaml ./*.pcap \
        --format json --output "$work/reports" --quiet \
        && grep -q "\"tool\" : \"crosswire $version\"" "$work/reports/crosswire.json"
)
step "crosswire verify from $work, with the packaged example plan" verify_outside_repo
step "man -w crosswire finds the page" sh -c 'man -w crosswire | grep -q "^/usr/share/man/man1/crosswire.1.gz$"'
step "bash completion installed" test -f /usr/share/bash-completion/completions/crosswire
for unit in $(grep '^/lib/systemd/system/.*\.service$' "$work/files"); do
    name=$(basename "$unit")
    [[ $name == *@.service ]] && name=${name/@.service/@example.service}
    step "systemd-analyze verify $name" systemd-analyze verify "$name"
    step "$(basename "$unit") is not enabled" sh -c "! systemctl is-enabled '$(basename "$unit")' 2>/dev/null | grep -q '^enabled'"
done

purge() { dpkg --purge crosswire >/dev/null && installed=0; }
step "dpkg --purge" purge
left() { ! dpkg-query -W crosswire 2>/dev/null | grep -q . || dpkg-query -W -f='${Status}' crosswire | grep -q "not-installed"; }
step "no package left" left
nothing_left() { local f; while read -r f; do [ ! -e "$f" ] || { echo "left behind: $f"; return 1; }; done <"$work/files"; }
step "no file of the package left" nothing_left

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
