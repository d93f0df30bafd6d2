"""Suggested duplicates: stickies saying the same thing are paired, look-alikes that differ in
what matters are not, on a committed labelled set of pairs; the suggestions of a whole board are
every pair scoring the threshold, best first, none dismissed."""

import itertools
import json
import random
from pathlib import Path
from uuid import uuid4

import pytest

from workshops.duplicates import THRESHOLD, Suggestion, similar, suggest

LABELLED = json.loads((Path(__file__).parent / "data" / "duplicate_pairs.json").read_text())[
    "pairs"
]


def test_the_labelled_set_is_big_enough_and_mostly_hard() -> None:
    assert all(set(pair) == {"a", "b", "duplicate", "why"} for pair in LABELLED)
    hard = [pair for pair in LABELLED if not pair["duplicate"] and pair["why"] != "unrelated"]
    duplicates = [pair for pair in LABELLED if pair["duplicate"]]
    assert len(LABELLED) >= 66
    assert len(hard) >= len(LABELLED) / 3
    assert len(duplicates) >= len(LABELLED) / 3


def test_it_finds_most_duplicates_and_rarely_pairs_what_differs() -> None:
    suggested = [similar(pair["a"], pair["b"]) >= THRESHOLD for pair in LABELLED]
    right = sum(hit and pair["duplicate"] for hit, pair in zip(suggested, LABELLED, strict=True))
    precision = right / sum(suggested)
    recall = right / sum(pair["duplicate"] for pair in LABELLED)
    figures = f"suggested duplicates: precision {precision:.2f}, recall {recall:.2f}"
    print(figures)
    assert precision >= 0.8 and recall >= 0.8, figures


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("PR merged to trunk", "Pull request merged"),
        ("Security sign-off received", "Got sign-off from security"),
        ("UAT passed", "User acceptance testing passed"),
    ],
)
def test_the_same_event_written_twice_is_a_duplicate(a: str, b: str) -> None:
    assert similar(a, b) >= THRESHOLD
    assert similar(b, a) == similar(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Deployed to staging", "Deployed to production"),
        ("Unit tests passed", "Integration tests passed"),
    ],
)
def test_events_differing_in_what_matters_are_not_duplicates(a: str, b: str) -> None:
    assert similar(a, b) < THRESHOLD


@pytest.mark.parametrize(
    "text",
    ["Deployed to production", "UAT", "🚀", "הפריסה לייצור הושלמה", "x" * 1000],
)
def test_identical_texts_score_one(text: str) -> None:
    assert similar(text, text) == 1.0


def test_blank_texts_are_never_duplicates() -> None:
    assert similar("", "") == 0.0
    assert suggest({1: "", 2: "   ", 3: ""}) == []


def test_emoji_and_right_to_left_text_are_compared_by_their_words() -> None:
    assert similar("🚀 Deployed to production", "deployed to production!") == 1.0
    assert similar("🚀", "🎉") == 0.0
    assert similar("הפריסה לייצור הושלמה", "הפריסה לייצור הושלמה 🎉") == 1.0
    assert similar("הפריסה לייצור הושלמה", "בדיקות היחידה עברו") < THRESHOLD
    assert similar("Deployed to production", "הפריסה לייצור הושלמה") == 0.0


def test_a_very_long_text_is_compared_like_a_short_one() -> None:
    story = " ".join(pair["a"] for pair in LABELLED)[:1000]
    assert len(story) == 1000
    assert similar(story, "Deployed to production") < THRESHOLD
    assert similar(story, story + " 🎉") == 1.0
    texts = {"story": story, "again": story.upper(), "short": "Build passed"}
    assert [(s.a, s.b) for s in suggest(texts)] == [("story", "again")]


def test_no_text_or_one_text_suggests_nothing() -> None:
    assert suggest({}) == []
    assert suggest({uuid4(): "PR merged to trunk"}) == []


def test_suggestions_come_best_first_each_pair_once_never_a_sticky_with_itself() -> None:
    pr, pull, same, unit, tests = (uuid4() for _ in range(5))
    texts = {
        pr: "PR merged to trunk",
        pull: "Pull request merged",
        same: "pull request merged.",
        unit: "Unit tests passed",
        tests: "Integration tests passed",
    }
    suggestions = suggest(texts)
    assert suggestions[0] == Suggestion(pull, same, 1.0)
    assert {frozenset((s.a, s.b)) for s in suggestions} == {
        frozenset((pr, pull)),
        frozenset((pr, same)),
        frozenset((pull, same)),
    }
    assert len(suggestions) == 3
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    assert all(THRESHOLD <= s.score <= 1 for s in suggestions)


def test_a_dismissed_pair_is_not_suggested_again() -> None:
    texts = {1: "UAT passed", 2: "User acceptance testing passed", 3: "UAT passed!"}
    assert len(suggest(texts)) == 3
    remaining = suggest(texts, dismissed=[frozenset((2, 1)), frozenset((3, 1))])
    assert [(s.a, s.b) for s in remaining] == [(2, 3)]


def test_the_limit_keeps_the_best() -> None:
    texts = {n: "Smoke tests ran" if n % 2 else "Ran the smoke tests" for n in range(10)}
    assert len(suggest(texts)) == 45
    assert suggest(texts, limit=5) == suggest(texts)[:5]


def board_of(stickies: int) -> list[str]:
    """A busy board: events written by many hands, some of them twice in other words."""
    things = [pair[side] for pair in LABELLED for side in ("a", "b")]
    # fmt: off
    subjects = [
        "Unit tests", "Smoke tests", "Security scan", "Pull request", "PR", "Build", "UAT",
        "Release notes", "Feature flag", "Canary", "Hotfix", "Change request", "Docker image",
        "Database migration", "Rollback", "Jira ticket", "Release 2.3",
    ]
    verbs = [
        "passed", "failed", "started", "finished", "approved", "rejected", "merged", "written",
        "raised", "closed", "deployed", "signed off", "rolled back", "done",
    ]
    places = [
        "", "", "in staging", "in production", "by the CAB", "for the mobile team",
        "after the demo", "before go-live",
    ]
    # fmt: on
    draw = random.Random(2024)
    texts = []
    for _ in range(stickies):
        if draw.random() < 0.3:
            texts.append(draw.choice(things))
        else:
            texts.append(" ".join([draw.choice(subjects), draw.choice(verbs), draw.choice(places)]))
    return [text.strip() if draw.random() < 0.9 else text.strip().lower() for text in texts]


def test_on_a_board_of_500_stickies_it_suggests_every_pair_scoring_the_threshold() -> None:
    texts = dict(enumerate(board_of(500)))
    scored = [(similar(texts[a], texts[b]), a, b) for a, b in itertools.combinations(texts, 2)]
    expected = sorted(
        ((score, a, b) for score, a, b in scored if score >= THRESHOLD),
        key=lambda found: (-found[0], found[1], found[2]),
    )
    suggestions = suggest(texts, limit=len(scored))
    assert len(expected) > 100
    assert [(s.score, s.a, s.b) for s in suggestions] == expected
    assert suggest(texts) == suggestions[:50]
