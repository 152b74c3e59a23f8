"""What every match of a regular expression must contain, read from the pattern itself: a quick test a
rule runs before its pattern, so that a line without any of it is ruled out in one C scan.

A rule's pattern is an alternation of phrases tried at every position of every line (~5-10 us a
line for the longer ones); most lines hold none of the phrases. `required(regex)` finds, in each
alternative, a run of literal characters that every match of that alternative contains ('版权所有',
'版權所有' for `版[权權]所有`), and returns a pattern of those runs: a plain alternation of literals, which
the regex engine scans for by their first characters. Under IGNORECASE a cased letter is not a
literal; an alternative whose only literals are ASCII letters requires "some character matching an
ASCII letter" instead (LATIN, which holds the non-ASCII characters that match one case-insensitively),
and one made of digits (\\d) requires a digit.

The pattern is read with CPython's own parser (re._parser, as re itself does; Python >= 3.11 here).

It only ever answers with what is certain: anything it cannot read (a class of ranges, a repeat that
may be empty, an alternative with nothing literal) makes it answer None, and the rule searches every
line as before.
"""
from __future__ import annotations

import re
from re import _parser

import _sre

# Every character that matches [A-Za-z] under re.IGNORECASE: the ASCII letters, dotted and dotless i,
# the long s and the Kelvin sign.
LATIN = re.compile("[A-Za-z\u0130\u0131\u017f\u212a]")
DIGIT = re.compile(r"\d")
# (the options "a character matching an ASCII letter" and "a digit": not literal text)
_LATIN, _DIGIT = "latin", "digit"
_MAX_VARIANTS = 64          # spellings of one literal run (a class per character multiplies them)
_MAX_CLASS = 6              # members of a class read as alternatives of one character


class Required:
    """A quick test: False means the pattern cannot match the text."""

    def __init__(self, literals: frozenset[str], latin: bool, digit: bool = False):
        self.literals, self.latin, self.digit = literals, latin, digit
        self._any = re.compile("|".join(re.escape(s) for s in sorted(literals))).search if literals else None

    def __call__(self, text: str) -> bool:
        return bool((self._any is not None and self._any(text)) or (self.latin and LATIN.search(text))
                    or (self.digit and DIGIT.search(text)))


def required(regex: re.Pattern) -> Required | None:
    if not isinstance(regex.pattern, str):
        return None
    try:
        parsed = _parser.parse(regex.pattern, regex.flags)
    except Exception:  # (an unreadable pattern is simply searched)
        return None
    if _anchored(list(parsed)):
        return None   # (the engine tries such a pattern at the start of the line only: already quick)
    options = _sequence(list(parsed), bool(regex.flags & re.IGNORECASE))
    if not options:
        return None
    literals = frozenset(o for o in options if o is not _LATIN and o is not _DIGIT)
    return Required(literals, _LATIN in options, _DIGIT in options)


def _anchored(items) -> bool:
    """Whether every match starts at the beginning of the text (each alternative opens with '^')."""
    if not items:
        return False
    op, av = items[0]
    if op is _parser.AT:
        return av in (_parser.AT_BEGINNING, _parser.AT_BEGINNING_STRING)
    if op is _parser.SUBPATTERN:
        return _anchored(list(av[3]))
    if op is _parser.BRANCH:
        return all(_anchored(list(alternative)) for alternative in av[1])
    return False


def _sequence(items, icase: bool):
    """Options (literal strings, or _LATIN) one of which every match of the sequence contains."""
    candidates, run = [], [[]]
    for op, av in items + [(None, None)]:
        chars = _literal_chars(op, av, icase)
        if chars is not None and len(run) * len(chars) <= _MAX_VARIANTS:
            run = [r + [c] for r in run for c in chars]
            continue
        if run[0]:
            candidates.append({"".join(r) for r in run})
        run = [[]]
        if chars is not None:   # (too many spellings: this character starts the next run)
            run = [[c] for c in chars]
            continue
        inner = _item(op, av, icase)
        if inner:
            candidates.append(inner)
    return min(candidates, key=_cost) if candidates else None


def _cost(options) -> tuple:
    """Literals of two characters or more are the best test; then 'a Latin letter' (rare on Chinese
    pages), then 'a digit'; single characters (a colon, 备) the weakest. Then fewer, longer literals."""
    shortest = min((len(o) for o in options if o is not _LATIN and o is not _DIGIT), default=2)
    rank = 3 if shortest < 2 else 2 if _DIGIT in options else 1 if _LATIN in options else 0
    return (rank, -min(shortest, 4), len(options))


def _literal_chars(op, av, icase: bool):
    """The characters a one-character item matches when they are few and literal (exactly those
    characters, whatever the flags), else None."""
    if op is _parser.LITERAL:
        return None if icase and _sre.unicode_iscased(av) else [chr(av)]
    if op is _parser.IN and len(av) <= _MAX_CLASS and all(o is _parser.LITERAL for o, _ in av):
        if icase and any(_sre.unicode_iscased(c) for _, c in av):
            return None
        return [chr(c) for _, c in av]
    return None


def _item(op, av, icase: bool):
    """Options for one item that every match of the sequence goes through, or None."""
    if op is _parser.LITERAL and icase and av < 128 and chr(av).isalpha():
        return {_LATIN}
    if op is _parser.IN and av and all(item == (_parser.CATEGORY, _parser.CATEGORY_DIGIT)
                                       or (o is _parser.LITERAL and chr(c).isdecimal()) for item in av for o, c in [item]):
        return {_DIGIT}   # (\d, or a class of digits)
    if op is _parser.SUBPATTERN:
        _, add, remove, pattern = av
        icase = bool((icase or add & re.IGNORECASE) and not remove & re.IGNORECASE)
        return _sequence(list(pattern), icase)
    if op is _parser.BRANCH:
        options = set()
        for alternative in av[1]:
            found = _sequence(list(alternative), icase)
            if not found:
                return None
            options |= found
        return options
    if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _sequence(list(av[2]), icase)
    if op is _parser.ATOMIC_GROUP:
        return _sequence(list(av), icase)
    return None


__all__ = ["LATIN", "Required", "required"]
