"""What people type, made safe to store and show: control characters and bidirectional
overrides removed (an override in one sticky would reverse the text around it), and text that
holds nothing visible refused as empty."""

import unicodedata

from django.core.exceptions import ValidationError

# Characters that change the direction of the text around them (embeddings, overrides,
# isolates and marks): shown text is isolated by the templates (dir="auto") instead.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def cleaned(raw: str, *, lines: bool = False) -> str:
    """`raw` without control characters (but line breaks, where `lines`) and bidi controls,
    trimmed. Zero-width joiners and the like stay: emoji and some scripts are made with them."""
    if raw.isprintable():  # most text: no control, format (bidi), separator or surrogate
        return raw.strip()
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if not lines:
        text = text.replace("\n", " ")
    kept = []
    for character in text:
        if character in BIDI_CONTROLS:
            continue
        if unicodedata.category(character) == "Cc" and not (lines and character == "\n"):
            continue
        if unicodedata.category(character) == "Cs":  # a lone surrogate: not text at all
            continue
        kept.append(character)
    return "".join(kept).strip()


def is_blank(text: str) -> bool:
    """True when nothing in `text` would show: only spaces and invisible format characters."""
    return all(
        character.isspace() or unicodedata.category(character) in {"Cf", "Zs", "Zl", "Zp", "Mn"}
        for character in text
    )


def required(raw: str, *, what: str, limit: int, lines: bool = False) -> str:
    """Cleaned text that must show something and fit the limit, or a clear refusal."""
    text = cleaned(raw, lines=lines)
    if is_blank(text):
        raise ValidationError(f"The {what} needs some text.")
    if len(text) > limit:
        raise ValidationError(f"The {what} holds {limit} characters at most.")
    return text
