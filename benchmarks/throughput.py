#!/usr/bin/env python3
"""Throughput and memory benchmark: ``cleaner`` against a bare line loop and its peers.

Generates a seeded multilingual web-text corpus (cached in ``benchmarks/.cache``), runs every
configuration of the performance issue in fresh subprocesses in one run, and prints a Markdown
table with each ratio next to its target. Absolute MB/s drift 30-40 % between runs on a shared
machine; the ratios, measured minutes apart in the same run, are the figures to quote.

Usage (from the repository root)::

    python benchmarks/throughput.py                 # 200 MB corpus, 1 GB memory rows, peers
    python benchmarks/throughput.py --quick         # 20 MB, no 1 GB rows: a smoke run
    python benchmarks/throughput.py --size 50 --big-size 0 --no-peer

The corpus (``--size`` MB of text, the same documents as JSONL):

* prose in 7 scripts from seeded word lists: English (55 % of documents, a third of its
  paragraphs with curly quotes), French, German, Spanish, Portuguese (accents), Russian
  (Cyrillic), Greek, Arabic, Hindi (Devanagari), Chinese (Han), Korean (Hangul);
* debris lines taken from the shipped packs' own ``match`` examples (line rules, and tail
  triggers closing a third of the documents): navigation at the top, widgets between
  paragraphs, share and comment lines at the end, about a quarter of all lines;
* about 4 % of documents turned whole into mojibake (UTF-8 read as Windows-1252) and 5 % of
  paragraphs carrying HTML entities (``&rsquo;``, ``&amp;``, ``&nbsp;``, ``&#8230;``);
* the *clean* corpus is the same generator without mojibake and entities (debris included).

Peers: datatrove's ``FTFYFormatter`` + ``C4QualityFilter`` pipeline (JsonlReader to
JsonlWriter, one task) runs in its own virtual environment, never in the project's: pass
``--peer-python PATH``, or the script creates ``benchmarks/.cache/peer-venv`` with pip
(``datatrove ftfy orjson regex spacy``: C4QualityFilter counts words with spacy); if that
fails, the row says "not run" and why. ftfy's own command line runs on the text corpus with
its defaults.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = REPO_ROOT / "benchmarks" / ".cache"
GENERATOR_VERSION = 1  # bump when the corpus changes, so cached files are rebuilt
MB = 1_000_000
MIB = 1 << 20
PEER_PACKAGES = ("datatrove", "ftfy", "orjson", "regex", "spacy")  # C4 filter: spacy words

# -- the corpus -------------------------------------------------------------------------------

WORDS = {
    "en": "the of and to in is that for it with as was on be by this are from at have not "
    "people city report market water school council research government children policy "
    "river morning history evening project village garden students doctors families weather "
    "station museum festival harvest library bridge election economy coast mountains island "
    "said found would could should after before while during across between against "
    "important different local national small large recent early several public new old",
    "de": "der die das und ist nicht mit für auf dem den von sich eine einer wurde werden "
    "Stadt Straße Brücke Schüler Bürgermeister Gemeinde Wasser Regierung Kinder Familie "
    "Forschung Zeitung Bahnhof Garten Wetter Sommer Woche Jahr Größe Ärzte Märkte Höhe "
    "über während außerdem schön groß früh später heute gestern wichtig öffentlich",
    "fr": "le la les et est dans pour que une des sur avec par pas plus été sont ville "
    "rivière école élèves région gouvernement enfants famille recherche marché église "
    "hôpital château forêt été hiver année semaine économie côte île où très déjà après "
    "avant pendant entre français européen nouvelle première dernière",
    "es": "el la los las y es en que para con por una del está son ciudad río escuela "
    "alumnos región gobierno niños familia investigación mercado iglesia hospital "
    "montaña año semana economía costa isla también además después antes durante "
    "según pequeño grande público nuevo último señor compañía",
    "pt": "o a os as e é em que para com por uma do da está são cidade rio escola alunos "
    "região governo crianças família pesquisa mercado igreja hospital montanha ano semana "
    "economia costa ilha também além depois antes durante segundo pequeno grande público "
    "novo último coração informação",
    "ru": "и в не на что он с как это по но из у за от о так все был она было они города "
    "река школа ученики область правительство дети семья исследование рынок церковь "
    "больница гора год неделя экономика берег остров также после перед между новый "
    "старый большой маленький важный сегодня вчера",
    "el": "και το η ο να σε με για από είναι δεν που τα των πόλη ποτάμι σχολείο μαθητές "
    "περιοχή κυβέρνηση παιδιά οικογένεια έρευνα αγορά εκκλησία νοσοκομείο βουνό χρόνος "
    "εβδομάδα οικονομία ακτή νησί επίσης μετά πριν ανάμεσα νέος παλιός μεγάλος μικρός",
    "ar": "في من على إلى أن عن مع هذا التي الذي كان هذه بين المدينة النهر المدرسة الطلاب "
    "المنطقة الحكومة الأطفال العائلة البحث السوق المسجد المستشفى الجبل العام الأسبوع "
    "الاقتصاد الساحل الجزيرة أيضا بعد قبل خلال جديد قديم كبير صغير مهم اليوم أمس",
    "hi": "और का के की में है यह को से पर भी नहीं था कि एक शहर नदी स्कूल छात्र क्षेत्र "
    "सरकार बच्चे परिवार शोध बाज़ार मंदिर अस्पताल पहाड़ साल सप्ताह अर्थव्यवस्था तट द्वीप "
    "बाद पहले दौरान नया पुराना बड़ा छोटा महत्वपूर्ण आज कल",
    "zh": "我们 他们 城市 河流 学校 学生 地区 政府 孩子 家庭 研究 市场 医院 山区 今年 "
    "本周 经济 海岸 岛屿 也是 之后 之前 期间 新的 旧的 大型 小型 重要 今天 昨天 发展 "
    "工作 问题 社会 国家 文化 历史 环境",
    "ko": "그리고 그는 그녀는 우리는 도시 강 학교 학생 지역 정부 아이들 가족 연구 시장 "
    "병원 산 올해 이번주 경제 해안 섬 또한 이후 이전 동안 새로운 오래된 큰 작은 중요한 "
    "오늘 어제 발표했다 말했다 있다 없다 했다",
}
LANG_SHARES = {
    "en": 55, "de": 7, "fr": 7, "es": 7, "pt": 6, "ru": 8, "el": 2, "ar": 4, "hi": 2,
    "zh": 1, "ko": 1,
}  # fmt: skip
ENDS = {"zh": "。", "hi": "।", "ar": ".", "ko": "."}
ENTITY_SHARE = 0.05
MOJIBAKE_SHARE = 0.04
SENTENCE_POOL = 4000
SITES = 400


def _cp1252_table() -> dict[int, str]:
    table = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            table[byte] = chr(byte)  # the five bytes cp1252 leaves undefined: latin-1
    return table


_CP1252 = _cp1252_table()


def mojibake(text: str) -> str:
    """Return ``text`` as UTF-8 bytes misread as Windows-1252: "é" -> "Ã©"."""
    return text.encode("utf-8").decode("latin-1").translate(_CP1252)


def debris_pools() -> tuple[list[str], list[str]]:
    """Return the shipped packs' match examples: line debris, and tail triggers.

    Only default rules whose match would be a whole line on its own: ``drop-line`` rules that
    fire anywhere, and the trigger lines of ``drop-tail`` rules (for the documents' ends).
    """
    from cleaner import load_rules
    from cleaner.model import Action, Where

    lines: list[str] = []
    tails: list[str] = []
    for rule in load_rules().rules:
        if not rule.default or rule.sites:
            continue
        texts = [text.strip() for _, text in rule.match if "\n" not in text.strip()]
        texts = [t for t in texts if t and len(t) <= rule.max_chars]
        if rule.action is Action.DROP_LINE and rule.where is Where.ANYWHERE:
            lines.extend(texts)
        elif rule.action is Action.DROP_TAIL and rule.where is Where.ANYWHERE:
            tails.extend(texts)
    return sorted(set(lines)), sorted(set(tails))


@dataclass
class CorpusStats:
    docs: int = 0
    lines: int = 0
    debris_lines: int = 0
    prose_lines: int = 0
    text_bytes: int = 0
    jsonl_bytes: int = 0
    mojibake_docs: int = 0


class Generator:
    """Seeded documents of prose and debris; ``mixed`` adds mojibake and entities."""

    def __init__(self, seed: int, mixed: bool) -> None:
        self.rng = random.Random(seed)
        self.mixed = mixed
        self.debris, self.tails = debris_pools()
        self.langs = list(LANG_SHARES)
        self.weights = [LANG_SHARES[lang] for lang in self.langs]
        self.pools = {lang: self._sentences(lang) for lang in self.langs}
        self.sites = [f"{self._word()}{index}.example" for index in range(SITES)]

    def _word(self) -> str:
        return "".join(
            self.rng.choice("bcdfghklmnprstvz") + self.rng.choice("aeiou") for _ in range(3)
        )

    def _sentences(self, lang: str) -> list[str]:
        words = WORDS[lang].split()
        end = ENDS.get(lang, ".")
        joiner = "" if lang == "zh" else " "
        pool = []
        for _ in range(SENTENCE_POOL):
            chosen = self.rng.choices(words, k=self.rng.randint(6, 22))
            sentence = joiner.join(chosen)
            if lang == "en" and self.rng.random() < 0.35:
                cut = self.rng.randint(1, len(chosen) - 1)
                sentence = " ".join(chosen[:cut]) + " “" + " ".join(chosen[cut:]) + "”"
            elif lang == "en" and self.rng.random() < 0.2:
                sentence = sentence.replace(" is ", " it’s ", 1)
            tail = self.rng.choices([end, "?", "!", ","], weights=[85, 6, 3, 6])[0]
            if tail == ",":
                tail = ", " + self.rng.choice(words) + end
            pool.append(sentence[:1].upper() + sentence[1:] + tail)
        return pool

    def _entity(self, paragraph: str) -> str:
        choice = self.rng.randrange(4)
        if choice == 0 and "’" in paragraph:
            return paragraph.replace("’", "&rsquo;", 1)
        if choice == 1:
            return paragraph.replace(" ", " &amp; ", 1)
        if choice == 2:
            return paragraph.replace(" ", "&nbsp;", 1)
        return paragraph + "&#8230;"

    def document(self) -> tuple[list[str], list[bool], str]:
        """Return one document's lines, which of them are debris, and its language."""
        rng = self.rng
        lang = rng.choices(self.langs, self.weights)[0]
        pool = self.pools[lang]
        lines: list[str] = []
        debris: list[bool] = []

        def add_debris(count: int, source: Sequence[str]) -> None:
            for _ in range(count):
                lines.append(rng.choice(source))
                debris.append(True)

        if rng.random() < 0.5:
            add_debris(rng.randint(1, 3), self.debris)
        for _ in range(rng.randint(5, 12)):
            paragraph = " ".join(rng.choices(pool, k=rng.randint(2, 4)))
            if self.mixed and rng.random() < ENTITY_SHARE:
                paragraph = self._entity(paragraph)
            lines.append(paragraph)
            debris.append(False)
            if rng.random() < 0.15:
                add_debris(1, self.debris)
        if rng.random() < 0.5:
            add_debris(rng.randint(1, 3), self.debris)
        if self.tails and rng.random() < 0.3:
            add_debris(1, self.tails)
            add_debris(rng.randint(0, 2), self.debris)
        return lines, debris, lang

    def write(self, text_path: Path, jsonl_path: Path, size: int) -> CorpusStats:
        """Write documents as text (a blank line after each) and JSONL until ``size`` bytes."""
        stats = CorpusStats()
        tmp_text = text_path.with_name(text_path.name + ".tmp")
        tmp_jsonl = jsonl_path.with_name(jsonl_path.name + ".tmp")
        with (
            tmp_text.open("w", encoding="utf-8", newline="\n") as text_out,
            tmp_jsonl.open("w", encoding="utf-8", newline="\n") as jsonl_out,
        ):
            while stats.text_bytes < size:
                lines, debris, _ = self.document()
                text = "\n".join(lines)
                if self.mixed and self.rng.random() < MOJIBAKE_SHARE:
                    text = mojibake(text)
                    stats.mojibake_docs += 1
                block = text + "\n\n"
                record = json.dumps(
                    {
                        "id": f"doc-{stats.docs}",
                        "url": f"https://{self.rng.choice(self.sites)}/{stats.docs}",
                        "text": text + "\n",
                    },
                    ensure_ascii=False,
                )
                text_out.write(block)
                jsonl_out.write(record + "\n")
                stats.docs += 1
                stats.lines += len(lines) + 1
                stats.debris_lines += sum(debris)
                stats.prose_lines += len(lines) - sum(debris)
                stats.text_bytes += len(block.encode("utf-8"))
                stats.jsonl_bytes += len(record.encode("utf-8")) + 1
        tmp_text.replace(text_path)
        tmp_jsonl.replace(jsonl_path)
        return stats


@dataclass
class Corpus:
    name: str
    text: Path
    jsonl: Path
    stats: CorpusStats


def corpus(cache: Path, name: str, size_mb: float, seed: int, mixed: bool) -> Corpus:
    """Return a cached corpus, generating it first if its parameters changed."""
    size = int(size_mb * MB)
    stem = f"{name}-{size_mb:g}mb-s{seed}-v{GENERATOR_VERSION}"
    text, jsonl, meta = (cache / f"{stem}.txt"), (cache / f"{stem}.jsonl"), cache / f"{stem}.json"
    if text.exists() and jsonl.exists() and meta.exists():
        return Corpus(name, text, jsonl, CorpusStats(**json.loads(meta.read_text())))
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    stats = Generator(seed, mixed).write(text, jsonl, size)
    meta.write_text(json.dumps(stats.__dict__))
    print(
        f"generated {text.name} + .jsonl ({stats.text_bytes / MB:.0f} MB, {stats.docs} documents,"
        f" {stats.debris_lines / max(stats.lines, 1):.0%} debris lines) in "
        f"{time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return Corpus(name, text, jsonl, stats)


def phrase_rules(path: Path, factor: int) -> int:
    """Write a rule file with ``factor - 1`` times the default packs' phrases; return the count.

    The synthetic phrases follow the packs' mix of anchors (whole line, line start, anywhere)
    and are multilingual widget texts ("share on …", "partager sur …", "поделиться в …")
    followed by two made-up words, so they never occur in the corpus: every line pays for
    looking them up, none is removed by them.
    """
    from cleaner import load_rules
    from cleaner.model import Anchor

    counts = dict.fromkeys(Anchor, 0)
    for rule in load_rules().rules:
        if rule.default and rule.pattern is None and rule.phrases:
            counts[rule.anchor] += len(rule.phrases)
    rng = random.Random(7)
    stems = [
        "share on",
        "partager sur",
        "teilen auf",
        "compartir en",
        "condividi su",
        "поделиться в",
        "شارك على",
        "follow us on",
        "abonnez-vous à",
        "подпишитесь на",
    ]
    seen: set[str] = set()

    def word() -> str:
        return "".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiouy") for _ in range(4))

    out = ["[pack]", 'name = "synthetic"', 'description = "Benchmark: rule-count scaling."', ""]
    total = 0
    for anchor, count in counts.items():
        wanted = count * (factor - 1)
        index = 0
        while wanted > 0:
            phrases = []
            for _ in range(min(50, wanted)):
                phrase = f"{rng.choice(stems)} {word()} {word()}"
                while phrase in seen:
                    phrase = f"{rng.choice(stems)} {word()} {word()}"
                seen.add(phrase)
                phrases.append(phrase)
            wanted -= len(phrases)
            total += len(phrases)
            example = {
                Anchor.LINE: phrases[0],
                Anchor.START: phrases[0] + ": more",
                Anchor.ANYWHERE: "Hier " + phrases[0] + " x",
            }[anchor]
            out += [
                "[[rule]]",
                f'id = "synthetic.{anchor.value}-{index}"',
                'why = "A synthetic phrase list for the rule-count benchmark."',
                'action = "drop-line"',
                f'anchor = "{anchor.value}"',
                "phrases = " + json.dumps(phrases, ensure_ascii=False),
                "match = " + json.dumps([example], ensure_ascii=False),
                'keep.en = ["An ordinary sentence of the article, which stays."]',
                'keep.de = ["Ein ganz normaler Satz mit Inhalt, der bleibt."]',
                "",
            ]
            index += 1
    path.write_text("\n".join(out), encoding="utf-8")
    return total


# -- running and timing -----------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_mib: float


def run(argv: Sequence[str], stdout: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` once in a fresh process; return its wall time and its peak RSS."""
    target = stdout if stdout is not None else Path(os.devnull)
    with target.open("wb") as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            message = err.read().decode("utf-8", "replace").strip().splitlines()[-5:]
            raise RuntimeError(f"{' '.join(map(str, argv))}: exit {proc.returncode}: {message}")
    return Run(seconds, usage.ru_maxrss / 1024)  # Linux: KiB


def best(argv: Sequence[str], repeat: int, stdout: Path | None = None) -> Run:
    """Return the fastest of ``repeat`` runs (the least disturbed by other jobs)."""
    runs = [run(argv, stdout) for _ in range(repeat)]
    return Run(min(r.seconds for r in runs), max(r.peak_mib for r in runs))


BARE_LOOP = """
import os, sys
with open(sys.argv[1], encoding="utf-8", newline="") as f, \\
        open(os.devnull, "w", encoding="utf-8", newline="") as out:
    for line in f:
        out.write(line)
"""


def cleaner_cmd(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "cleaner", "-q", *map(str, args)]


# -- the table --------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    input: str
    seconds: float | None = None
    mb: float = 0.0
    ratio: str = ""
    target: str = ""
    met: str = ""
    note: str = ""
    peak_mib: float | None = None

    def cells(self) -> list[str]:
        speed = f"{self.mb / self.seconds:.1f}" if self.seconds else "–"
        secs = f"{self.seconds:.2f}" if self.seconds is not None else "–"
        peak = f"{self.peak_mib:.1f}" if self.peak_mib is not None else "–"
        return [
            self.name,
            self.input,
            secs,
            speed,
            peak,
            self.ratio,
            self.target,
            self.met,
            self.note,
        ]


def table(rows: Sequence[Row]) -> str:
    head = ["row", "input", "s", "MB/s", "peak MiB", "ratio", "target", "met", "note"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


# -- debris accounting ------------------------------------------------------------------------


@dataclass
class Removal:
    debris_left: int = 0
    prose_left: int = 0
    docs: int = 0


def count_left(paths: Sequence[Path], debris: set[str], prose_min: int = 120) -> Removal:
    """Count the debris lines and the prose lines (long lines) left in JSONL outputs."""
    result = Removal()
    for path in paths:
        with path.open(encoding="utf-8") as f:
            for raw in f:
                if not raw.strip():
                    continue
                result.docs += 1
                for line in json.loads(raw)["text"].splitlines():
                    stripped = line.strip()
                    if stripped in debris:
                        result.debris_left += 1
                    elif len(stripped) >= prose_min:
                        result.prose_left += 1
    return result


def count_prose(path: Path, prose_min: int = 120) -> int:
    with path.open(encoding="utf-8") as f:
        return sum(
            1
            for raw in f
            if raw.strip()
            for line in json.loads(raw)["text"].splitlines()
            if len(line.strip()) >= prose_min
        )


# -- the peer ---------------------------------------------------------------------------------

DATATROVE_PIPELINE = """
import sys
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.filters import C4QualityFilter
from datatrove.pipeline.formatters import FTFYFormatter
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

source, out, logs = sys.argv[1:4]
LocalPipelineExecutor(
    pipeline=[
        JsonlReader(source, glob_pattern=sys.argv[4], compression=None),
        FTFYFormatter(),
        C4QualityFilter(),
        JsonlWriter(out, output_filename="${rank}.jsonl", compression=None),
    ],
    tasks=1,
    workers=1,
    logging_dir=logs,
).run()
"""


def peer_python(given: str | None, cache: Path, setup: bool) -> tuple[str | None, str]:
    """Return the peer environment's interpreter (or None) and, if None, why not."""
    if given:
        check = subprocess.run([given, "-c", "import datatrove, ftfy"], capture_output=True)
        if check.returncode != 0:
            return None, f"{given} cannot import datatrove"
        return given, ""
    venv = cache / "peer-venv"
    python = venv / "bin" / "python"
    if python.exists():
        check = subprocess.run([python, "-c", "import datatrove, ftfy"], capture_output=True)
        if check.returncode == 0:
            return str(python), ""
    if not setup:
        return None, "no peer environment (--peer-python PATH, or drop --no-peer-setup)"
    print(f"creating {venv} with {' '.join(PEER_PACKAGES)} ...", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES],
            check=True,
            capture_output=True,
            timeout=900,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        return None, f"could not install {', '.join(PEER_PACKAGES)}: {str(exc)[:80]}"
    return str(python), ""


# -- main -------------------------------------------------------------------------------------


@dataclass
class Options:
    size: float
    big_size: float
    repeat: int
    cache: Path
    peer: bool
    peer_python: str | None
    peer_setup: bool
    seed: int
    rows: set[str] = field(default_factory=set)


def benchmark(opts: Options) -> tuple[list[Row], list[str]]:
    cache = opts.cache
    rows: list[Row] = []
    notes: list[str] = []
    mixed = corpus(cache, "mixed", opts.size, opts.seed, mixed=True)
    clean = corpus(cache, "clean", opts.size, opts.seed + 1, mixed=False)
    out_dir = cache / "out"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    mb_mixed = mixed.text.stat().st_size / MB
    mb_clean = clean.text.stat().st_size / MB
    mb_mixed_jsonl = mixed.jsonl.stat().st_size / MB
    mb_clean_jsonl = clean.jsonl.stat().st_size / MB
    r = opts.repeat
    bare = [sys.executable, "-c", BARE_LOOP]

    def want(name: str) -> bool:
        return not opts.rows or name in opts.rows

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    # the floors, and cleaner on text
    floor_clean = best([*bare, clean.text], r)
    floor_mixed = best([*bare, mixed.text], r)
    rows.append(
        Row(
            "bare read→write loop",
            "clean text",
            floor_clean.seconds,
            mb_clean,
            "1 (floor)",
            peak_mib=floor_clean.peak_mib,
        )
    )
    rows.append(
        Row(
            "bare read→write loop",
            "mixed text",
            floor_mixed.seconds,
            mb_mixed,
            "1 (floor)",
            peak_mib=floor_mixed.peak_mib,
        )
    )
    say("floors done")

    full_clean = best(cleaner_cmd(clean.text), r)
    ratio = floor_clean.seconds / full_clean.seconds
    rows.append(
        Row(
            "cleaner, default rules",
            "clean text",
            full_clean.seconds,
            mb_clean,
            f"{ratio:.3f} × floor",
            "≥ 0.20 ×",
            verdict(ratio >= 0.20),
            peak_mib=full_clean.peak_mib,
        )
    )
    full_mixed = best(cleaner_cmd(mixed.text), r)
    ratio = floor_mixed.seconds / full_mixed.seconds
    rows.append(
        Row(
            "cleaner, default rules",
            "mixed text",
            full_mixed.seconds,
            mb_mixed,
            f"{ratio:.3f} × floor",
            "≥ 0.05 ×",
            verdict(ratio >= 0.05),
            peak_mib=full_mixed.peak_mib,
        )
    )
    say("cleaner text done")

    if want("split"):
        rules_only = best(cleaner_cmd("--no-repair", mixed.text), r)
        rows.append(
            Row(
                "cleaner, rules only (--no-repair)",
                "mixed text",
                rules_only.seconds,
                mb_mixed,
                f"{floor_mixed.seconds / rules_only.seconds:.3f} × floor",
                peak_mib=rules_only.peak_mib,
            )
        )
        from cleaner import load_rules

        packs = sorted({rule.pack for rule in load_rules().rules})
        disable = [arg for pack in packs for arg in ("--disable", pack)]
        repair_only = best(cleaner_cmd(*disable, mixed.text), r)
        rows.append(
            Row(
                "cleaner, repair only (every pack disabled)",
                "mixed text",
                repair_only.seconds,
                mb_mixed,
                f"{floor_mixed.seconds / repair_only.seconds:.3f} × floor",
                peak_mib=repair_only.peak_mib,
            )
        )
        say("split done")

    if want("scaling"):
        rules10 = cache / "phrases-x10.toml"
        added = phrase_rules(rules10, 10)
        x10 = best(cleaner_cmd("--rules", rules10, clean.text), r)
        ratio = x10.seconds / full_clean.seconds
        rows.append(
            Row(
                f"cleaner, default rules + {added} synthetic phrases (×10)",
                "clean text",
                x10.seconds,
                mb_clean,
                f"time {ratio:.2f} × default",
                "< 1.3 ×",
                verdict(ratio < 1.3),
                peak_mib=x10.peak_mib,
            )
        )
        say("scaling done")

    cleaner_jsonl: Run | None = None
    if want("jsonl") or want("parallel") or want("peer"):
        floor_jsonl = best([*bare, mixed.jsonl], r)
        rows.append(
            Row(
                "bare read→write loop",
                "mixed JSONL",
                floor_jsonl.seconds,
                mb_mixed_jsonl,
                "1 (floor)",
                peak_mib=floor_jsonl.peak_mib,
            )
        )
        cleaner_jsonl = best(cleaner_cmd(mixed.jsonl), r, stdout=out_dir / "cleaner.jsonl")
        rows.append(
            Row(
                "cleaner, default rules, JSONL",
                "mixed JSONL",
                cleaner_jsonl.seconds,
                mb_mixed_jsonl,
                f"{floor_jsonl.seconds / cleaner_jsonl.seconds:.3f} × floor",
                peak_mib=cleaner_jsonl.peak_mib,
            )
        )
        say("jsonl done")

    if want("parallel"):
        for name, path, mb, target in (
            ("mixed JSONL", mixed.jsonl, mb_mixed_jsonl, 1.7),
            ("clean JSONL", clean.jsonl, mb_clean_jsonl, 1.0),
        ):
            one = best(cleaner_cmd("-j", "1", path), r)
            two = best(cleaner_cmd("-j", "2", path), r)
            ratio = one.seconds / two.seconds
            rows.append(Row("cleaner -j 1", name, one.seconds, mb, "", peak_mib=one.peak_mib))
            rows.append(
                Row(
                    "cleaner -j 2",
                    name,
                    two.seconds,
                    mb,
                    f"{ratio:.2f} × -j 1",
                    f"≥ {target:g} ×",
                    verdict(ratio >= target),
                    peak_mib=two.peak_mib,
                )
            )
        say("parallel done")

    if opts.big_size > 0 and want("memory"):
        big = corpus(cache, "big", opts.big_size, opts.seed + 2, mixed=True)
        for name, path in (("text", big.text), ("JSONL", big.jsonl)):
            mem = run(cleaner_cmd(path))
            size = path.stat().st_size / MB
            rows.append(
                Row(
                    "cleaner, peak RSS",
                    f"{size:.0f} MB mixed {name}",
                    mem.seconds,
                    size,
                    f"{mem.peak_mib:.1f} MiB",
                    "< 50 MiB",
                    verdict(mem.peak_mib < 50),
                    peak_mib=mem.peak_mib,
                )
            )
        say("memory done")

    if want("peer"):
        debris, tails = debris_pools()
        debris_set = set(debris) | set(tails)
        debris_set |= {mojibake(line) for line in debris_set}
        prose_in = count_prose(mixed.jsonl)
        assert cleaner_jsonl is not None
        ours = count_left([out_dir / "cleaner.jsonl"], debris_set)
        removed = 1 - ours.debris_left / mixed.stats.debris_lines
        python, why = (
            peer_python(opts.peer_python, cache, opts.peer_setup)
            if opts.peer
            else (None, "--no-peer")
        )
        if python is None:
            rows.append(
                Row(
                    "datatrove FTFYFormatter + C4QualityFilter",
                    "mixed JSONL",
                    target="cleaner ≥ 3 × faster",
                    met="–",
                    note=f"not run: {why}",
                )
            )
        else:
            source = mixed.jsonl.parent
            dt_out = out_dir / "datatrove"
            dt = run(
                [
                    python,
                    "-c",
                    DATATROVE_PIPELINE,
                    str(source),
                    str(dt_out),
                    str(out_dir / "datatrove-logs"),
                    mixed.jsonl.name,
                ]
            )
            theirs = count_left(sorted(dt_out.glob("*.jsonl")), debris_set)
            dt_removed = 1 - theirs.debris_left / mixed.stats.debris_lines
            ratio = dt.seconds / cleaner_jsonl.seconds
            more = removed > dt_removed
            rows.append(
                Row(
                    "datatrove FTFYFormatter + C4QualityFilter",
                    "mixed JSONL",
                    dt.seconds,
                    mb_mixed_jsonl,
                    f"cleaner {ratio:.1f} × faster",
                    "≥ 3 ×, removing more debris",
                    verdict(ratio >= 3 and more),
                    note=f"debris removed {dt_removed:.1%} (cleaner {removed:.1%}); "
                    f"prose lines kept {theirs.prose_left / prose_in:.1%} (cleaner "
                    f"{ours.prose_left / prose_in:.1%}); documents kept "
                    f"{theirs.docs / mixed.stats.docs:.1%}",
                    peak_mib=dt.peak_mib,
                )
            )
        ftfy_cli = shutil.which("ftfy", path=str(Path(sys.executable).parent))
        if ftfy_cli:
            ft = run([ftfy_cli, str(mixed.text), "-o", os.devnull])
            rows.append(
                Row(
                    "ftfy CLI alone (its defaults)",
                    "mixed text",
                    ft.seconds,
                    mb_mixed,
                    f"{floor_mixed.seconds / ft.seconds:.3f} × floor; cleaner "
                    f"{ft.seconds / full_mixed.seconds:.1f} × faster",
                    peak_mib=ft.peak_mib,
                )
            )
        else:
            rows.append(Row("ftfy CLI alone", "mixed text", note="not run: no ftfy command"))
        say("peers done")

    notes.append(
        f"mixed corpus: {mb_mixed:.0f} MB text / {mb_mixed_jsonl:.0f} MB JSONL, "
        f"{mixed.stats.docs} documents, {mixed.stats.lines} lines, "
        f"{mixed.stats.debris_lines / mixed.stats.lines:.0%} debris lines, "
        f"{mixed.stats.mojibake_docs / mixed.stats.docs:.1%} mojibake documents; clean corpus: "
        f"{mb_clean:.0f} MB, {clean.stats.docs} documents"
    )
    return rows, notes


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, "
        f"load average {load:.1f} at the start"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=float, default=200, help="corpus MB (default 200)")
    parser.add_argument(
        "--big-size",
        type=float,
        default=1024,
        help="MB of the memory rows' input (default 1024; 0: skip)",
    )
    parser.add_argument("--quick", action="store_true", help="--size 20 --big-size 0")
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs (default 2)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="corpus folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-peer", action="store_true", help="skip datatrove and ftfy")
    parser.add_argument("--peer-python", help="python of an environment with datatrove")
    parser.add_argument(
        "--no-peer-setup", action="store_true", help="do not create benchmarks/.cache/peer-venv"
    )
    parser.add_argument(
        "--rows", default="", help="only these rows: split,scaling,jsonl,parallel,memory,peer"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.big_size = 20, 0
    opts = Options(
        size=args.size,
        big_size=args.big_size,
        repeat=max(1, args.repeat),
        cache=args.cache,
        peer=not args.no_peer,
        peer_python=args.peer_python,
        peer_setup=not args.no_peer_setup,
        seed=args.seed,
        rows={name for name in args.rows.split(",") if name},
    )
    started = time.perf_counter()
    head = f"{date.today().isoformat()}, {machine()}"
    rows, notes = benchmark(opts)
    print(
        f"Throughput, {head}; best of {opts.repeat} runs each "
        f"({time.perf_counter() - started:.0f} s in all)\n"
    )
    print(table(rows))
    for note in notes:
        print(f"\n{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
