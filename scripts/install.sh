#!/usr/bin/env bash
# Installs Crosswire as a system tool, or removes exactly what it installed.
#   scripts/install.sh install|uninstall|list
# Environment: PREFIX (default /usr/local), DESTDIR (staging root, default
# none), BIN (the binary, default .build/release/crosswire), GZIP_MAN=1 to
# compress man pages (Debian packages do), UNITDIR (systemd units, default
# PREFIX/lib/systemd/system; Debian packages use /lib/systemd/system). `make install`, `make uninstall`
# and `make deb` call it, so the three agree on one list of files.
set -euo pipefail
cd "$(dirname "$0")/.."

action=${1:?usage: install.sh install|uninstall|list}
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
BIN=${BIN:-.build/release/crosswire}
GZIP_MAN=${GZIP_MAN:-0}
UNITDIR=${UNITDIR:-$PREFIX/lib/systemd/system}
man_suffix=""; [ "$GZIP_MAN" = 1 ] && man_suffix=".gz"

# files: one "MODE SOURCE DESTINATION" line per installed file (DESTINATION under
# PREFIX, unless it is absolute).
files() {
    echo "0755 $BIN bin/crosswire"
    local f
    for f in docs/man/*.1; do echo "0644 $f share/man/man1/$(basename "$f")$man_suffix"; done
    echo "0644 docs/completions/crosswire.bash share/bash-completion/completions/crosswire"
    echo "0644 docs/completions/_crosswire share/zsh/vendor-completions/_crosswire"
    echo "0644 docs/completions/crosswire.fish share/fish/vendor_completions.d/crosswire.fish"
    echo "0644 docs/plan.schema.json share/crosswire/plan.schema.json"
    for f in pcaps/*/plan.yaml; do echo "0644 $f share/crosswire/examples/$(basename "$(dirname "$f")").yaml"; done
    for f in deploy/prometheus/*.yml; do
        [[ -e $f && $f != *.test.yml ]] && echo "0644 $f share/crosswire/prometheus/$(basename "$f")"
    done
    for f in deploy/systemd/*.service; do [ -e "$f" ] && echo "0644 $f $UNITDIR/$(basename "$f")"; done
    return 0
}

under() { case "$1" in /*) echo "$1" ;; *) echo "$PREFIX/$1" ;; esac; }

case "$action" in
list)
    files | while read -r _ _ dest; do echo "$(under "$dest")"; done
    ;;
install)
    [ -x "$BIN" ] || { echo "install.sh: $BIN is not built (make build)" >&2; exit 2; }
    files | while read -r mode src dest; do
        target="$DESTDIR$(under "$dest")"
        mkdir -p "$(dirname "$target")"
        if [[ $dest == *.service ]]; then
            # The unit names the binary where this install puts it.
            sed "s#/usr/bin/crosswire#$PREFIX/bin/crosswire#g" "$src" >"$target"
            chmod "$mode" "$target"
        elif [[ $dest == *.gz ]]; then
            gzip -9n -c "$src" >"$target"
            chmod "$mode" "$target"
        else
            install -m "$mode" "$src" "$target"
        fi
    done
    echo "install.sh: installed $(files | wc -l) files under $DESTDIR$PREFIX"
    ;;
uninstall)
    files | while read -r _ _ dest; do rm -f "$DESTDIR$(under "$dest")"; done
    # Directories of our own, when empty; shared ones (bin, man1, completions) stay.
    for d in share/crosswire/examples share/crosswire/prometheus share/crosswire; do
        rmdir "$DESTDIR$PREFIX/$d" 2>/dev/null || true
    done
    echo "install.sh: removed $(files | wc -l) files under $DESTDIR$PREFIX"
    ;;
*)
    echo "usage: install.sh install|uninstall|list" >&2; exit 2
    ;;
esac
