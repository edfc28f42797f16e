"""Quantities in text, whether written as digits or as words, normalised for comparison.

Speech recognisers write "forty percent", "40%" and "40 percent" interchangeably, and years as
"nineteen fifty two" or "1952", so claims and evidence are both reduced to `Quantity` values:
a kind (year, percent, change, money, count), a float, an optional unit noun and a bound.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
        "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
          "trillion": 1_000_000_000_000}
FRACTIONS = {"half": 50.0, "a third": 33.3, "one third": 33.3, "a quarter": 25.0, "one quarter": 25.0,
             "two thirds": 66.7, "three quarters": 75.0, "a fifth": 20.0, "one fifth": 20.0, "a tenth": 10.0,
             "one tenth": 10.0}
CHANGES = {"doubled": 100.0, "doubles": 100.0, "doubling": 100.0, "tripled": 200.0, "triples": 200.0,
           "quadrupled": 300.0, "halved": -50.0, r"cut (?:\w+ )?(?:in|by) half": -50.0}
MONEY = frozenset({"dollar", "dollars", "euro", "euros", "pound", "pounds", "usd", "bucks"})
LOWER_BOUND = frozenset({"more than", "over", "at least", "above", "nearly", "almost", "upwards of"})
UPPER_BOUND = frozenset({"less than", "fewer than", "under", "at most", "below", "up to"})
APPROXIMATE = frozenset({"about", "around", "roughly", "approximately", "some", "nearly", "almost"})
UNIT_SKIP = frozenset({"of", "the", "a", "an", "new", "more", "additional", "extra", "our", "their", "its",
                       "per", "in", "and", "than", "each", "every"})

_NUMBER_WORD = "|".join([*UNITS, *TENS, *SCALES, "and", "a"])
_WORD_RUN = re.compile(rf"\b(?:{_NUMBER_WORD})(?:[\s-]+(?:{_NUMBER_WORD}))*\b")
_DIGITS = re.compile(r"(?<![\w.])\$?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\$?\d+(?:\.\d+)?")
_PERCENT = re.compile(r"^\s*(?:%|percent\b|per cent\b|percentage points?\b)")
_SCALE_AFTER = re.compile(r"^\s*(hundred|thousand|million|billion|trillion|k\b|m\b|bn\b)")
_FROM_TO = re.compile(r"\bfrom\s+(\S+(?:\s+\S+)?)\s+to\s+")
_WORDS_AFTER = re.compile(r"[a-z]+")
_SMALL = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|\d{1,3})"
_RATIO = re.compile(rf"\b({_SMALL}) (?:in|out of) (?:every )?({_SMALL}|a hundred|one hundred)\b")
# A year after these words frames a period ("doubled since 2015") rather than dating the event itself.
_ANCHOR_BEFORE = re.compile(r"\b(?:since|between|from|until|till|through|by|and|to)\s*$")
_YEAR_BEFORE = re.compile(r"\b(?:in|since|by|until|till|from|before|after|of|during|year|between|and|to)\s*$")


@dataclass(frozen=True)
class Quantity:
    kind: str  # year | percent | change | money | count
    value: float
    unit: str  # stems of the words after a count ("daily rider"), "money", or "" when unknown
    bound: str  # "" (exact), "min" (more than), "max" (less than), "approx"; for years "" or "anchor"
    start: int
    text: str


def quantities(text: str) -> tuple[Quantity, ...]:
    """Every quantity in lower-cased `text`, in order of appearance."""
    lowered = text.lower().replace("\u2019", "'")
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _RATIO.finditer(lowered):  # "one in five" = 20 %
        part, whole = _small(m.group(1)), _small(m.group(2))
        if whole:
            taken.append((m.start(), m.end()))
            found.append(Quantity("percent", round(100 * part / whole, 1), "", "", m.start(), m.group()))
    for pattern in sorted(CHANGES, key=len, reverse=True):
        for m in re.finditer(rf"\b{pattern}\b", lowered):
            if not _overlaps(taken, m.start(), m.end()):
                taken.append((m.start(), m.end()))
                found.append(Quantity("change", CHANGES[pattern], "", "", m.start(), m.group()))
    for m in _DIGITS.finditer(lowered):
        if _overlaps(taken, m.start(), m.end()):
            continue
        raw = m.group()
        value = float(raw.lstrip("$").replace(",", ""))
        quantity, end = _classify(lowered, m.start(), m.end(), value, raw, is_digits=True, money=raw.startswith("$"))
        found.append(quantity)
        taken.append((m.start(), end))
    for m in _WORD_RUN.finditer(lowered):
        for start, end, value, is_year in _word_numbers(lowered, m.start(), m.end()):
            if _overlaps(taken, start, end):
                continue
            taken.append((start, end))
            q, _ = _classify(lowered, start, end, value, lowered[start:end], is_digits=False, money=False)
            found.append(Quantity("year", value, "", _year_role(lowered, start), start, q.text) if is_year else q)
    for phrase, value in FRACTIONS.items():
        for m in re.finditer(rf"\b{phrase}\b", lowered):
            if not _overlaps(taken, m.start(), m.end()):
                found.append(Quantity("percent", value, "", "", m.start(), m.group()))
    found.extend(_from_to_changes(lowered, found))
    return tuple(sorted(found, key=lambda q: (q.start, q.kind)))


def _small(word: str) -> float:
    if word.isdigit():
        return float(word)
    return float(100 if word.endswith("hundred") else UNITS.get(word, 0))


def has_number(text: str) -> bool:
    return any(q.kind != "year" for q in quantities(text))


def units_compatible(a: Quantity, b: Quantity) -> bool:
    """Same kind (percent and change compare with each other) and, for counts, a shared unit word."""
    kinds = {a.kind, b.kind}
    if kinds == {"percent", "change"}:
        return True
    if a.kind != b.kind:
        return False
    if a.kind != "count":
        return True
    low, high = sorted((abs(a.value), abs(b.value)))
    ratio = high / max(low, 1e-9)
    if not a.unit or not b.unit:  # one side's unit unknown: comparable only at a similar magnitude
        return ratio <= 10
    return ratio <= 100 and bool(set(a.unit.split()) & set(b.unit.split()))


def values_agree(claim: Quantity, evidence: Quantity) -> bool:
    """Equal within rounding; a claim's bound ("more than 30") or "about" widens what agrees."""
    c, e = claim.value, evidence.value
    if claim.kind == "year" or evidence.kind == "year":
        return c == e
    if {claim.kind, evidence.kind} == {"percent", "change"}:  # "fell by 25 percent" vs a -25 % change
        c, e = abs(c), abs(e)
    tolerance = 0.1 if "approx" in (claim.bound, evidence.bound) else 0.03
    if claim.bound == "min" and e >= c:
        return True
    if claim.bound == "max" and e <= c:
        return True
    small = abs(c - e) < 0.5 and max(abs(c), abs(e)) < 10  # "3.5" vs "3.7" is still a rounding matter
    return small or abs(c - e) <= tolerance * max(abs(c), abs(e), 1e-9)


def describe(q: Quantity) -> str:
    """Human-readable value for rationales: 1968, 40%, +100%, 40 million."""
    if q.kind == "year":
        return str(int(q.value))
    if q.kind == "percent":
        return f"{q.value:g}%"
    if q.kind == "change":
        return f"{q.value:+g}%"
    for name, size in (("billion", 1e9), ("million", 1e6)):
        if abs(q.value) >= size:
            return f"{q.value / size:g} {name}" + (" dollars" if q.kind == "money" else "")
    return f"{q.value:,.10g}" + (" dollars" if q.kind == "money" else "")


def _classify(
    text: str, start: int, end: int, value: float, raw: str, is_digits: bool, money: bool
) -> tuple[Quantity, int]:
    """The quantity at text[start:end] (with a following scale word) and where it really ends."""
    after = text[end:]
    scale = _SCALE_AFTER.match(after)
    if scale:
        word = scale.group(1)
        value *= {"k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}.get(word, SCALES.get(word, 1))
        after = after[scale.end():]
        end += scale.end()
    before = text[max(0, start - 16) : start]
    bound = _bound(before)
    if _PERCENT.match(after):
        return Quantity("percent", value, "", bound, start, raw), end
    following = _WORDS_AFTER.findall(re.split(r"[,.;:!?]", after[:40])[0])
    if money or (following and following[0] in MONEY):
        return Quantity("money", value, "money", bound, start, raw), end
    plain = not scale and "." not in raw and "," not in raw and value == int(value)
    if plain and 1500 <= value <= 2100 and (
        _YEAR_BEFORE.search(text[:start]) or (is_digits and len(raw) == 4 and not _plural_noun(following))
    ):
        return Quantity("year", value, "", _year_role(text, start), start, raw), end
    unit = " ".join(_unit_stem(w) for w in [w for w in following[:3] if w not in UNIT_SKIP][:2])
    return Quantity("count", value, unit, bound, start, raw), end


def _plural_noun(following: list[str]) -> bool:
    """'2000 buses' counts buses; '2015 was' or 'in 2015 prices' is a year (the caller checks 'in')."""
    return bool(following) and len(following[0]) > 3 and following[0].endswith("s") and following[0] != "was"


def _year_role(text: str, start: int) -> str:
    """"anchor" for a year that frames a period ("since 2015"), "" for the date of the event itself."""
    return "anchor" if _ANCHOR_BEFORE.search(text[max(0, start - 12) : start]) else ""


def _bound(before: str) -> str:
    before = before.strip()
    if any(before.endswith(b) for b in LOWER_BOUND):
        return "min"
    if any(before.endswith(b) for b in UPPER_BOUND):
        return "max"
    if any(before.endswith(b) for b in APPROXIMATE):
        return "approx"
    return ""


def _unit_stem(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("es") and word[:-2].endswith(("s", "x", "ch", "sh")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _word_numbers(text: str, start: int, end: int) -> list[tuple[int, int, float, bool]]:
    """Split a run of number words into numbers: (start, end, value, is_year) items.

    "two thousand and ten and twenty twenty" is two years; "twenty five" is one number; "and"
    continues a number only after hundred/thousand/million ("two hundred and five").
    """
    tokens = [(m.start() + start, m.end() + start, m.group()) for m in re.finditer(r"[a-z]+", text[start:end])]
    words = [t[2] for t in tokens]
    out: list[tuple[int, int, float, bool]] = []
    i = 0
    while i < len(words):
        year = _spoken_year_at(words, i)
        if year is not None:
            length, spoken_year = year
            out.append((tokens[i][0], tokens[i + length - 1][1], float(spoken_year), True))
            i += length
            continue
        j, value = _cardinal_at(words, i)
        if j == i:
            i += 1
            continue
        if words[i:j] not in (["one"], ["a"], ["oh"]):  # "one of the", "no one": not a quantity
            spoken = words[i : i + 3] == ["two", "thousand", "and"] and 2000 < value < 2100
            out.append((tokens[i][0], tokens[j - 1][1], value, spoken))
        i = j
    return out


def _cardinal_at(words: list[str], i: int) -> tuple[int, float]:
    """(index after, value) of the longest well-formed cardinal starting at words[i]."""
    total = current = 0.0
    last = ""
    j = i
    while j < len(words):
        w = words[j]
        following = words[j + 1] if j + 1 < len(words) else ""
        if w == "and":
            if last in SCALES and (following in UNITS or following in TENS):
                j += 1
                continue
            break
        if w == "a":
            if j != i or following not in SCALES:
                break
            current = 1.0
        elif w in UNITS:
            if last in UNITS or (last in TENS and UNITS[w] >= 10) or (last in TENS and current % 10):
                break
            current += UNITS[w]
        elif w in TENS:
            if last in UNITS or last in TENS:
                break
            current += TENS[w]
        elif w == "hundred":
            current = max(current, 1.0) * 100
        elif w in SCALES:
            total += max(current, 1.0) * SCALES[w]
            current = 0.0
        else:
            break
        last = w
        j += 1
    return j, total + current


def _spoken_year_at(words: list[str], i: int) -> tuple[int, int] | None:
    """(token count, year) for 'nineteen fifty two', 'twenty twenty', 'nineteen oh five' at words[i]."""
    for length in (3, 2):
        year = _spoken_year(words[i : i + length]) if i + length <= len(words) else None
        if year is not None:
            return length, year
    return None


def _spoken_year(words: list[str]) -> int | None:
    """'nineteen fifty two' -> 1952, 'twenty twenty' -> 2020, 'nineteen oh five' -> 1905."""
    if len(words) < 2 or words[0] not in ("fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"):
        return None
    century = UNITS.get(words[0], 20)
    rest = words[1:]
    if rest == ["hundred"]:
        return century * 100
    if rest[0] == "oh" and len(rest) == 2 and rest[1] in UNITS and UNITS[rest[1]] < 10:
        return century * 100 + UNITS[rest[1]]
    if rest[0] in TENS and (len(rest) == 1 or (len(rest) == 2 and rest[1] in UNITS and UNITS[rest[1]] < 10)):
        return century * 100 + TENS[rest[0]] + (UNITS[rest[1]] if len(rest) == 2 else 0)
    if len(rest) == 1 and rest[0] in UNITS and UNITS[rest[0]] >= 10:
        return century * 100 + UNITS[rest[0]]
    return None


def _from_to_changes(text: str, found: list[Quantity]) -> list[Quantity]:
    """'from 12,000 to 24,000' is also a +100 % change."""
    out: list[Quantity] = []
    counts = sorted((q for q in found if q.kind in ("count", "money", "percent")), key=lambda q: q.start)
    for a, b in itertools.pairwise(counts):
        between = text[a.start : b.start]
        starts_with_from = re.search(r"\bfrom\s*\$?$", text[max(0, a.start - 6) : a.start])
        if a.kind == b.kind and a.value and starts_with_from and " to " in between:
            out.append(Quantity("change", round((b.value - a.value) / a.value * 100, 1), "", "", a.start, between))
    return out


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)
