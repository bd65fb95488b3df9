#!/usr/bin/env python3
"""Finishes the pages swift-argument-parser's generate-manual writes, for man-db and lintian.

    scripts/man-fixup.py VERSION PAGE.1...

- `.Os crosswire VERSION`: every page's footer shows the binary's version.
- A subcommand's NAME is its file's name (`crosswire.verify`), which whatis
  and apropos can index; its SYNOPSIS still shows the command as typed
  (`crosswire verify`).
- Empty lines, which groff warns about in mdoc, become paragraph breaks (.Pp).
Running it twice changes nothing.
"""
import re
import sys


def fix(text, version):
    text = re.sub(r"^\.Os.*$", f".Os crosswire {version}", text, count=1, flags=re.M)
    name = re.search(r'^\.Sh NAME\n\.Nm "crosswire ([^"]+)"$', text, re.M)
    if name:
        words = name.group(1)
        text = text.replace(name.group(0), ".Sh NAME\n.Nm crosswire." + words.replace(" ", "."), 1)
        text = re.sub(r"^\.Nm$", f'.Nm "crosswire {words}"', text, flags=re.M)
    return re.sub(r"^$\n(?!\Z)", ".Pp\n", text, flags=re.M)


def main(argv):
    version, pages = argv[1], argv[2:]
    for page in pages:
        with open(page) as fh:
            text = fh.read()
        with open(page, "w") as fh:
            fh.write(fix(text, version))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
