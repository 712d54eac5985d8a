"""Sentences the engine and the checks write for people, translatable without Django.

The pure modules (decision, checking) must not import Django, yet editors read their
problems and findings in the admin's language. So they never build English with f-strings:
they return `Words`, an English template with named placeholders, marked for the catalogue
by the functions below (their names are ones `makemessages` extracts), and the sentence is
put into words only when it is shown: `str(words)`, `f"{words}"` or a template.

Outside Django (a script, a test of the engine) `str()` gives the English. Under Django the
content app installs the site's translator (`use_translator`), so `str()` gives the active
language: a report cached once reads right in every language it is later shown in.

    gettext_lazy("Outcome “%(name)s” can't be reached", name=outcome.name)
    ngettext_lazy("%(count)s question", "%(count)s questions", len(qs), count=len(qs))
    listing(["a", "b", "c"])      # "a, b and c", joined in the reader's language
    joined([words1, words2], "; ")  # side by side, each in the reader's language
    number(174960)                # "174,960", or "174 960" in French

A placeholder's value may itself be `Words` (or a `listing`), put into words the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    """One sentence (or phrase) to show someone, in whatever language is active then."""

    text: str  # English, with %(name)s placeholders (and %% for a percent sign)
    params: tuple[tuple[str, object], ...] = ()
    plural: str | None = None  # English plural: the sentence is counted by `count`
    count: int = 0
    context: str | None = None  # pgettext's context, for a word with two meanings

    def __str__(self) -> str:
        return _translator(self)

    def values(self) -> dict[str, object]:
        """The placeholders' values, any Words among them put into words now."""
        return {name: _shown(value) for name, value in self.params}


@dataclass(frozen=True)
class Listing:
    """Items joined as a sentence says them: "a, b and c" (or "a, b or c")."""

    items: tuple[object, ...]
    last_word: str = "and"  # "and" or "or"

    def __str__(self) -> str:
        return _list_joiner(tuple(str(_shown(item)) for item in self.items), self.last_word)


@dataclass(frozen=True)
class Joined:
    """Items side by side with a neutral separator ("; ", ", "), each put into words."""

    items: tuple[object, ...]
    separator: object = ", "  # Words when it has words in it (", or ")

    def __str__(self) -> str:
        return str(_shown(self.separator)).join(str(_shown(item)) for item in self.items)


@dataclass(frozen=True)
class Number:
    """A count written for a reader: grouped as their language groups digits (1,234)."""

    value: int

    def __str__(self) -> str:
        return _number_formatter(self.value)


def _shown(value: object) -> object:
    return str(value) if isinstance(value, Words | Listing | Joined | Number) else value


# Positional-only, so a placeholder may be called "count" (or "text") too.
def gettext_lazy(text: str, /, **params: object) -> Words:
    return Words(text, tuple(params.items()))


def pgettext_lazy(context: str, text: str, /, **params: object) -> Words:
    return Words(text, tuple(params.items()), context=context)


def ngettext_lazy(singular: str, plural: str, number: int, /, **params: object) -> Words:
    return Words(singular, tuple(params.items()), plural=plural, count=number)


def listing(items: Iterable[object], last_word: str = "and") -> Listing:
    return Listing(tuple(items), last_word)


def joined(items: Iterable[object], separator: object = ", ") -> Joined:
    return Joined(tuple(items), separator)


def number(value: int) -> Number:
    return Number(value)


SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def rough_count(count: int) -> Words:
    """A count for a reader: 'about 1,234,567', or 'more than 10⁸⁹' when the digits would fill
    a line. Counted in digits, never through a float, which overflows past 10³⁰⁸."""
    digits = len(str(count))
    if digits <= 15:
        return gettext_lazy("about %(count)s", count=number(count))
    return gettext_lazy("more than %(power)s", power=f"10{str(digits - 1).translate(SUPERSCRIPT)}")


def english(words: Words) -> str:
    """`words` in English: the template as written, with its values put in."""
    template = words.text if words.plural is None or words.count == 1 else words.plural
    return template % words.values() if words.params else template


def english_list(items: tuple[str, ...], last_word: str) -> str:
    if len(items) <= 2:
        return f" {last_word} ".join(items)
    return f"{', '.join(items[:-1])} {last_word} {items[-1]}"


def english_number(value: int) -> str:
    return f"{value:,}"


_translator: Callable[[Words], str] = english
_list_joiner: Callable[[tuple[str, ...], str], str] = english_list
_number_formatter: Callable[[int], str] = english_number


def use_translator(
    translator: Callable[[Words], str],
    list_joiner: Callable[[tuple[str, ...], str], str],
    number_formatter: Callable[[int], str] = english_number,
) -> None:
    """Put every Words into words with `translator` from now on (the content app's ready())."""
    global _translator, _list_joiner, _number_formatter
    _translator, _list_joiner, _number_formatter = translator, list_joiner, number_formatter
