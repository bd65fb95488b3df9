#!/usr/bin/env bash
# Builds the Debian package: out/crosswire_VERSION_ARCH.deb (dpkg-deb).
#   scripts/make-deb.sh [BIN]     BIN: a release binary linked with
#                                 --static-swift-stdlib (make deb builds it)
# The files are scripts/install.sh's list, staged under /usr; Depends comes
# from the binary's own libraries (dpkg-shlibdeps); the version is what
# `crosswire --version` prints (one version, set in CrosswireVerdict).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-.build/release/crosswire}
[ -x "$BIN" ] || { echo "make-deb: $BIN is not built" >&2; exit 2; }
if ldd "$BIN" | grep -q libswiftCore; then
    echo "make-deb: $BIN links the Swift runtime dynamically; build it with --static-swift-stdlib" >&2
    exit 2
fi
version=$("$BIN" --version)
arch=$(dpkg --print-architecture)
work=$(mktemp -d /tmp/crosswire-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
stage="$work/crosswire_${version}_${arch}"

DESTDIR=$stage PREFIX=/usr UNITDIR=/lib/systemd/system GZIP_MAN=1 BIN=$BIN scripts/install.sh install >/dev/null
strip --strip-unneeded "$stage/usr/bin/crosswire"
# A completion file is sourced, not run: no #! line (lintian: bash-completion-with-hashbang).
sed -i '1{/^#!/d}' "$stage/usr/share/bash-completion/completions/crosswire"

doc="$stage/usr/share/doc/crosswire"
mkdir -p "$doc"
cat >"$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: crosswire
Comment: Crosswire verifies cross-host container networks against their plan.

Files: *
Copyright: 2026 The Crosswire developers
License: not-yet-chosen
 The project has not chosen a licence yet; until it does, no licence is
 granted beyond the right to install and run this package.

Files: Swift runtime and Foundation, linked into usr/bin/crosswire
Copyright: 2014-2026 Apple Inc. and the Swift project authors
License: Apache-2.0 with Runtime Library Exception
 On Debian systems, the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0. The Runtime Library Exception lets
 a program compiled with Swift embed the runtime without its licence terms.

Files: swift-argument-parser, linked into usr/bin/crosswire
Copyright: 2020-2026 Apple Inc. and the Swift project authors
License: Apache-2.0
 On Debian systems, see /usr/share/common-licenses/Apache-2.0.

Files: Yams and its copy of libyaml, linked into usr/bin/crosswire
Copyright: 2016 JP Simard; 2006-2020 Ingy döt Net and Kirill Simonov
License: Expat
 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software and associated documentation files (the "Software"), to deal
 in the Software without restriction, including without limitation the rights
 to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 copies of the Software, and to permit persons to whom the Software is
 furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in
 all copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
EOF
# Yams builds its own copy of libyaml into the binary; a Swift package cannot
# link Debian's libyaml instead (docs/PACKAGING.md).
mkdir -p "$stage/usr/share/lintian/overrides"
echo "crosswire: embedded-library libyaml [usr/bin/crosswire]" >"$stage/usr/share/lintian/overrides/crosswire"
chmod 0644 "$stage/usr/share/lintian/overrides/crosswire"
printf '%s\n' "crosswire ($version) unstable; urgency=medium" "" \
    "  * Release $version: see the project's README for what it verifies." "" \
    " -- The Crosswire developers <crosswire@packages.invalid>  $(date -R -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" \
    | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/copyright" "$doc/changelog.gz"

# Depends from the binary's libraries, as debhelper does (dpkg-shlibdeps needs a debian/control).
mkdir -p "$work/src/debian"
printf 'Source: crosswire\n\nPackage: crosswire\nArchitecture: any\n' >"$work/src/debian/control"
depends=$(cd "$work/src" && dpkg-shlibdeps -O -e"$stage/usr/bin/crosswire" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "make-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

mkdir -p "$stage/DEBIAN"
cat >"$stage/DEBIAN/control" <<EOF
Package: crosswire
Version: $version
Architecture: $arch
Maintainer: The Crosswire developers <crosswire@packages.invalid>
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $depends
Section: net
Priority: optional
Description: verify cross-host container networks against their plan
 Crosswire reads packet captures (pcap, pcapng) or live interfaces of Docker
 hosts whose containers talk across hosts (static routes, a bridged routing
 layer, BGP or OSPF, VXLAN or IP-in-IP), and checks them against a YAML plan:
 no NAT, the planned encapsulation and its overhead, the planned next hops,
 and what BGP and OSPF announce. Each check cites the frames that prove it,
 in Markdown, HTML, JSON and JUnit reports, with exit codes for CI.
EOF
(cd "$stage" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

mkdir -p out
deb="out/crosswire_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
