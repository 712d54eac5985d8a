"""The interface's translation catalogues (locale/<lang>/LC_MESSAGES/django.po): what is
extracted into them, how complete they are, and the pseudo-locale made from them.

Used by bin/makemessages and bin/pseudo-locale, and by tests/test_i18n.py, which checks in
CI that the catalogues hold exactly the code's strings, all translated and compiled.
The public site and the editors' admin share one catalogue per language, so a third
language is one file to translate. The engine's and the checks' sentences are in it too:
they are marked with the functions of decisionguide.decision.words.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

# Folders makemessages leaves out (it walks the folder it runs in).
IGNORED = [
    ".venv*",
    "bench/*",
    "build/*",
    "deploy/*",
    "docs/*",
    "staticfiles/*",
    "static/*",
    "tests/*",
    "decisionguide/*/migrations/*",
]
MAKEMESSAGES_OPTIONS = {
    "ignore_patterns": IGNORED,
    "no_obsolete": True,
    "add_location": "file",
    "no_wrap": True,
}


@dataclass
class Entry:
    """One message of a PO file."""

    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)  # one, or one per plural form
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translated(self) -> bool:
        return all(self.msgstr) and bool(self.msgstr) and "fuzzy" not in self.flags


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def read_po(path: Path) -> list[Entry]:
    """The live messages of a PO file as xgettext and msgmerge write it (the header,
    msgid "", included; obsolete #~ entries left out)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    flags: set[str] = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{path}: a string continues nothing: {raw!r}")
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, (getattr(current, name) or "") + _unquote(line))
            continue
        # A message starts at its msgctxt, or at its msgid when it has none.
        if keyword == "msgctxt" or (
            keyword == "msgid" and (target is None or target[0] != "msgctxt")
        ):
            current = Entry(msgid="", flags=flags)
            entries.append(current)
            flags = set()
        if current is None:
            raise ValueError(f"{path}: {raw!r} outside an entry")
        if keyword == "msgctxt":
            current.msgctxt = _unquote(rest)
            target = ("msgctxt", 0)
        elif keyword == "msgid":
            current.msgid = _unquote(rest)
            target = ("msgid", 0)
        elif keyword == "msgid_plural":
            current.msgid_plural = _unquote(rest)
            target = ("msgid_plural", 0)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            while len(current.msgstr) <= index:
                current.msgstr.append("")
            current.msgstr[index] = _unquote(rest)
            target = ("msgstr", index)
        else:
            raise ValueError(f"{path}: unknown line {raw!r}")
    return entries


def messages(entries: list[Entry]) -> list[Entry]:
    """The entries without the header (msgid "")."""
    return [entry for entry in entries if entry.msgid]


# ---------------------------------------------------------------------------
# The pseudo-locale

_ACCENTED = dict(
    zip(
        "abcdeghiklnorstuwyzABCDEGHIKLNORSTUWYZ",
        "àƀçđéĝĥîķļñöŕšţûŵýžÀƁÇĐÉĜĤÎĶĻÑÖŔŠŢÛŴÝŽ",
        strict=True,
    )
)
# What must reach the page untouched: %(name)s and %d placeholders, {{ var }} / {name},
# HTML tags and entities.
_KEEP = re.compile(r"%\(\w+\)[sd]|%[sd%]|\{\{.*?\}\}|\{\w+\}|<[^>]+>|&\w+;")
OPEN, CLOSE = "⟦", "⟧"  # the markers a test looks for: this text came through gettext


def pseudo(text: str) -> str:
    """`text` accented, about 35% longer and bracketed, placeholders and tags intact."""
    if not text:
        return text
    out: list[str] = []
    position = 0
    for match in _KEEP.finditer(text):
        out.append(_accent(text[position : match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(_accent(text[position:]))
    letters = sum(ch.isalpha() for ch in text)
    padding = "·" * max(1, round(letters * 0.35))
    return f"{OPEN}{''.join(out)} {padding}{CLOSE}"


def _accent(text: str) -> str:
    return "".join(_ACCENTED.get(ch, ch) for ch in text)


PSEUDO_HEADER = (
    "Content-Type: text/plain; charset=UTF-8\n"
    "Language: en-xa\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\n"
)


def pseudo_catalogue(entries: list[Entry]) -> dict[str, str]:
    """The pseudo-locale's messages as a .mo file maps them (context\\x04id, plurals
    id\\0plural -> form\\0form)."""
    catalogue = {"": PSEUDO_HEADER}
    for entry in messages(entries):
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            catalogue[key] = pseudo(entry.msgid)
        else:
            key = f"{key}\0{entry.msgid_plural}"
            catalogue[key] = f"{pseudo(entry.msgid)}\0{pseudo(entry.msgid_plural)}"
    return catalogue


def write_mo(catalogue: dict[str, str], path: Path) -> None:
    """A GNU .mo file, as msgfmt writes it (no hash table: readers don't need one)."""
    keys = sorted(catalogue)
    ids = [key.encode() for key in keys]
    strs = [catalogue[key].encode() for key in keys]
    header_size = 7 * 4
    ids_table = header_size
    strs_table = ids_table + 8 * len(keys)
    data_start = strs_table + 8 * len(keys)
    offsets: list[tuple[int, int]] = []
    data = b""
    for blob in [*ids, *strs]:
        offsets.append((len(blob), data_start + len(data)))
        data += blob + b"\0"
    output = struct.pack("<7I", 0x950412DE, 0, len(keys), ids_table, strs_table, 0, 0)
    for length, offset in offsets:
        output += struct.pack("<2I", length, offset)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(output + data)


def write_pseudo_locale(source_po: Path, locale_dir: Path) -> Path:
    """The pseudo-locale's compiled catalogue under `locale_dir`, from `source_po`'s msgids."""
    target = locale_dir / "en_XA" / "LC_MESSAGES" / "django.mo"
    write_mo(pseudo_catalogue(read_po(source_po)), target)
    return target
