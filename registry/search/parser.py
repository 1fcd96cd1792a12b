"""
The query language: a reader's query read once, in web-search syntax.

Words (each also a prefix, so "clearv" finds Clearview), ``"a phrase"``,
``either OR or``, ``-excluded`` words and phrases. Every backend builds its
condition from the ``ParsedQuery``, never from the reader's text.
"""

import re
from dataclasses import dataclass

# Longer queries are cut, and the page says so. Every term is one more
# condition per row (and per weight and configuration on PostgreSQL); a prefix
# term ("clearv*") is the costly kind, an index range rather than a lookup.
MAX_QUERY_LENGTH = 200
MAX_WORDS = 30
MAX_TERMS = 16
MAX_PREFIX_TERMS = 8

# A word is a run of letters and digits, as both PostgreSQL's parser and FTS5's
# unicode61 tokenizer see it. Nothing else (quotes, colons, backslashes,
# operators) ever reaches a tsquery or an FTS5 expression.
WORD_RE = re.compile(r"[^\W_]+")
TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|([^\s"]+)')


@dataclass(frozen=True)
class Term:
    """Words that must appear together, in order; ``prefix``: the last may be cut short."""

    words: tuple[str, ...]
    prefix: bool = True

    def __str__(self):
        text = " ".join(self.words)
        return text if self.prefix else f'"{text}"'


@dataclass(frozen=True)
class ParsedQuery:
    """Every group must match (any one term of it); no excluded term may."""

    text: str = ""
    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    truncated: bool = False

    def __bool__(self):
        return bool(self.groups or self.excluded)

    @property
    def plain(self) -> str:
        """The words looked for, space-separated: equal to a name that matches exactly."""
        return " ".join(w for group in self.groups for term in group for w in term.words)


def parse_query(text) -> ParsedQuery:
    """
    Read a query in web-search syntax (as PostgreSQL's ``websearch_to_tsquery``):
    ``"a phrase"``, ``this OR that``, ``-excluded``; anything else is words.
    Never fails: punctuation is dropped, an unclosed quote runs to the end.
    """
    text = str(text or "").replace("\x00", "").strip()
    truncated = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH]
    groups: list[tuple[Term, ...]] = []
    excluded: list[Term] = []
    pending_or = False
    word_count = term_count = prefix_count = 0
    for match in TOKEN_RE.finditer(text):
        negated, quoted, bare = match.groups()
        if bare is not None:
            if bare.upper() == "OR":
                pending_or = bool(groups)
                continue
            negated = bare.startswith("-")
            words = WORD_RE.findall(bare)
            prefix = True
        else:
            words = WORD_RE.findall(quoted)
            prefix = False
        if not words:
            continue
        if (
            word_count + len(words) > MAX_WORDS
            or term_count + 1 > MAX_TERMS
            or prefix_count + prefix > MAX_PREFIX_TERMS
        ):
            truncated = True
            break
        word_count += len(words)
        term_count += 1
        prefix_count += prefix
        term = Term(tuple(w.lower() for w in words), prefix)
        if negated:
            excluded.append(term)
        elif pending_or:
            groups[-1] = (*groups[-1], term)
        else:
            groups.append((term,))
        pending_or = False
    return ParsedQuery(text, tuple(groups), tuple(excluded), truncated)


def as_parsed(query) -> ParsedQuery:
    """``query`` parsed, unless it already is."""
    return query if isinstance(query, ParsedQuery) else parse_query(query)


# A word of the query in a statement's parameters (see ``blanked``): NUL
# never reaches here from a reader (``parse_query`` drops it).
PLACEHOLDER = re.compile("\x00(\\d+)\x00")


def blanked(parsed) -> tuple[ParsedQuery, tuple[str, ...]]:
    """
    The query's shape, each word replaced by a numbered placeholder, and its
    words in that order: queries of one shape ("two words", "a phrase OR a
    word") share one compiled statement, with different parameters
    (``filled``). Building and compiling the search expressions cost more
    than running them.
    """
    words: list[str] = []

    def blank(term):
        placeholders = []
        for word in term.words:
            placeholders.append(f"\x00{len(words)}\x00")
            words.append(word)
        return Term(tuple(placeholders), term.prefix)

    groups = tuple(tuple(blank(t) for t in group) for group in parsed.groups)
    excluded = tuple(blank(t) for t in parsed.excluded)
    return ParsedQuery(groups=groups, excluded=excluded), tuple(words)


def checked(sql):
    """``sql``, compiled from a ``blanked`` query, once sure no word is written into it."""
    if "\x00" in sql:
        raise ValueError("a query word was written into the SQL instead of a parameter")
    return sql


def filled(params, words):
    """A ``blanked`` statement's parameters with the query's ``words`` put back."""
    return [
        PLACEHOLDER.sub(lambda m: words[int(m[1])], p) if isinstance(p, str) else p for p in params
    ]
