"""The shipped packs on whole documents: the seeds' debris in the other languages they list.

Strings are the platforms' own (WordPress core, Jetpack and Akismet translations, see the
comments in rules/comments.toml); each document must come out as its article alone.
"""

from __future__ import annotations

import pytest

from cleaner import Cleaner

ARTICLE = {
    "en": "The council voted on Tuesday to extend the bus line to the new hospital.",
    "de": "Der Rat hat am Dienstag beschlossen, die Buslinie bis zum neuen Krankenhaus zu verlängern.",
    "fr": "Le conseil a voté mardi pour prolonger la ligne de bus jusqu'au nouvel hôpital.",
    "es": "El consejo votó el martes para extender la línea de autobús hasta el nuevo hospital.",
    "id": "Dewan memutuskan pada hari Selasa untuk memperpanjang jalur bus ke rumah sakit baru.",
    "ar": "صوّت المجلس يوم الثلاثاء على تمديد خط الحافلات إلى المستشفى الجديد.",
    "ru": "Во вторник совет проголосовал за продление автобусной линии до новой больницы.",
}

DEBRIS = {
    "en": [
        "Related: Ten bus lines that changed a city",
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "Save my name, email, and website in this browser for the next time I comment.",
        "Post Comment",
        "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
    ],
    "de": [
        "Lesen Sie auch: Zehn Buslinien, die eine Stadt verändert haben",
        "Schreibe einen Kommentar",
        "Deine E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert",
        "Kommentar abschicken",
        "Diese Website verwendet Akismet, um Spam zu reduzieren. Erfahre mehr darüber, wie deine Kommentardaten verarbeitet werden.",
    ],
    "fr": [
        "Lire aussi : Dix lignes de bus qui ont changé une ville",
        "Laisser un commentaire",
        "Votre adresse de messagerie ne sera pas publiée. Les champs obligatoires sont indiqués avec *",
        "Ce site utilise Akismet pour réduire les indésirables. En savoir plus sur comment les données de vos commentaires sont utilisées.",
    ],
    "es": [
        "Leer también: Diez líneas de autobús que cambiaron una ciudad",
        "Deja un comentario",
        "Tu dirección de correo electrónico no será publicada. Los campos obligatorios están marcados con *",
        "Publicar comentario",
        "Este sitio usa Akismet para reducir el spam. Aprende cómo se procesan los datos de tus comentarios.",
    ],
    "id": [
        "Baca juga: Sepuluh jalur bus yang mengubah kota",
        "Tinggalkan Balasan",
        "Alamat email Anda tidak akan dipublikasikan. Ruas yang wajib ditandai *",
        "Kirim Komentar",
    ],
    "ar": [
        "اترك تعليقاً",
        "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
        "هذا الموقع يستخدم Akismet للحدّ من التعليقات المزعجة والغير مرغوبة. تعرّف على كيفية معالجة بيانات تعليقك.",
    ],
    "ru": [
        "Читайте также: Десять автобусных маршрутов, которые изменили город",
        "Добавить комментарий",
        "Ваш e-mail не будет опубликован. Обязательные поля помечены *",
        "Отправить комментарий",
        "Этот сайт использует Akismet для борьбы со спамом. Узнайте как обрабатываются ваши данные комментариев.",
    ],
}


@pytest.mark.parametrize("lang", sorted(DEBRIS))
def test_debris_removed_article_kept(lang: str, default_cleaner: Cleaner) -> None:
    article = ARTICLE[lang]
    text = article + "\n\n" + "\n\n".join(DEBRIS[lang]) + "\n"
    result = default_cleaner.clean(text)
    assert result.text == article + "\n"
    assert all(change.rule_id.split(".")[0] in {"comments", "related"} for change in result.changes)


@pytest.mark.parametrize("lang", sorted(DEBRIS))
def test_debris_lines_one_by_one_between_paragraphs(lang: str, default_cleaner: Cleaner) -> None:
    """Line rules also fire mid-document, where a tail rule cannot help."""
    article = ARTICLE[lang]
    for line in DEBRIS[lang]:
        text = f"{article}\n\n{line}\n\n{article} (2)\n\n{article} (3)\n" + "Absatz.\n" * 70
        result = default_cleaner.clean(text)
        if line not in result.text:
            continue
        # only tail triggers may stay mid-document: they cut the end, never the middle
        assert any(
            rule.id.endswith(("form-tail", "thread-word", "thread-count"))
            for rule in default_cleaner.rules
            if rule.phrases and any(p.casefold() == line.casefold() for p in rule.phrases)
        ), line


def test_keep_comments_keeps_the_thread(default_cleaner: Cleaner) -> None:
    from cleaner import CleanerConfig

    article = "Erster Absatz.\n\nZweiter Absatz.\n\nDritter Absatz.\n"
    text = article + "\nEin Kommentar\n\nToller Beitrag, danke!\n\nWas denken Sie?\n"
    assert default_cleaner.clean(text).text == article
    keep = Cleaner(CleanerConfig(keep_comments=True)).clean(text).text
    assert keep == article + "\nEin Kommentar\n\nToller Beitrag, danke!\n"


# Language coverage of the language-specific debris classes of issue #3: each class must be
# covered in at least 20 languages, so that a pack edit cannot silently drop a language. A
# class is the union of its rules; a rule for all languages ("*") counts the languages of its
# `match` examples (its word lists are per language even though it runs everywhere).
COVERAGE_CLASSES = {
    "cookie notice": ("banners.cookie-notice", "banners.cookie-plugin"),
    "consent button": ("banners.consent-button",),
    "policy link": ("banners.policy-link",),
    "newsletter prompt": ("banners.newsletter",),
    "sign-in link": ("banners.account-link",),
    "ad label": ("nav.ad-label",),
    "image credit": ("nav.photo-credit", "nav.photo-credit-by"),
    "post meta (posted in, tagged)": ("nav.posted-in", "nav.taxonomy", "nav.entry-meta-sentence"),
    "byline and date (by AUTHOR on DATE)": ("nav.byline", "nav.author-label", "nav.dateline"),
    "read more": ("nav.read-more", "nav.continue-reading-title"),
    "previous/next": ("nav.prev-next", "nav.prev-next-title"),
    "skip to content": ("nav.skip-link",),
    "sidebar heading": ("nav.widget-heading", "nav.search"),
    "share/like heading": ("share.heading", "share.like-heading"),
    "social counter": ("share.counter",),
}
MIN_LANGUAGES = 20


def class_languages(cleaner: Cleaner, rule_ids: tuple[str, ...]) -> set[str]:
    """Return the languages a class of rules covers (nb counted as no)."""
    rules = {rule.id: rule for rule in cleaner.rules}
    languages: set[str] = set()
    for rule_id in rule_ids:
        rule = rules[rule_id]
        if rule.languages == ("*",):
            languages.update(lang for lang, _ in rule.match if lang != "*")
        else:
            languages.update(rule.languages)
    return {"no" if lang == "nb" else lang for lang in languages}


@pytest.mark.parametrize("name", sorted(COVERAGE_CLASSES))
def test_class_covers_twenty_languages(name: str, default_cleaner: Cleaner) -> None:
    languages = class_languages(default_cleaner, COVERAGE_CLASSES[name])
    assert len(languages) >= MIN_LANGUAGES, f"{name}: {len(languages)} {sorted(languages)}"


def test_posted_in_alone_covers_twenty_languages(default_cleaner: Cleaner) -> None:
    """The "Posted in" line is the class's main rule; the union must not hide it shrinking."""
    assert len(class_languages(default_cleaner, ("nav.posted-in",))) >= MIN_LANGUAGES
