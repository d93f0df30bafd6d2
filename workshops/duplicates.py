"""Suggested duplicates: pairs of stickies that probably say the same thing, listed for the group
to confirm or dismiss. Plain Python over texts and ids, no database.

Two stickies are the same event when every word of one is found in the other (the other may say
more: where, by whom, or "completed"), and not when each says something the other does not:
"Deployed to staging" and "Deployed to production", "Build started" and "Build finished".
A word is found as the same lemma ("merged" is "merge", found through LemmInflect's lexicon),
as an abbreviation made of the initials of a run of words ("PR" for "pull request", "DoD" for
"Definition of Done"), as two words written as one ("rolled back", "rollback") or as nearly the
same spelling (RapidFuzz: "artifact", "artefact"; "prod", "production"). What the other text
says beyond it counts against the pair: fully for words naming what happened, half for a verb in
the past or a word after a preposition, which say that it happened and where.
"""

import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from lemminflect import getAllInflections, getAllLemmas, getLemma
from rapidfuzz import fuzz

# Pairs scoring this or more are suggested. Each side saying something the other does not
# halves a score, so such pairs stay below it.
THRESHOLD = 0.8

WORD = re.compile(r"[^\W_]+(?:[-.'\u2019][^\W_]+)*")  # \u2019: a typographic apostrophe
# Generic English words that say nothing about which event it was: articles, pronouns,
# conjunctions, prepositions (what follows them counts), forms of be/have/do/get/go. Not stop
# words, because they turn an event around: on/off, up/down, out/back, before/after, not.
# fmt: off
STOP = frozenset({
    "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "into", "at", "by", "for",
    "from", "with", "via", "onto", "as", "than", "then", "so", "this", "that", "these", "those",
    "it", "its", "we", "our", "us", "you", "your", "they", "their", "them", "i", "me", "my", "he",
    "she", "his", "her", "all", "some", "any", "each", "both", "just", "also", "now", "again",
    "already", "finally", "yet", "still", "very", "is", "are", "was", "were", "be", "been",
    "being", "am", "has", "have", "had", "having", "do", "does", "did", "done", "doing", "get",
    "gets", "got", "gotten", "getting", "go", "goes", "went", "gone", "going",
})
# After one of these the words say where, by whom or for whom ("merged to trunk").
PREPOSITIONS = frozenset({
    "to", "in", "into", "at", "by", "for", "from", "with", "via", "onto", "on",
})
# fmt: on
# A word that says that it happened or where counts half as much as one naming what happened.
LIGHT = 0.5
# RapidFuzz's ratio (0-100) above which two words starting alike are the same word misspelt.
SPELLING = 85
# The longest abbreviation looked for as the initials of a run of words.
LONGEST_ABBREVIATION = 5


@dataclass(frozen=True, slots=True)
class Suggestion[K: Hashable]:
    """Stickies `a` and `b` (a listed before b) probably say the same thing; `score` is 0..1."""

    a: K
    b: K
    score: float


@dataclass(frozen=True, slots=True)
class _Word:
    lemma: str
    weight: float
    acronym: str | None  # its letters, when it is written as an abbreviation ("PR" -> "pr")
    joined: tuple[str, ...]  # its lemma joined with a neighbour's ("sign" "off" -> "signoff")
    initials: tuple[str, ...]  # initials of the runs of words it is part of


@dataclass(frozen=True, slots=True)
class _Text:
    """A text prepared once: its words and what another text looks them up by."""

    plain: str
    words: tuple[_Word, ...]
    lemmas: frozenset[str]  # the words' lemmas, and each joined with a neighbour's
    acronyms: frozenset[str]
    runs: frozenset[str]  # initials of every run of 2 to 5 words
    spellings: Mapping[str, tuple[str, ...]]  # lemmas in letters only, by their first three
    weight: float  # of all its words
    keys: frozenset[str]  # what this text is found by
    wanted: tuple[frozenset[str], ...]  # per word, the keys of texts that may have it
    wanted_by: Mapping[str, tuple[int, ...]]  # the words wanting each key, by index


def similar(a: str, b: str) -> float:
    """How surely `a` and `b` state the same event: 1 when each word of one is in the other,
    less the more the other adds, at most half when each says something the other does not."""
    return _score(_prepare(a), _prepare(b))


def suggest[K: Hashable](
    texts: Mapping[K, str], *, dismissed: Collection[frozenset[K]] = (), limit: int = 50
) -> list[Suggestion[K]]:
    """Pairs of `texts` scoring THRESHOLD or more, best first, each once and never one already
    dismissed; ties keep the order of `texts`."""
    ids = list(texts)
    written: dict[str, list[int]] = defaultdict(list)  # each text, and where it is written
    for index, id_ in enumerate(ids):
        written[texts[id_]].append(index)
    distinct = list(written)
    prepared = [_prepare(text) for text in distinct]
    dismissed = set(dismissed)
    found = []
    for i, j, score in _scored(prepared):
        stickies = written[distinct[i]]
        pairs = (
            itertools.combinations(stickies, 2)
            if i == j
            else itertools.product(stickies, written[distinct[j]])
        )
        for a, b in pairs:
            a, b = min(a, b), max(a, b)
            if frozenset((ids[a], ids[b])) not in dismissed:
                found.append((score, a, b))
    found.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    return [Suggestion(ids[a], ids[b], score) for score, a, b in found[: max(limit, 0)]]


def _scored(texts: list[_Text]) -> list[tuple[int, int, float]]:
    """The pairs of distinct texts scoring THRESHOLD or more, and each text with itself (a text
    written on two stickies scores 1, unless blank)."""
    scored = [(i, i, 1.0) for i, text in enumerate(texts) if text.plain]
    for i, j in _candidates(texts):
        score = _score(texts[i], texts[j])
        if score >= THRESHOLD:
            scored.append((i, j, score))
    return scored


def _score(a: _Text, b: _Text) -> float:
    if not a.words or not b.words:  # only emoji or signs: the same when written the same
        return 1.0 if a.plain and a.plain == b.plain else 0.0
    found_a, extra_a = _weigh(a, b)
    found_b, extra_b = _weigh(b, a)
    score = (found_a + found_b) / (found_a + found_b + extra_a + extra_b)
    return score / 2 if extra_a and extra_b else score


def _weigh(text: _Text, other: _Text) -> tuple[float, float]:
    """The weight of `text`'s words found in `other`, and of those not found. Only words wanting
    a key `other` holds can be found in it, so a long text is not read word by word."""
    if len(other.keys) < len(text.wanted_by):
        keys = [key for key in other.keys if key in text.wanted_by]
    else:
        keys = [key for key in text.wanted_by if key in other.keys]
    maybe = {index for key in keys for index in text.wanted_by[key]}
    found = sum(text.words[index].weight for index in maybe if _found(text.words[index], other))
    return found, text.weight - found


def _found(word: _Word, other: _Text) -> bool:
    if word.lemma in other.lemmas or any(joined in other.lemmas for joined in word.joined):
        return True
    if word.acronym and word.acronym in other.runs:
        return True
    if any(initials in other.acronyms for initials in word.initials):
        return True
    return any(_spelt_alike(word.lemma, lemma) for lemma in other.spellings.get(word.lemma[:3], ()))


def _spelt_alike(a: str, b: str) -> bool:
    """The same word shortened ("prod", "production") or spelt a little differently."""
    return a.startswith(b) or b.startswith(a) or fuzz.ratio(a, b, score_cutoff=SPELLING) > 0


def _candidates(texts: list[_Text]) -> set[tuple[int, int]]:
    """Every pair (i < j) that may score THRESHOLD or more: one text of it has each of its words
    in the other, so the other holds a key each of those words wants."""
    holders: dict[str, set[int]] = defaultdict(set)
    for index, text in enumerate(texts):
        for key in text.keys:
            holders[key].add(index)
    pairs: set[tuple[int, int]] = set()
    for index, text in enumerate(texts):
        if not text.words:
            others = holders.get("=" + text.plain, set())
        else:
            others = _holding_all(text, holders)
        pairs.update((min(index, other), max(index, other)) for other in others if other != index)
    return pairs


def _holding_all(text: _Text, holders: dict[str, set[int]]) -> set[int]:
    """The texts holding, for each word of `text`, one of the keys it wants; starting from the
    word whose lemma is rarest, so that the others only filter a few."""
    empty: set[int] = set()
    order = sorted(
        range(len(text.words)), key=lambda i: len(holders.get("w:" + text.words[i].lemma, empty))
    )
    others = set().union(*(holders.get(key, empty) for key in text.wanted[order[0]]))
    for i in order[1:]:
        if not others:
            break
        held = [holders[key] for key in text.wanted[i] if key in holders]
        others = {other for other in others if any(other in texts for texts in held)}
    return others


@lru_cache(maxsize=4096)
def _prepare(text: str) -> _Text:
    """Everything comparing `text` needs, worked out once: its words (stop words dropped),
    their lemmas and weights, and the keys other texts find them by."""
    plain = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    tokens = WORD.findall(unicodedata.normalize("NFKC", text))
    shouted = len(tokens) > 1 and not any(char.islower() for char in text)
    content: list[tuple[int, str, float, str | None]] = []  # position, lemma, weight, acronym
    lemma_at: list[str] = []
    past_at: set[int] = set()
    after_preposition = False
    for position, token in enumerate(tokens):
        acronym = _acronym(token, shouted)
        lowered = token.casefold()
        lemma, past = _lemma(lowered)
        lemma_at.append(lemma)
        if lowered in STOP and not (acronym and token.isupper()):  # "us", not "US"
            after_preposition = after_preposition or lowered in PREPOSITIONS
            continue
        weight = LIGHT if past or after_preposition else 1.0
        if past:
            past_at.add(position)
        content.append((position, lemma, weight, acronym))
        after_preposition = after_preposition or lowered in PREPOSITIONS

    # Neighbours written as one word elsewhere: "go live" and "go-live", "rolled back" and
    # "rollback".
    pairs = {position: a + b for position, (a, b) in enumerate(itertools.pairwise(lemma_at))}
    joined = [
        tuple(pairs[near] for near in (position - 1, position) if near in pairs)
        for position, *_ in content
    ]
    initials = _runs(tokens, [position for position, *_ in content], past_at)

    words = tuple(
        _Word(lemma, weight, acronym, joined[i], tuple(sorted(initials[i])))
        for i, (_, lemma, weight, acronym) in enumerate(content)
    )
    lemmas = frozenset(word.lemma for word in words) | set(itertools.chain(*joined))
    spellings: dict[str, list[str]] = defaultdict(list)
    for lemma in lemmas:
        if len(lemma) >= 3 and lemma.isalpha():
            spellings[lemma[:3]].append(lemma)
    acronyms = frozenset(word.acronym for word in words if word.acronym)
    runs = frozenset(run for word in words for run in word.initials)
    keys = (
        {"w:" + lemma for lemma in lemmas}
        | {"s:" + start for start in spellings}
        | {"a:" + acronym for acronym in acronyms}
        | {"r:" + run for run in runs}
        | {"=" + plain}
    )
    wanted = tuple(_wanted(word) for word in words)
    wanted_by: dict[str, list[int]] = defaultdict(list)
    for index, word_keys in enumerate(wanted):
        for key in word_keys:
            wanted_by[key].append(index)
    return _Text(
        plain=plain,
        words=words,
        lemmas=lemmas,
        acronyms=acronyms,
        runs=runs,
        spellings={start: tuple(found) for start, found in spellings.items()},
        weight=sum(word.weight for word in words),
        keys=frozenset(keys),
        wanted=wanted,
        wanted_by={key: tuple(indices) for key, indices in wanted_by.items()},
    )


def _wanted(word: _Word) -> frozenset[str]:
    """The keys of a text in which `word` may be found (see _found)."""
    keys = {"w:" + word.lemma} | {"w:" + joined for joined in word.joined}
    keys |= {"a:" + initials for initials in word.initials}
    if word.acronym:
        keys.add("r:" + word.acronym)
    if len(word.lemma) >= 3 and word.lemma.isalpha():
        keys.add("s:" + word.lemma[:3])
    return frozenset(keys)


def _runs(tokens: list[str], content: list[int], past_at: set[int]) -> dict[int, set[str]]:
    """For each content word (by its index in `content`), the initials of the runs of 2 to 5
    words it is part of, counting the small words ("Definition of Done") and not counting them.
    An abbreviation names a thing, so no run holds a verb in the past ("Change approved by"
    is no "CAB")."""
    index_of = {position: i for i, position in enumerate(content)}
    initials: dict[int, set[str]] = defaultdict(set)
    for sequence in (list(range(len(tokens))), content):
        for start in range(len(sequence)):
            for end in range(start + 2, min(start + LONGEST_ABBREVIATION, len(sequence)) + 1):
                run = sequence[start:end]
                if past_at.intersection(run):
                    break
                letters = "".join(tokens[position][0].casefold() for position in run)
                for position in run:
                    if position in index_of:
                        initials[index_of[position]].add(letters)
    return initials


@lru_cache(maxsize=16384)
def _acronym(token: str, shouted: bool) -> str | None:
    """The letters of an abbreviation: written in capitals ("PR", "UAT", "DoD", "PRs"), or no
    English word ("uat"; in a text written all in capitals, the only way to tell)."""
    if not token.isalpha() or not 2 <= len(token) <= 6:
        return None
    if sum(char.isupper() for char in token) >= 2 and not shouted:
        plural = token.endswith("s") and token[:-1].isupper()
        return (token[:-1] if plural else token).casefold()
    lowered = token.casefold()
    if lowered.isascii() and len(token) <= 4 and not getAllLemmas(lowered):
        return lowered
    return None


@lru_cache(maxsize=16384)
def _lemma(word: str) -> tuple[str, bool]:
    """The word's dictionary form, and whether it is a verb in the past ("merged": "merge")."""
    if "-" in word:  # "sign-off", "sign-offs", "pre-prod": one word
        *first, last = word.split("-")
        return "".join(first) + _lemma(last)[0], False
    if word.endswith(("'s", "\u2019s")):
        word = word[:-2]
    lemmas = getAllLemmas(word)
    verbs = lemmas.get("VERB", ())
    past = any(word in _past_forms(verb) for verb in verbs)
    for upos in ("VERB", "NOUN", "ADJ", "ADV"):
        if lemmas.get(upos):
            return lemmas[upos][0], past
    if word.isascii() and word.isalpha():  # words the lexicon lacks: "docs", "vulns"
        return (getLemma(word, upos="NOUN") or (word,))[0], False
    return word, False


@lru_cache(maxsize=16384)
def _past_forms(verb: str) -> frozenset[str]:
    forms = getAllInflections(verb, upos="VERB")
    return frozenset(forms.get("VBD", ()) + forms.get("VBN", ()))
