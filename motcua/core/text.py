"""Vietnamese text folding for search: no diacritics, no case, đ → d."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z.]+")


def fold(text: str) -> str:
    """Lower-case ASCII form of Vietnamese text: "Đăng ký khai sinh" → "dang ky khai sinh".

    Punctuation becomes a space, except dots inside codes such as "1.001193".
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").lower()
    words = _NON_WORD.sub(" ", stripped).split()
    return " ".join(word.strip(".") for word in words if word.strip("."))


def search_terms(query: str, *, limit: int = 12) -> list[str]:
    """The folded words of a user's query, at most `limit` of them, in order and without repeats."""
    seen: list[str] = []
    for word in fold(query).split():
        if word not in seen:
            seen.append(word)
        if len(seen) == limit:
            break
    return seen
