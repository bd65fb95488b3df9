#!/usr/bin/env python3
"""Every external command the tests, scripts and lab run must be installed by
scripts/install-deps.sh (its table), or come with every Debian (Essential
packages) or the Swift toolchain.

    scripts/audit-commands.py [--list] [EXTRA_FILE...]

Reads the shell scripts, Python scripts, the Makefile, .ci/run and the Swift
tests of the repository (plus EXTRA_FILEs), finds the commands they run and
prints each one that nothing provides: exit 1 then, 0 when all are provided.
--list prints every command found, with where. A command missing here is a
red CI on a new machine even when it is green on a developer's.

Python modules imported by the repository's Python scripts are audited the
same way against the table's `python:` rows (standard library excepted).
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Commands of Debian's Essential packages (on every Debian), shell builtins and
# keywords, and the Swift toolchain: provided without installing anything.
BASE = set("""
bash sh dash cat cp mv rm rmdir mkdir ln ls chmod chown chgrp date dd echo env expr head tail tr wc sort
uniq cut seq sleep mktemp basename dirname readlink realpath printf stat touch tee test true false yes id
nproc od sha256sum sha1sum md5sum du df grep egrep fgrep sed find xargs gzip gunzip zcat tar diff cmp
cksum comm csplit expand fold join nl paste pr shuf split sum tac tsort unexpand truncate install sync
uname whoami hostname getent ldd dpkg dpkg-query dpkg-deb dpkg-divert update-alternatives which mount
umount kill timeout nice nohup stdbuf chroot script logger more su runuser setsid flock getopt rev
mountpoint lsblk pwd apt-get apt-cache debconf-set-selections swift swiftc
""".split())

# The project's own commands (deb-check.sh runs the installed package's).
OWN = {"crosswire"}

SHELL_WORDS = set("""
if then else elif fi for in do done while until case esac function select time return exit break continue
local export declare readonly typeset set unset shift source . eval exec trap wait cd pushd popd read
printf echo true false test [ [[ ]] ] : let alias type command builtin hash ulimit umask jobs fg bg
disown getopts mapfile readarray shopt caller enable help history logout suspend times complete
""".split())

# Words after which the next word is a command: (name, how many words to skip first).
WRAPPERS = {"sudo": 0, "exec": 0, "nohup": 0, "as_root": 0, "nsx": 1, "bg": 1, "nice": 0, "setsid": 0,
            "stdbuf": 0, "xargs": 0, "env": 0, "time": 0}

COMMAND_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9._+-]*$")


def read_table(path):
    """The install script's table: {command: package}, {python module: package}."""
    commands, modules = {}, {}
    text = open(path).read()
    block = re.search(r"<<'TABLE'[^\n]*\n(.*?)\nTABLE\n", text, re.S)
    if not block:
        sys.exit(f"{path}: no TABLE here-document")
    for line in block.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        what, package = line.split()[:2]
        if what.startswith("python:"):
            modules[what[len("python:"):]] = package
        elif what.startswith("lib:"):
            continue
        else:
            commands[what] = package
    return commands, modules


# --- shell -------------------------------------------------------------------

def shell_functions(text):
    return set(re.findall(r"^\s*(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)", text, re.M))


def strip_quotes(text):
    """Removes quoted text and comments, keeping newlines (so line numbers hold) and
    $(...) inside double quotes, whose commands run too."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            out.append(" " if text[i + 1] != "\n" else "\n")
            i += 2
        elif c == "'":
            j = text.find("'", i + 1)
            j = n if j < 0 else j
            out.append(" Q " + "\n" * text.count("\n", i, j))
            i = j + 1
        elif c == '"':
            j, depth, inner = i + 1, 0, []
            while j < n:
                if text[j] == "\\":
                    j += 2
                    continue
                if text.startswith("$(", j) and not text.startswith("$((", j):
                    depth += 1
                    inner.append(";")
                    j += 2
                    continue
                if depth and text[j] == ")":
                    depth -= 1
                    inner.append(";")
                    j += 1
                    continue
                if not depth and text[j] == '"':
                    break
                if depth or text[j] == "\n":
                    inner.append(text[j])
                j += 1
            out.append(" Q " + "".join(inner) + " ")
            i = j + 1
        elif c == "#" and (i == 0 or text[i - 1] in " \t;\n"):
            j = text.find("\n", i)
            i = n if j < 0 else j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def blank_heredocs(text):
    """Here-document bodies are data (or another language): blanked, lines kept."""
    lines, heredoc = text.split("\n"), None
    for k, line in enumerate(lines):
        if heredoc:
            lines[k] = ""
            if line.strip() == heredoc:
                heredoc = None
            continue
        m = re.search(r"<<-?\s*['\"]?(\w+)['\"]?", line)
        if m:
            heredoc = m.group(1)
    return "\n".join(lines)


def keep_newlines(m):
    return " Q " + "\n" * m.group(0).count("\n")


def command_of(words, functions):
    """The command a segment's words run, after assignments and wrappers; None if none."""
    i = 0
    while i < len(words):
        w = words[i]
        if re.match(r"^[A-Za-z_]\w*\+?=", w) or re.match(r"^\d*[<>]", w) or w in ("!", "{", "}"):
            i += 1
            continue
        if w == "command" or w in ("for", "case", "select", "local", "export", "declare", "readonly", "function"):
            return None
        if w == "ip" and words[i + 1:i + 3] == ["netns", "exec"]:
            i += 4
            continue
        if w == "timeout":
            i += 1
            while i < len(words) and words[i].startswith("-"):
                i += 2 if words[i] in ("-s", "-k", "--signal", "--kill-after") else 1
            i += 1
            continue
        if w in WRAPPERS and w not in functions - {"nsx", "bg", "as_root"}:
            i += 1 + WRAPPERS[w]
            while i < len(words) and (words[i].startswith("-") or re.match(r"^[A-Za-z_]\w*=", words[i])):
                i += 1
            continue
        if w.startswith("/"):
            w = os.path.basename(w)
        if w in SHELL_WORDS or w in functions or not COMMAND_WORD.match(w) or w[0].isupper():
            return None
        return w
    return None


def shell_commands(text, functions=None):
    functions = (functions or set()) | shell_functions(text)
    text = strip_quotes(blank_heredocs(text))
    text = re.sub(r"\$\(\([^)]*\)\)|\(\([^)]*\)\)", keep_newlines, text)        # arithmetic
    text = re.sub(r"\w+\+?=\([^)]*\)", keep_newlines, text)                       # array assignment
    text = re.sub(r"\$\{[^}]*\}|\$\w+|\$[@*#?$!0-9]", " Q ", text)                 # expansions
    text = re.sub(r"<\(|>\(", "$(", text)                                       # process substitution
    text = re.sub(r"\bcase\b([^\n]*?)\bin\b[ \t]*[^\s()|;]+([ \t]*\|[ \t]*[^\s()|;]+)*[ \t]*\)", r"case \1 in ", text)
    found, case_depth = [], 0
    for number, line in enumerate(text.split("\n"), 1):
        if re.search(r"\bcase\b.*\bin\b", line):
            case_depth += 1
        if case_depth:
            line = re.sub(r"^\s*\(?[^\s()|;]+(\s*\|\s*[^\s()|;]+)*\s*\)", " ", line)
        if re.search(r"\besac\b", line):
            case_depth = max(0, case_depth - 1)
        for segment in re.split(r"\|\||&&|;;|[;|&(){}`]|\$\(|\b(?:then|do|else|elif|if|while|until)\b", line):
            cmd = command_of(segment.split(), functions)
            if cmd:
                found.append((cmd, number))
    return found


def makefile_commands(text):
    found = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.startswith("\t"):
            continue
        line = raw.lstrip("\t@-").replace("$(SWIFT)", "swift")
        line = re.sub(r"\$\([A-Z_]+\)", " Q ", line)
        found += [(c, number) for c, _ in shell_commands(line)]
    return found


# --- python ------------------------------------------------------------------

PY_RUN = re.compile(r"(?:run|call|check_call|check_output|Popen|cmd\s*=)\s*\(?\s*\[\s*\"([A-Za-z][\w.+-]*)\"")
PY_WHICH = re.compile(r"shutil\.which\(\s*\"([A-Za-z][\w.+-]*)\"")


def python_commands(text):
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for m in PY_RUN.finditer(line):
            found.append((m.group(1), number))
        for m in PY_WHICH.finditer(line):
            found.append((m.group(1), number))
    return found


def python_modules(text):
    mods = []
    for number, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^\s*(?:import\s+([\w.]+(?:\s*,\s*[\w.]+)*)|from\s+([\w.]+)\s+import)", line)
        if m:
            names = m.group(1) or m.group(2)
            mods += [(n.strip().split(".")[0], number) for n in names.split(",")]
    return mods


# --- swift tests ------------------------------------------------------------

SWIFT_PATH = re.compile(r"\"/(?:usr/)?s?bin/([A-Za-z][\w.+-]*)\"")
SWIFT_FIND = re.compile(r"\bfind\(\"([A-Za-z][\w.+-]*)\"\)")
SWIFT_ENV = re.compile(r"/usr/bin/env\"\)?,\s*\[\s*\"([A-Za-z][\w.+-]*)\"")
SWIFT_NETNS = re.compile(r"\"netns\",\s*\"exec\",\s*[^,\]]+,((?:\s*\"[^\"]*\"\s*,?)+)")


def swift_commands(text):
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for rx in (SWIFT_PATH, SWIFT_FIND, SWIFT_ENV):
            found += [(m.group(1), number) for m in rx.finditer(line)]
        for m in SWIFT_NETNS.finditer(line):
            words = re.findall(r"\"([^\"]*)\"", m.group(1))
            cmd = command_of(words, set())
            if cmd:
                found.append((cmd, number))
    # Python run inline by a test ("-c", script): its imports.
    return found


def swift_python_modules(text):
    mods = []
    for block in re.finditer(r"\"\"\"(.*?)\"\"\"", text, re.S):
        mods += python_modules(block.group(1))
    return mods


# --- the audit ----------------------------------------------------------------

def repository_files():
    picks = []
    for top in ("scripts", "lab", "Tests", ".ci", "bench"):
        for base, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs[:] = [d for d in dirs if d not in ("Corpus", "fuzz")]
            picks += [os.path.join(base, f) for f in files]
    picks.append(os.path.join(ROOT, "Makefile"))
    return sorted(picks)


def sourced_functions(path):
    """lab/scenarios-*.sh are sourced by lab/make-pcaps.sh, together: its functions and each
    other's are theirs."""
    rel = os.path.relpath(path, ROOT)
    if not (rel.startswith("lab" + os.sep + "scenarios-") and rel.endswith(".sh")):
        return set()
    lab = os.path.join(ROOT, "lab")
    files = ["make-pcaps.sh"] + sorted(f for f in os.listdir(lab) if f.startswith("scenarios-") and f.endswith(".sh"))
    return set().union(*(shell_functions(open(os.path.join(lab, f), encoding="utf-8").read()) for f in files))


def scan(path):
    """(commands, python modules) used by one file, each as (name, line)."""
    name = os.path.basename(path)
    try:
        text = open(path, encoding="utf-8").read()
    except (UnicodeDecodeError, IsADirectoryError):
        return [], []
    first = text.split("\n", 1)[0]
    if name == "Makefile":
        return makefile_commands(text), []
    if name.endswith(".sh") or (first.startswith("#!") and "bash" in first) or name == "run":
        return shell_commands(text, sourced_functions(path)), []
    if name.endswith(".py"):
        return python_commands(text), python_modules(text)
    if name.endswith(".swift"):
        return swift_commands(text), swift_python_modules(text)
    return [], []


def local_modules():
    names = set()
    for top in ("lab", "scripts", "Tests"):
        for base, _, files in os.walk(os.path.join(ROOT, top)):
            names |= {f[:-3] for f in files if f.endswith(".py")}
    return names


def main(argv):
    listing = "--list" in argv
    extra = [a for a in argv if a != "--list"]
    commands, modules = read_table(os.path.join(ROOT, "scripts/install-deps.sh"))
    stdlib = set(getattr(sys, "stdlib_module_names", ())) | local_modules()
    missing = []
    for path in repository_files() + [os.path.abspath(p) for p in extra]:
        rel = os.path.relpath(path, ROOT)
        cmds, mods = scan(path)
        for cmd, line in cmds:
            if listing:
                print(f"{cmd}\t{rel}:{line}")
            if cmd not in BASE and cmd not in OWN and cmd not in commands:
                missing.append(f"{rel}:{line}: runs `{cmd}`, which scripts/install-deps.sh does not install")
        for mod, line in mods:
            if listing:
                print(f"python:{mod}\t{rel}:{line}")
            if mod not in stdlib and mod not in modules:
                missing.append(f"{rel}:{line}: imports Python module `{mod}`, which scripts/install-deps.sh does not install")
    for line in missing:
        print(line)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
