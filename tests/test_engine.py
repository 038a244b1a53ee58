"""The engine's actions, guards, positions, blank-line tidying and bounded look-ahead."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaner import Cleaner, CleanerConfig

from .conftest import SHARED

DROP_LINE = """
[[rule]]
id = "t.share"
why = "share labels"
action = "drop-line"
phrases = ["Share this:", "Teilen mit:"]
max-chars = 40
match = ["Share this:"]
keep.en = ["Please share this: it helps us."]
keep.de = ["Teilen Sie mit: uns."]
"""

TAIL = """
[[rule]]
id = "t.form"
why = "comment form"
action = "drop-tail"
phrases = ["Leave a Reply", "Schreibe einen Kommentar"]
block-max-lines = 6
block-max-chars = 300
match = ["Leave a Reply"]
keep.en = ["We asked readers to leave a reply."]
keep.de = ["Schreibe einen Kommentar, sagte er."]
"""


def test_drop_line_whole_line_only(make_cleaner: Callable[..., Cleaner]) -> None:
    cleaner = make_cleaner(DROP_LINE)
    text = (
        "Erster Absatz.\nShare this:\nSHARE THIS\n— Teilen mit: —\nPlease share this: it helps.\n"
    )
    result = cleaner.clean(text)
    assert result.text == "Erster Absatz.\nPlease share this: it helps.\n"
    assert [c.rule_id for c in result.changes] == ["t.share"] * 3
    assert [c.line for c in result.changes] == [2, 3, 4]


def test_max_chars_guard_keeps_long_line(make_cleaner: Callable[..., Cleaner]) -> None:
    cleaner = make_cleaner(
        DROP_LINE.replace('phrases = ["Share this:", "Teilen mit:"]', "pattern = '^share this'")
    )
    long_line = "Share this " + "word " * 20
    assert cleaner.clean(long_line + "\nShare this\n").text == long_line + "\n"


def test_blank_lines_around_dropped_line_collapse(make_cleaner: Callable[..., Cleaner]) -> None:
    cleaner = make_cleaner(DROP_LINE)
    assert cleaner.clean("A.\n\nShare this:\n\nB.\n").text == "A.\n\nB.\n"
    assert cleaner.clean("A.\nShare this:\n\nB.\n").text == "A.\n\nB.\n"
    assert cleaner.clean("Share this:\n\n\nB.\n").text == "B.\n"
    # blank lines nobody touched stay as they came, leading and trailing ones included
    assert cleaner.clean("\n\nA.\n\n\nB.\n\n").text == "\n\nA.\n\n\nB.\n\n"


def test_every_removed_character_is_recorded(make_cleaner: Callable[..., Cleaner]) -> None:
    cleaner = make_cleaner(DROP_LINE)
    text = "A.\n\nShare this:\n\nB.\n"
    result = cleaner.clean(text)
    removed = sum(len(c.text) - len(c.replacement) for c in result.changes)
    assert len(text) - len(result.text) == removed


def test_tail_dropped_to_end(make_cleaner: Callable[..., Cleaner]) -> None:
    cleaner = make_cleaner(TAIL)
    text = "Artikel.\n\nLeave a Reply\n\nYour email address will not be published.\nName *"
    result = cleaner.clean(text)
    assert result.text == "Artikel.\n"
    assert {c.rule_id for c in result.changes} == {"t.form"}


def test_tail_longer_than_its_block_limit_is_left_alone(
    make_cleaner: Callable[..., Cleaner],
) -> None:
    cleaner = make_cleaner(TAIL)
    text = "Artikel.\nLeave a Reply\n" + "".join(f"Kommentar {i}.\n" for i in range(10))
    assert cleaner.clean(text).text == text


def test_tail_trigger_must_be_short(make_cleaner: Callable[..., Cleaner]) -> None:
    cleaner = make_cleaner(TAIL)
    text = "Artikel.\nLeave a Reply, they said, and so we did.\n"
    assert cleaner.clean(text).text == text


def test_last_lines_rule_only_fires_near_the_end(make_cleaner: Callable[..., Cleaner]) -> None:
    cleaner = make_cleaner("""
        [[rule]]
        id = "t.prompt"
        why = "prompt"
        action = "drop-line"
        phrases = ["What do you think?"]
        where = "last-lines"
        lines = 2
        match = ["What do you think?"]
        keep.en = ["x"]
        keep.de = ["y"]
    """)
    text = "What do you think?\nA.\nB.\nC.\nWhat do you think?\nD.\n"
    assert cleaner.clean(text).text == "What do you think?\nA.\nB.\nC.\nD.\n"


def test_first_lines_rule(make_cleaner: Callable[..., Cleaner]) -> None:
    cleaner = make_cleaner("""
        [[rule]]
        id = "t.skip"
        why = "skip link"
        action = "drop-line"
        phrases = ["Skip to content"]
        where = "first-lines"
        lines = 2
        match = ["Skip to content"]
        keep.en = ["x"]
        keep.de = ["y"]
    """)
    assert cleaner.clean("Skip to content\nA.\nSkip to content\n").text == "A.\nSkip to content\n"


def test_start_anchor_needs_word_boundary(make_cleaner: Callable[..., Cleaner]) -> None:
    cleaner = make_cleaner("""
        [[rule]]
        id = "t.baca"
        why = "related"
        action = "drop-line"
        phrases = ["Baca juga", "Related:"]
        anchor = "start"
        max-chars = 120
        match = ["Baca juga: Judul"]
        keep.en = ["x"]
        keep.id = ["y"]
    """)
    text = (
        "Baca juga: Lima cara\nBaca jugalah buku ini.\n» Related: Foo bar\nRelatedness matters.\n"
    )
    assert cleaner.clean(text).text == "Baca jugalah buku ini.\nRelatedness matters.\n"


def test_drop_span_and_empty_line(make_cleaner: Callable[..., Cleaner]) -> None:
    cleaner = make_cleaner("""
        [[rule]]
        id = "t.ad"
        why = "ads"
        action = "drop-span"
        pattern = '\\[ad_\\d+\\]'
        match = ["[ad_1]"]
        keep = ["x"]
    """)
    result = cleaner.clean("[ad_1]\n\nText [ad_2] mehr.\n")
    assert result.text == "Text  mehr.\n"
    assert [(c.line, c.start, c.end, c.text) for c in result.changes] == [
        (1, 0, 6, "[ad_1]"), (1, 0, 0, "\n"), (2, 0, 0, "\n"), (3, 5, 11, "[ad_2]"),
    ]  # fmt: skip


def test_replace_with_template(make_cleaner: Callable[..., Cleaner]) -> None:
    cleaner = make_cleaner("""
        [[rule]]
        id = "t.glue"
        why = "glue"
        action = "replace"
        pattern = '&\\s+(rdquo|#8211);'
        replacement = '&\\1;'
        match = ["a & rdquo; b"]
        keep = ["Tom & Jerry;"]
    """)
    assert cleaner.clean("a & rdquo; b & #8211; c & Jerry;\n").text == "a ” b – c & Jerry;\n"


def test_repeated_line_keeps_first_copy(default_cleaner: Cleaner) -> None:
    title = "Wie man die Skeptiker dazu bringt, mitzumachen"
    text = f"{title}\n\n{title}\nText.\n—\n—\n"
    assert default_cleaner.clean(text).text == f"{title}\n\nText.\n—\n—\n"


def test_teaser_paragraph_kept_once(default_cleaner: Cleaner) -> None:
    parts = [
        "F: Was ist das Positive an Social?",
        "A: Der größte Vorteil ist die Reichweite.",
        "Hier ist eine Geschichte, die das zeigt und gleichzeitig warnt.",
    ]
    text = " ".join(parts) + "\n\n" + "\n\n".join(parts) + "\n"
    assert default_cleaner.clean(text).text == "\n\n".join(parts) + "\n"


def test_streaming_matches_whole_text(default_cleaner: Cleaner) -> None:
    text = "[ad_1]\r\n\r\nAbsatz eins.\r\nAbsatz zwei & rdquo;\r\n\r\nLeave a Reply\r\n"
    whole = default_cleaner.clean(text).text
    streamed = "".join(default_cleaner.clean_stream(io.BytesIO(text.encode())))
    assert streamed == whole == "Absatz eins.\r\nAbsatz zwei ”\r\n"


def test_lookahead_window_is_bounded(default_cleaner: Cleaner) -> None:
    """Output starts flowing before the input ends: the engine holds only its window."""
    produced = 0

    def lines():  # type: ignore[no-untyped-def]
        for i in range(10_000):
            yield f"Zeile {i} mit etwas Inhalt, die nicht wiederholt wird.\n"

    out = default_cleaner.clean_lines(lines())
    for _ in out:
        produced += 1
        if produced == 100:
            break
    assert produced == 100
    window = default_cleaner.compiled.lookahead_lines
    assert 0 < window < 1000


VALVE_TEXT = "Kurzer Artikel.\n\nLeave a Reply\n\nYour email address will not be published.\n"


def test_safety_valve_keeps_document_unchanged() -> None:
    from cleaner import CleanerConfig

    cleaner = Cleaner(CleanerConfig(max_removed_share=0.5))
    result = cleaner.clean(VALVE_TEXT)
    assert result.text == VALVE_TEXT
    assert result.valve == "kept"
    assert result.removed_share > 0.5
    assert [c.rule_id for c in result.changes] == ["valve.max-removed-share"]
    streamed = "".join(cleaner.clean_stream(io.BytesIO(VALVE_TEXT.encode())))
    assert streamed == VALVE_TEXT


def test_safety_valve_flag_cleans_and_flags() -> None:
    from cleaner import CleanerConfig

    cleaner = Cleaner(CleanerConfig(max_removed_share=0.5, on_excess="flag"))
    result = cleaner.clean(VALVE_TEXT)
    assert result.text == "Kurzer Artikel.\n"
    assert result.valve == "flagged"
    below = Cleaner(CleanerConfig(max_removed_share=0.9)).clean(VALVE_TEXT)
    assert below.text == "Kurzer Artikel.\n"
    assert below.valve is None


def test_repairs_run_again_on_what_entity_decoding_made(default_cleaner: Cleaner) -> None:
    """Entities that spell mojibake or debris are repaired in the same run, not the next one."""
    result = default_cleaner.clean(
        "Gr&Atilde;&frac14;&Atilde;&Yuml;e &#91;ad_1&#93;aus K&ouml;ln.\n"
    )
    assert result.text == "Grüße aus Köln.\n"
    assert default_cleaner.clean(result.text).text == result.text
    assert [c.rule_id for c in result.changes] == [
        "repair.entity", "repair.mojibake", "wp.ad-shortcode",
    ]  # fmt: skip


SITE_RULES = """
[[rule]]
id = "t.site-footer"
why = "example.org's footer"
action = "drop-line"
phrases = ["Example News is read by thousands"]
sites = ["example.org"]
match = ["Example News is read by thousands"]
keep = ["Example News is read by thousands, the editor said in March."]

[[rule]]
id = "t.other-footer"
why = "other.net's footer"
action = "drop-line"
phrases = ["Other Net daily"]
sites = ["other.net", "third.com"]
match = ["Other Net daily"]
keep = ["Other Net daily is a newsletter, she wrote."]
"""


def test_site_rules_apply_to_their_sites_and_subdomains_only(
    make_cleaner: Callable[..., Cleaner],
) -> None:
    cleaner = make_cleaner(SITE_RULES)
    text = "A sentence of the article.\nExample News is read by thousands\nOther Net daily\n"
    assert cleaner.clean(text).text == text
    assert cleaner.clean(text, site="unrelated.org").text == text
    assert cleaner.clean(text, site="notexample.org").text == text
    kept_other = "A sentence of the article.\nOther Net daily\n"
    assert cleaner.clean(text, site="example.org").text == kept_other
    assert cleaner.clean(text, site="blog.example.org").text == kept_other
    assert cleaner.clean(text, site="third.com").text == (
        "A sentence of the article.\nExample News is read by thousands\n"
    )
    streamed = "".join(cleaner.clean_stream(io.BytesIO(text.encode()), site="example.org"))
    assert streamed == kept_other
    assert [r.id for r in cleaner.rules] == ["t.site-footer", "t.other-footer"]


def test_site_rule_sets_are_cached_within_a_bound(
    make_cleaner: Callable[..., Cleaner], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cleaner.engine

    monkeypatch.setattr(cleaner.engine, "SITE_CACHE", 1)
    built = make_cleaner(SITE_RULES)
    first = built.compiled_for("example.org")
    assert built.compiled_for("www2.example.org") is first  # same scope, one entry
    assert built.compiled_for("unrelated.org") is built.compiled
    other = built.compiled_for("other.net")
    assert built.compiled_for("third.com") is other
    assert len(built._scoped) == 1
    text = "Text.\nExample News is read by thousands\n"
    assert built.clean(text, site="example.org").text == "Text.\n"  # recompiled, same answer


def test_pack_sites_scope_every_rule_a_rule_may_name_its_own(tmp_path: Path) -> None:
    from cleaner import load_rules

    path = tmp_path / "site.toml"
    path.write_text(
        '[pack]\nname = "site"\nsites = ["a.org"]\n'
        + SITE_RULES.replace('sites = ["example.org"]\n', ""),
        encoding="utf-8",
    )
    rules = load_rules([path], defaults=False).rules
    assert [rule.sites for rule in rules] == [("a.org",), ("other.net", "third.com")]
    cleaner = Cleaner(rules=rules)
    line = "Example News is read by thousands\n"
    assert cleaner.clean(line, site="a.org").text == ""
    assert cleaner.clean(line, site="example.org").text == line


def test_site_rules_of_every_kind_and_many_sites_interleaved(
    make_cleaner: Callable[..., Cleaner], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cleaner.engine

    monkeypatch.setattr(cleaner.engine, "SITE_CACHE", 2)
    built = make_cleaner(
        SITE_RULES
        + TAIL.replace('keep.de = ["Schreibe einen Kommentar, sagte er."]', 'sites = ["c.org"]')
    )
    text = "Ein Satz.\nOther Net daily\nLeave a Reply\nName\n"
    for _ in range(3):  # more scopes than the cache holds, in turn
        for site, want, ids in (
            ("other.net", "Ein Satz.\nLeave a Reply\nName\n", ["t.other-footer"]),
            ("c.org", "Ein Satz.\nOther Net daily\n", ["t.form", "t.form"]),
            ("example.org", text, []),
            ("third.com", "Ein Satz.\nLeave a Reply\nName\n", ["t.other-footer"]),
        ):
            result = built.clean(text, site=site)
            assert result.text == want, site
            assert [change.rule_id for change in result.changes] == ids
    assert len(built._scoped) <= 2


NOISY = SHARED / "bench" / "sh-dev" / "noisy"
LAYOUT_ON = Cleaner(CleanerConfig(enable=frozenset({"layout"})))
LAYOUT_OFF = Cleaner(CleanerConfig(disable=frozenset({"layout"})))


def _noisy(kind: str) -> list[str]:
    folder = NOISY / kind
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]


@pytest.mark.skipif(not NOISY.is_dir(), reason=f"{NOISY} not found (../shared beside the checkout)")
def test_layout_turns_itself_on_for_whole_page_text_only(default_cleaner: Cleaner) -> None:
    """The layout pack's auto test: whole-page text gets it, extracted articles never do."""
    pages = _noisy("html-text")
    on = [text for text in pages if default_cleaner.clean(text).text == LAYOUT_ON.clean(text).text]
    assert len(on) >= 0.9 * len(pages)
    for text in _noisy("trafilatura-recall"):
        result = default_cleaner.clean(text)
        assert not any(c.rule_id.startswith("layout.") for c in result.changes)
        assert result.text == LAYOUT_OFF.clean(text).text


MENU = "Politik\nSport\nKultur\nWirtschaft\nWissen\nReisen\nAuto\nDigital\nStil\nPanorama\n"
BODY = (
    "Der Rat hat am Dienstag über den Haushalt für das nächste Jahr beraten.\n"
    "Er wächst um vier Prozent, vor allem für Schulen und Straßen im Norden.\n"
    "Die Opposition nannte den Plan mutlos und forderte mehr Geld für Busse.\n"
)
FOOTER = "Kontakt\nNutzungsbedingungen\nBarrierefreiheit\nWerbung\nKarriere\nArchiv\nHilfe\n"


def test_layout_auto_test_reads_the_head_the_same_way_when_streaming(
    default_cleaner: Cleaner,
) -> None:
    text = MENU + "\n" + BODY + "\n" + FOOTER
    whole = default_cleaner.clean(text)
    assert whole.text.startswith(BODY)
    assert whole.text == LAYOUT_ON.clean(text).text
    assert "layout.short-line-run" in {c.rule_id for c in whole.changes}
    streamed = "".join(default_cleaner.clean_stream(io.BytesIO(text.encode())))
    assert streamed == whole.text
    assert LAYOUT_OFF.clean(text).text.startswith(MENU)


def test_layout_stays_off_for_short_documents(default_cleaner: Cleaner) -> None:
    """Fewer than 20 non-blank lines never turn it on, whatever their shape."""
    text = MENU + "\n" + BODY
    assert default_cleaner.clean(text).text == text
    assert LAYOUT_ON.clean(text).text == BODY  # what the pack does when it is on


def test_layout_stays_off_for_an_article_opening_with_a_list(default_cleaner: Cleaner) -> None:
    """An ingredient list at the top that layout would cut (9 of the first 20 lines short) is
    kept: the auto test needs half of them short."""
    steps = "".join(
        f"Schritt {n}: Die Äpfel schälen, in feine Scheiben schneiden und auf den Teig legen.\n"
        for n in range(1, 13)
    )
    recipe = (
        "Zutaten\n500 g Äpfel\n200 g Mehl\n100 g Butter\n80 g Zucker\n2 Eier\n"
        "1 Päckchen Backpulver\n1 Prise Salz\nZimt nach Geschmack\n\n" + steps
    )
    assert default_cleaner.clean(recipe).text == recipe
    assert LAYOUT_ON.clean(recipe).text == steps  # what the pack does when it is on


@given(
    st.lists(
        st.sampled_from(["Sport", "Kultur", "", "  ", "Ein Satz mit Inhalt, der endet.", "a b c"]),
        min_size=10,
        max_size=40,
    ),
    st.sampled_from([0.0, 0.3, 0.5, 1.0]),
)
def test_the_auto_test_decides_as_a_count_of_its_first_lines(
    head: list[str], min_share: float
) -> None:
    """Deciding early (a short head, a share reached or out of reach) changes no answer."""
    from cleaner.features import Conditions
    from cleaner.model import AutoSwitch

    switch = AutoSwitch(Conditions(max_words=5, terminal=False), 20, min_share)
    first = [line.strip() for line in head if line.strip()][:20]
    counted = len(first) == 20 and sum(map(switch.when.matches, first)) >= min_share * 20
    assert switch.holds(head) == counted


def test_hash_set_grows_and_stops_at_its_limit() -> None:
    from cleaner.engine import _HashSet

    hashes = _HashSet(5000)
    keys = [hash(f"line {n}") for n in range(6000)] + [0]
    assert not any(hashes.add(key) for key in keys[:5000])
    assert all(hashes.add(key) for key in keys[:5000])  # still there after growing
    assert not hashes.add(keys[5500]) and not hashes.add(keys[5500])  # full: not added
    assert hashes.count == 5000 and len(hashes.slots) == 8192  # at most three quarters full


def test_a_pack_turned_on_by_its_auto_test_shares_the_compiled_matchers() -> None:
    """``layout`` (structural rules only) is layered on the shared set; same output as a
    set compiled whole for it, on every whole-page bench text it turns on for."""
    from cleaner.compile import CompiledRules

    noisy = SHARED / "bench" / "sh-dev" / "noisy"
    pages = sorted((noisy / "html-text").glob("*.txt"))
    if not pages:
        pytest.skip("../shared/bench is not beside the checkout")
    cleaner = Cleaner()
    checked = 0
    for page in pages:
        data = page.read_bytes()
        head = data.decode("utf-8", "replace").splitlines()[:200]
        layered = cleaner.compiled_for(None, head)
        if layered is cleaner.compiled:
            continue  # layout stays off for this page
        assert layered.matchers_shared_with(cleaner.compiled)
        whole = CompiledRules(list(layered.rules))
        outputs = []
        for compiled in (layered, whole):
            original = cleaner.compiled_for
            cleaner.compiled_for = lambda site, head, c=compiled: c  # type: ignore[method-assign]
            try:
                outputs.append("".join(cleaner.clean_stream(io.BytesIO(data))))
            finally:
                cleaner.compiled_for = original  # type: ignore[method-assign]
        assert outputs[0] == outputs[1], page.name
        checked += 1
    assert checked >= 20
