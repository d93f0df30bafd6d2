"""A gentle hint for event stickies that do not read as facts in the past tense ("Run the smoke
tests" → "Smoke tests ran?"). It never blocks and never changes text: it only suggests.

Words are looked up in LemmInflect's English lexicon (lemmas and inflections of verbs), not in
a list of ours: an event reads as a fact when one of its words is a verb in the past tense or a
past participle ("reviewed", "ran", "built", "was", "done"), unless the text opens with a verb
in its base form and nothing after it is in the past ("Run the smoke tests": an instruction).
"""

import re
from functools import cache

from lemminflect import getAllInflections, getAllLemmas

WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
# Words that open a phrase rather than name what happened: skipped when turning it around.
LEADING = frozenset({"the", "a", "an", "our", "all", "some", "its", "their"})
PREPOSITIONS = frozenset({"to", "into", "on", "in", "for", "from", "with", "at", "by", "onto"})


def load_lexicon() -> None:
    """Read LemmInflect's word lists now, not while drawing the first board that holds an event
    (they take a good part of a second to read): a server calls this as it starts."""
    getAllLemmas("ran")
    getAllInflections("run", upos="VERB")


@cache
def _forms(word: str) -> tuple[bool, bool, str | None]:
    """(a past form of some verb, the base form of some verb, what that verb's done-form is:
    its past participle where it differs from the base ("written"), else its past ("ran"))."""
    lemmas = getAllLemmas(word.lower()).get("VERB", ())
    past = base = False
    done = None
    for lemma in lemmas:
        forms = getAllInflections(lemma, upos="VERB")
        past = past or word.lower() in forms.get("VBD", ()) + forms.get("VBN", ())
        if word.lower() in forms.get("VB", ()):
            base = True
            participle = (forms.get("VBN") or forms.get("VBD") or (None,))[0]
            done = participle if participle != word.lower() else (forms.get("VBD") or (None,))[0]
    return past, base, done


@cache
def _is_noun(word: str) -> bool:
    return bool(getAllLemmas(word.lower()).get("NOUN"))


@cache
def _done_of_ongoing(word: str) -> str | None:
    """For a verb's -ing form ("deploying"), its past ("deployed")."""
    for lemma in getAllLemmas(word.lower()).get("VERB", ()):
        forms = getAllInflections(lemma, upos="VERB")
        if word.lower() in forms.get("VBG", ()):
            return (forms.get("VBN") or forms.get("VBD") or (None,))[0]
    return None


def _instruction(words: list[str]) -> bool:
    """Opens with a verb to do: "Review the code", "Deploy to staging", "Write unit tests" (not
    "Code review", whose first word is a noun too and is not followed by what it acts on)."""
    if not _forms(words[0])[1]:
        return False
    following = words[1].lower() if len(words) > 1 else ""
    return not _is_noun(words[0]) or following in LEADING | PREPOSITIONS


def reads_as_past_fact(text: str) -> bool:
    words = WORD.findall(text)
    if not words:
        return True  # nothing to judge: no hint
    past = [_forms(word)[0] for word in words]
    first_past, first_base, _ = _forms(words[0])
    if any(past[1:]):
        return True
    return first_past and not first_base


def past_tense_hint(text: str) -> str | None:
    """None when `text` reads as a past-tense fact; otherwise a suggestion ending in "?"."""
    if reads_as_past_fact(text):
        return None
    words = WORD.findall(text)
    ongoing = _done_of_ongoing(words[0])  # "Deploying to staging"
    done = ongoing or _forms(words[0])[2]
    rest = text.strip()[len(words[0]) :].strip()
    if done and (ongoing or _instruction(words)):  # say it as done
        if not rest or rest.split(" ", 1)[0].lower() in PREPOSITIONS:
            return f"{done.capitalize()} {rest}".strip() + "?"
        subject = rest.split(" ")
        while subject and subject[0].lower() in LEADING:
            subject.pop(0)
        named = " ".join(subject)
        return f"{named[:1].upper()}{named[1:]} {done}?"
    return f"{text.strip().rstrip('.')} done?"
