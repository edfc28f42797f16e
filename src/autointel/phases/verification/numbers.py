"""Quantities in text, whether written as digits or as words, normalised for comparison.

Speech recognisers write "forty percent", "40%" and "40 percent" interchangeably, and years as
"nineteen fifty two" or "1952", so claims and evidence are both reduced to `Quantity` values:
a kind (year, percent, points, change, money, count, ordinal), a float, an optional unit noun and a
bound. Each quantity also reads as an interval ("more than 30", "about 40", "10-20"), so a claim and
a piece of evidence agree only when the evidence lies inside what the claim allows.
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
# Checked in this order: "no more than" must be read before "more than".
BOUNDS = (
    ("max=", ("no more than", "not more than", "at most", "up to", "a maximum of", "no greater than")),
    ("min=", ("no less than", "not less than", "no fewer than", "at least", "a minimum of")),
    ("min", ("more than", "over", "above", "upwards of", "in excess of", "exceeding", "greater than",
             "higher than")),
    ("max", ("less than", "fewer than", "under", "below", "lower than", "just under")),
    ("approx", ("about", "around", "roughly", "approximately", "some", "nearly", "almost", "an estimated",
                "estimated", "close to", "approx", "circa", "c.")),
)
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
            "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
            "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
            "twentieth": 20, "twenty-first": 21, "twenty first": 21}
EXACT_TOLERANCE = 0.03  # relative: "2.3 million" and "2.28 million" are the same figure
APPROX_TOLERANCE = 0.1
UNIT_SKIP = frozenset({"of", "the", "a", "an", "new", "more", "additional", "extra", "our", "their", "its",
                       "per", "in", "and", "than", "each", "every"})

_NUMBER_WORD = "|".join([*UNITS, *TENS, *SCALES, "and", "a"])
_WORD_RUN = re.compile(rf"\b(?:{_NUMBER_WORD})(?:[\s-]+(?:{_NUMBER_WORD}))*\b")
_DIGITS = re.compile(r"(?<![\w.])(?<![a-z]-)\$?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])(?<![a-z]-)\$?\d+(?:\.\d+)?")
_PERCENT = re.compile(r"^\s*(?:%|percent\b|per cent\b)")
_POINTS = re.compile(r"^\s*(?:percentage points?|points? percentage|pp)\b")
_ORDINAL_SUFFIX = re.compile(r"^(?:st|nd|rd|th)\b")
_DECADE_SUFFIX = re.compile(r"^'?s\b")
_LETTER_AFTER = re.compile(r"^[a-z]")
_ORDINAL_WORDS = re.compile(r"\b(?:" + "|".join(sorted((w.replace(" ", r"[\s-]") for w in ORDINALS),
                                                    key=len, reverse=True)) + r")\b")
_RANGE_JOIN = re.compile(r"^\s*(?:-|\u2013|to|and)\s*\$?$")
_SCALE_AFTER = re.compile(r"^\s*(hundred|thousand|million|billion|trillion|k\b|m\b|bn\b)")
_FROM_TO = re.compile(r"\bfrom\s+(\S+(?:\s+\S+)?)\s+to\s+")
_WORDS_AFTER = re.compile(r"[a-z]+")
_SMALL = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|\d{1,3})"
_RATIO = re.compile(rf"\b({_SMALL}) (?:in|out of) (?:every )?({_SMALL}|a hundred|one hundred)\b")
# A year after these words frames a period ("doubled since 2015") rather than dating the event itself.
_ANCHOR_BEFORE = re.compile(r"\b(?:since|between|from|until|till|through|by|and|to)\s*$")
_YEAR_LIMIT = re.compile(r"\b(before|prior to|earlier than|after|later than)\s+(?:(?:\d{1,2}\s+)?[a-z]+\s+"
                         r"(?:\d{1,2}\s*,?\s*)?)?$")
_YEAR_BEFORE = re.compile(r"\b(?:in|since|by|until|till|from|before|after|of|during|year|between|and|to)\s*$")


@dataclass(frozen=True)
class Quantity:
    kind: str  # year | percent | change | money | count
    value: float
    unit: str  # stems of the words after a count ("daily rider"), "money", or "" when unknown
    # "" exact, "min"/"max" strict, "min="/"max=" inclusive, "approx", "range"; years "", "anchor", "decade"
    bound: str
    start: int
    text: str
    high: float | None = None  # upper end of a range ("10-20", "between 10 and 20")

    def interval(self) -> tuple[float, float]:
        """The values this quantity admits, for interval comparison."""
        v = abs(self.value) if self.kind == "change" else self.value
        if self.bound == "range" and self.high is not None:
            return (min(v, self.high), max(v, self.high))
        if self.bound in ("min", "min="):
            return (v, float("inf"))
        if self.bound in ("max", "max="):
            return (float("-inf"), v)
        if self.kind == "year":
            return (v, v + 9) if self.bound == "decade" else (v, v)
        if self.kind in ("percent", "points"):  # shares round to whole points: 97 % is not 100 %
            slack = 2.5 if self.bound == "approx" else 0.5
            return (v - slack, v + slack)
        tolerance = APPROX_TOLERANCE if self.bound == "approx" else EXACT_TOLERANCE
        slack = max(tolerance * abs(v), 0.5 if abs(v) < 10 and v != int(v) else 0.0)
        return (v - slack, v + slack)


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
        glued = _glued(lowered, m.start(), m.end(), value, raw)
        if glued is not None or _LETTER_AFTER.match(lowered[m.end():]):
            taken.append((m.start(), m.end()))
            if glued is not None:
                found.append(glued)
            continue
        quantity, end = _classify(lowered, m.start(), m.end(), value, raw, is_digits=True, money=raw.startswith("$"))
        found.append(quantity)
        taken.append((m.start(), end))
    for m in _ORDINAL_WORDS.finditer(lowered):
        taken.append((m.start(), m.end()))
        value = float(ORDINALS[re.sub(r"[\s-]+", " ", m.group()).replace("twenty first", "twenty-first")])
        found.append(Quantity("ordinal", value, _unit_after(lowered, m.end()), "", m.start(), m.group()))
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
    return tuple(sorted(_merge_ranges(lowered, found), key=lambda q: (q.start, q.kind)))


def _small(word: str) -> float:
    if word.isdigit():
        return float(word)
    return float(100 if word.endswith("hundred") else UNITS.get(word, 0))


def units_compatible(a: Quantity, b: Quantity) -> bool:
    """Same kind (percent and change compare with each other) and, for counts, a shared unit word."""
    kinds = {a.kind, b.kind}
    if kinds == {"percent", "change"} or kinds == {"points", "change"}:
        return True
    if a.kind != b.kind:
        return False
    if a.kind == "ordinal":
        return not a.unit or not b.unit or bool(set(a.unit.split()) & set(b.unit.split()))
    if a.kind != "count":
        return True
    low, high = sorted((abs(a.value), abs(b.value)))
    ratio = high / max(low, 1e-9)
    if not a.unit or not b.unit:  # one side's unit unknown: comparable only at a similar magnitude
        return ratio <= 10
    return ratio <= 100 and bool(set(a.unit.split()) & set(b.unit.split()))


def values_agree(claim: Quantity, evidence: Quantity) -> bool:
    """True when everything the evidence admits lies inside what the claim admits."""
    return relation(claim, evidence) == "agree"


def relation(claim: Quantity, evidence: Quantity) -> str:
    """"agree" (evidence inside the claim's interval), "conflict" (disjoint) or "overlap" (undecided).

    An exact figure in the evidence is a point; "more than 30" in a claim excludes 30 itself, while
    "about 30" and rounding widen an exact claim. "fell by 25 percent" compares with a -25 % change.
    """
    c_low, c_high = claim.interval()
    if evidence.bound in ("", "anchor"):
        e = abs(evidence.value) if evidence.kind == "change" or claim.kind == "change" else evidence.value
        if claim.bound == "min" and e <= c_low:
            return "conflict"
        if claim.bound == "max" and e >= c_high:
            return "conflict"
        return "agree" if c_low <= e <= c_high else "conflict"
    e_low, e_high = evidence.interval()
    if evidence.kind == "change" or claim.kind == "change":
        e_low, e_high = sorted((abs(e_low), abs(e_high)))
    if c_low <= e_low and e_high <= c_high:
        return "agree"
    if e_high < c_low or c_high < e_low or (claim.bound == "min" and e_high <= c_low) or (
        claim.bound == "max" and e_low >= c_high
    ):
        return "conflict"
    return "overlap"


def with_digits(text: str) -> str:
    """`text` with spelled-out numbers written in digits ("nineteen sixty eight" -> "1968"), as written evidence
    has them: speech is transcribed in words, and the NLI model reads surface forms, not values."""
    if len(text.lower()) != len(text):
        return text
    pieces, last = [], 0
    for q in quantities(text):
        end = q.start + len(q.text)
        spelled = q.kind in ("year", "count", "money", "percent") and q.bound != "range"
        if not spelled or any(c.isdigit() for c in q.text) or text[q.start:end].lower() != q.text or q.start < last:
            continue
        pieces += [text[last:q.start], _digits(q)]
        last = end
    return "".join([*pieces, text[last:]])


def _digits(q: Quantity) -> str:
    if q.kind == "year":
        return str(int(q.value))
    for name, size in (("billion", 1e9), ("million", 1e6)):
        if abs(q.value) >= size:
            return f"{q.value / size:g} {name}"
    return f"{q.value:g}"


def describe(q: Quantity) -> str:
    """Human-readable value for rationales: 1968, 40%, +100%, 40 million."""
    if q.kind == "year":
        return str(int(q.value))
    prefix = {"min": "more than ", "min=": "at least ", "max": "less than ", "max=": "at most ",
              "approx": "about "}.get(q.bound, "")
    if q.bound == "range" and q.high is not None:
        return f"{_plain(q, q.value)}-{_plain(q, q.high)}"
    return prefix + _plain(q, q.value)


def _plain(q: Quantity, value: float) -> str:
    q = Quantity(q.kind, value, q.unit, "", q.start, q.text)
    if q.kind == "ordinal":
        return f"{int(q.value)}{_suffix(int(q.value))}" + (f" {q.unit}" if q.unit else "")
    if q.kind == "points":
        return f"{q.value:g} points"
    if q.kind == "percent":
        return f"{q.value:g}%"
    if q.kind == "change":
        return f"{q.value:+g}%"
    for name, size in (("billion", 1e9), ("million", 1e6)):
        if abs(q.value) >= size:
            return f"{q.value / size:g} {name}" + (" dollars" if q.kind == "money" else "")
    return f"{q.value:,.10g}" + (" dollars" if q.kind == "money" else "")


def _suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _glued(text: str, start: int, end: int, value: float, raw: str) -> Quantity | None:
    """'20th century' is an ordinal, '1990s' a decade; other digits glued to letters are not quantities."""
    after = text[end:]
    if _ORDINAL_SUFFIX.match(after) and value == int(value):
        suffix_end = end + 2
        return Quantity("ordinal", value, _unit_after(text, suffix_end), "", start, raw)
    decade = _DECADE_SUFFIX.match(after)
    if decade and len(raw) == 4 and value % 10 == 0 and 1500 <= value <= 2100:
        return Quantity("year", value, "", "decade", start, raw)
    return None


def _unit_after(text: str, end: int) -> str:
    """Stems of the (up to two) content words after an ordinal: '20th-century' -> 'century'."""
    following = _WORDS_AFTER.findall(re.split(r"[,.;:!?]", text[end : end + 40])[0])
    skip = UNIT_SKIP | {"most", "largest", "biggest", "best", "highest", "lowest", "studio", "straight"}
    return " ".join(_unit_stem(w) for w in [w for w in following[:3] if w not in skip][:1])


def _merge_ranges(text: str, found: list[Quantity]) -> list[Quantity]:
    """'10-20 percent', 'between 5 and 8 million': two values of one kind joined read as one range."""
    ordered = sorted(found, key=lambda q: q.start)
    out: list[Quantity] = []
    skip: set[int] = set()
    for i, (a, b) in enumerate(itertools.pairwise(ordered)):
        kind = b.kind if a.kind == "count" and b.kind in ("percent", "money", "points") else a.kind
        if i in skip or kind != b.kind or kind in ("year", "change", "ordinal") or a.bound or b.bound:
            continue
        joined = text[a.start + len(a.text) : b.start]
        if not _RANGE_JOIN.match(joined.replace("%", "").replace("percent", "")):
            continue
        if "and" in joined and not re.search(r"\bbetween\s*\$?$", text[max(0, a.start - 9) : a.start]):
            continue
        low = a.value * (b.value / a.value if 0 < a.value < b.value / 100 else 1)  # "5 and 8 million"
        out.append(Quantity(kind, low, b.unit or a.unit, "range", a.start, text[a.start : b.start + len(b.text)],
                            b.value))
        skip.update({i, i + 1})
    merged = {id(q) for k, q in enumerate(ordered) if k in skip}
    return [q for q in ordered if id(q) not in merged] + out


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
    money = money or bool(re.search(r"[$\u00a3\u20ac]\s*$", before))
    if _POINTS.match(after):
        return Quantity("points", value, "", bound, start, raw), end
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
    if plain and 1500 <= value <= 2100 and _YEAR_LIMIT.search(text[max(0, start - 20) : start]):
        return Quantity("year", value, "", _year_role(text, start), start, raw), end
    unit = " ".join(_unit_stem(w) for w in [w for w in following[:3] if w not in UNIT_SKIP][:2])
    return Quantity("count", value, unit, bound, start, raw), end


def _plural_noun(following: list[str]) -> bool:
    """'2000 buses' counts buses; '2015 was' or 'in 2015 prices' is a year (the caller checks 'in')."""
    return bool(following) and len(following[0]) > 3 and following[0].endswith("s") and following[0] != "was"


def _year_role(text: str, start: int) -> str:
    """"anchor" for a year that frames a period ("since 2015"), "max"/"min" for "before"/"after 2015",
    "" for the date of the event itself."""
    limit = _YEAR_LIMIT.search(text[max(0, start - 20) : start])
    if limit:
        return "max" if limit.group(1) in ("before", "prior to", "earlier than") else "min"
    return "anchor" if _ANCHOR_BEFORE.search(text[max(0, start - 12) : start]) else ""


def _bound(before: str) -> str:
    before = " " + before.strip().rstrip("$").strip()
    for bound, phrases in BOUNDS:
        if any(before.endswith(" " + p) for p in phrases):
            return bound
    return ""


def _unit_stem(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("es") and word[:-2].endswith(("ss", "x", "ch", "sh")):
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
