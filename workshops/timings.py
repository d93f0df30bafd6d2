"""Sizes and estimates of the steps of a path, as people say them ("M", "2-5 days", "3h"), read
into numbers the insight can add up. Pure functions: no Django here.

A T-shirt size means a range of days that each workshop sets (`DEFAULT_SIZES` to start with).
An estimate is a range in hours, days, weeks or months, kept as it was said and turned into days
only when adding up: a working day has 8 hours, a week 5 days and a month 21, unless the
workshop counts calendar days (24 hours, 7 days, 30 days).
"""

import itertools
import re
from dataclasses import dataclass
from typing import Any

SIZE_ORDER = ("XS", "S", "M", "L", "XL")
DEFAULT_SIZES: dict[str, tuple[float, float]] = {
    "XS": (0, 0.25), "S": (0, 1), "M": (1, 5), "L": (5, 20), "XL": (20, 60),
}  # fmt: skip
UNITS = ("hours", "days", "weeks", "months")
MOST_DAYS = 3650  # ten years: more than any step of a path should take
_UNIT_WORDS = {
    "h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours",
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks",
    "mo": "months", "month": "months", "months": "months",
}  # fmt: skip
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_ESTIMATE = re.compile(
    rf"^\s*{_NUMBER}\s*(?:(?:-|\u2013|\u2014|to)\s*{_NUMBER})?\s*([a-z]*)\s*$", re.IGNORECASE
)


class TimingError(ValueError):
    """What is wrong with a size or an estimate, in words for the person who gave it."""


@dataclass(frozen=True)
class Estimate:
    low: float
    high: float
    unit: str  # one of UNITS

    def as_json(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "unit": self.unit}

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> "Estimate | None":
        return None if not value else cls(value["low"], value["high"], value["unit"])

    def days(self, *, calendar: bool = False) -> tuple[float, float]:
        per_day = {
            "hours": 1 / (24 if calendar else 8), "days": 1.0,
            "weeks": 7 if calendar else 5, "months": 30 if calendar else 21,
        }  # fmt: skip
        factor = per_day[self.unit]
        return self.low * factor, self.high * factor

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.high == 1 else self.unit
        if self.low == self.high:
            return f"{_number(self.low)} {unit}"
        return f"{_number(self.low)}-{_number(self.high)} {unit}"


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def read_estimate(said: str, what: str = "The estimate") -> Estimate:
    """ "2-5 days", "3h", "1 to 2 weeks", "4" (days) as an Estimate, or TimingError."""
    found = _ESTIMATE.match(said)
    if found is None:
        raise TimingError(
            f"{what} should read like “2-5 days”, “3 hours” or “1 week”, not “{said[:40]}”."
        )
    low_text, high_text, unit_text = found.groups()
    unit = _UNIT_WORDS.get(unit_text.lower()) if unit_text else "days"
    if unit is None:
        raise TimingError(
            f"{what} is in hours, days, weeks or months; “{unit_text[:20]}” is none of them."
        )
    low = float(low_text.replace(",", "."))
    high = float(high_text.replace(",", ".")) if high_text else low
    if high < low:
        raise TimingError(
            f"{what} goes from the shorter time to the longer: {high_text}-{low_text}."
        )
    if Estimate(low, high, unit).days(calendar=True)[1] > MOST_DAYS:
        raise TimingError(f"{what} is over ten years: give it in a shorter unit or split the step.")
    if high == 0:
        raise TimingError(f"{what} must be more than nothing.")
    return Estimate(low, high, unit)


def read_sizes(value: Any) -> dict[str, list[float]]:
    """A workshop's size scale as the facilitator sets it: {"S": [0, 1], "M": [1, 5], ...}
    in days, S, M and L at least, each size's range within the next one's."""
    if not isinstance(value, dict) or not value:
        raise TimingError('Sizes are given as {"S": [low, high], "M": [low, high], ...} in days.')
    scale: dict[str, list[float]] = {}
    for size in SIZE_ORDER:
        bounds = value.get(size)
        if bounds is None:
            continue
        if (
            not isinstance(bounds, list)
            or len(bounds) != 2
            or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
        ):
            raise TimingError(f"Size {size} needs two numbers of days: [low, high].")
        # (JSON's whole numbers have no bound: one too big for a float is refused, not raised.)
        if not all(-MOST_DAYS <= b <= MOST_DAYS for b in bounds):
            raise TimingError(f"Size {size} must be at most {MOST_DAYS:,} days (ten years).")
        low, high = float(bounds[0]), float(bounds[1])
        if not 0 <= low <= high or high == 0:
            raise TimingError(f"Size {size} must go from 0 or more up to a longer time (days).")
        scale[size] = [low, high]
    unknown = set(value) - set(SIZE_ORDER)
    if unknown:
        raise TimingError(f"The sizes are XS, S, M, L and XL; not {', '.join(sorted(unknown))}.")
    if not {"S", "M", "L"} <= set(scale):
        raise TimingError("A scale has S, M and L at least (XS and XL may be left out).")
    ordered = [scale[size] for size in SIZE_ORDER if size in scale]
    if any(a[1] > b[1] or a[0] > b[0] for a, b in itertools.pairwise(ordered)):
        raise TimingError("Each size must be at least as long as the one before it.")
    return scale


def size_days(size: str, scale: dict[str, list[float]]) -> tuple[float, float]:
    low, high = scale[size]
    return low, high
