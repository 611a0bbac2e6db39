"""Folding and tokenising names and queries the same way (diacritics, case, abbreviations).

``fold`` transliterates with anyascii (ș → s, ț → t, ă â → a, î → i, and any other script),
lower-cases, expands the abbreviations of Romanian street and place names ("Bd.", "Bv.",
"Bul.", "Str.", "P-ța", "Cal.", "Al.", "Spl.", "Int.", "Șos.") and splits into tokens of letters
and digits. The index and the queries go through the same function, so "Piața" finds "Piata"
and the other way round.
"""
from __future__ import annotations

import re

from anyascii import anyascii

MAX_QUERY_CHARS = 200
MAX_QUERY_TOKENS = 8      # more words than this add nothing to a place name and only cost time
MAX_TOKEN_CHARS = 24      # no place-name word is longer; a 200-letter "word" is cut here

ABBREVIATIONS = {
    "bd": "bulevardul", "bdul": "bulevardul", "bv": "bulevardul", "bul": "bulevardul",
    "bld": "bulevardul", "blvd": "bulevardul", "b-dul": "bulevardul",
    "str": "strada", "p-ta": "piata", "pta": "piata", "p-a": "piata",
    "cal": "calea", "al": "aleea", "spl": "splaiul", "int": "intrarea", "sos": "soseaua",
    "pas": "pasajul", "cart": "cartierul", "univ": "universitatea",
}
# hyphenated abbreviations must be rewritten before tokenising splits them at the hyphen
_HYPHEN_ABBR = re.compile(r"\b(p-ta|p-a|b-dul)\b")
_TOKEN = re.compile(r"[a-z0-9]+")
# generic words of place names: a query need not type them, a name need not contain them
GENERIC = frozenset({"strada", "bulevardul", "calea", "piata", "aleea", "splaiul", "intrarea", "soseaua",
                     "de", "din", "la", "si", "cu", "pe", "a", "al", "lui", "nr", "timisoara"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def has_control_chars(text: str) -> bool:
    """True when the text holds a control character (tab and newline included)."""
    return bool(_CONTROL.search(text))


def fold(text: str) -> str:
    """ASCII, lower case, abbreviations expanded, words separated by single spaces."""
    return " ".join(tokens(text))


def tokens(text: str) -> list[str]:
    """The folded words of a name or query."""
    s = anyascii(text).lower()
    s = _HYPHEN_ABBR.sub(lambda m: ABBREVIATIONS[m.group(1)], s)
    return [ABBREVIATIONS.get(t, t) for t in _TOKEN.findall(s)]


def raw_tokens(text: str) -> list[str]:
    """Folded words before abbreviation expansion (hyphenated abbreviations already joined)."""
    s = anyascii(text).lower()
    s = _HYPHEN_ABBR.sub(lambda m: ABBREVIATIONS[m.group(1)], s)
    return _TOKEN.findall(s)


def query_tokens(text: str) -> tuple[list[str], str]:
    """Expanded tokens of a query and its last token as typed (a prefix may be an abbreviation's
    start, "cal" of "calea" or of "calarasilor"), bounded in number and length so that no input
    can make matching slow."""
    raw = [t[:MAX_TOKEN_CHARS] for t in raw_tokens(text[:MAX_QUERY_CHARS])][:MAX_QUERY_TOKENS]
    return [ABBREVIATIONS.get(t, t) for t in raw], (raw[-1] if raw else "")


def is_number(tok: str) -> bool:
    """A house-number-like token: digits, optionally followed by a letter ("2", "12a")."""
    return bool(re.fullmatch(r"\d{1,4}[a-z]?", tok))


def housenumber_matches(query_number: str, housenumber: str) -> int:
    """2 when a housenumber equals the query's, 1 when it contains it (``2A``, ``2-4``), else 0."""
    hn = fold(housenumber).replace(" ", "")
    q = query_number
    if hn == q:
        return 2
    parts = re.split(r"[^0-9a-z]+", fold(housenumber))
    nums = [p for p in parts if p]
    if q in nums:
        return 1
    if re.fullmatch(r"\d+", q) and nums and re.match(rf"{q}[a-z]$", nums[0]):
        return 1
    if len(nums) == 2 and nums[0].isdigit() and nums[1].isdigit() and q.isdigit() \
            and int(nums[0]) <= int(q) <= int(nums[1]):
        return 1
    return 0
