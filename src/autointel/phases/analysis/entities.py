"""Named-entity spotting without a tagger: runs of capitalised words, for the knowledge graph.

A capitalised word at the start of a sentence is usually just capitalised grammar, so such a
name is kept only when it also appears elsewhere (repeated, or inside a longer name). Connectors like "of" and "the" may
join capitalised words ("Bank of England"). Output order is order of first appearance.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from autointel.phases.text import Sentence

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'&.\-]*[A-Za-z.]|[A-Za-z]|\S")
CONNECTORS = frozenset({"of", "the", "for", "and", "de", "la", "von", "van", "du", "&"})
NOT_NAMES = frozenset(
    {"I", "I'm", "I've", "I'll", "I'd", "A", "An", "The", "This", "That", "These", "Those", "It", "We", "You",
     "He", "She", "They", "Our", "My", "Your", "His", "Her", "Their", "If", "But", "And", "Or", "So", "Yes",
     "No", "Not", "Now", "Then", "When", "What", "Why", "How", "Who", "Where", "Which", "There", "Here",
     "Well", "Okay", "OK", "Oh", "Let's", "Thank", "Thanks", "Today", "Tonight", "Tomorrow", "Yesterday",
     "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
     "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
     "Mr", "Mrs", "Ms", "Dr", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof", "Prof.", "In", "On", "At", "For", "As",
     "After", "Before", "Since", "Because", "Some", "Many", "Most", "All", "Every", "Everyone", "Nobody",
     "Either", "Of", "To", "By", "With", "From", "Also", "Just", "One", "Two", "Last", "Next", "First"}
)
TITLES = frozenset({"Mr", "Mrs", "Ms", "Dr", "Prof", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Professor",
                    "Senator", "Mayor", "President", "Governor", "Judge", "Councillor", "Councilor"})


def extract_entities(sentences: Sequence[Sentence]) -> tuple[str, ...]:
    """Capitalised names in order of first appearance, de-duplicated case-insensitively."""
    found: list[tuple[str, bool]] = []  # (name, at sentence start)
    for sentence in sentences:
        found.extend(_names(sentence.text))
    counts = Counter(name.lower() for name, _ in found)
    inside = {name.lower() for name, initial in found if not initial}
    inside |= {word.lower() for name, initial in found if not initial for word in name.split()}
    out: dict[str, str] = {}
    for name, initial in found:
        key = name.lower()
        if key in out:
            continue
        if initial and key not in inside and counts[key] < 2:
            continue
        out[key] = name
    return tuple(out.values())


def candidate_names(text: str) -> tuple[str, ...]:
    """Every capitalised name in one sentence, wherever it stands (claims use this as a weak signal)."""
    return tuple(name for name, initial in _names(text) if not initial or " " in name)


def _names(text: str) -> list[tuple[str, bool]]:
    """Runs of capitalised tokens (joined by connectors), each flagged when it opens the sentence."""
    tokens = _TOKEN.findall(text)
    names: list[tuple[str, bool]] = []
    run: list[str] = []
    run_start = 0
    for index, token in enumerate([*tokens, "."]):
        word = token
        if token.endswith(".") and token.count(".") == 1 and token not in TITLES:
            word = token[:-1]  # sentence-final period
        elif token.endswith(("'s", "\u2019s")):
            word = token[:-2]  # possessive
        if _capitalised(word) and (run or word not in NOT_NAMES or word in TITLES):
            if not run:
                run_start = index
            run.append(word)
            if word != token:  # a trailing period ends the name
                names.extend(_flush(run, run_start))
                run = []
            continue
        if run and word in CONNECTORS and index + 1 < len(tokens) and _capitalised(tokens[index + 1]):
            run.append(word)
            continue
        names.extend(_flush(run, run_start))
        run = []
    return names


def _flush(run: list[str], start: int) -> list[tuple[str, bool]]:
    while run and (run[-1] in CONNECTORS or run[-1] in TITLES):
        run = run[:-1]
    while run and run[0] in TITLES and len(run) == 1:
        run = run[1:]
    if not run:
        return []
    return [(" ".join(run), start == 0)]


def _capitalised(token: str) -> bool:
    return bool(token) and token[0].isupper() and any(c.isalpha() for c in token)
