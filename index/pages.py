"""Cut a newspaper page's text into articles, and read an article's text.

A page comes in several layouts — blocks separated by blank lines, compact
(one paragraph a line, no blank lines), paragraphs marked by a leading
indent of ASCII or full-width spaces (several on one line), or a mix — so
the reader first turns the text into *units*, one a paragraph, whatever
marked it (:func:`to_units`).  A run of three or more spaces (two
full-width ones) inside a line separates paragraphs; two spaces do not
(``本报记者  杨洁``, ``奔跑乐手  月行万里``).

Where articles begin is then a decision over the whole page
(:func:`segment`): every headline-like unit after a unit that ends
something (a sentence, a byline, a credit, a teaser, a signature) is a
*candidate*; each has a local score from its cues (what precedes it, the
headline block it opens — kicker, headline, subtitle — and what follows
that block: an opening byline, ``本报讯``, a dateline, an author line, a
column label, summary lines), and each article a penalty when it would
carry both an opening and a closing byline (two articles merged).  Dynamic
programming picks the best-scoring cut; a decision's *confidence* is the
logistic of the margin between the best reading with it and the best
without it (1.0 where no other reading exists, 0.5 where the two readings
score the same).  Below :data:`index.articles.UNCERTAIN_BELOW` the reader
reports the decision as uncertain.

The text of each article — and of each CSV row's ``content`` — is read
by :func:`read_body`: column labels and photo credits leave the body,
bylines anywhere (opening, closing, glued to the last paragraph, inside
a roundup) go to the authors, summary lines (提要) before the lead go to
``summary``, a dateline or ``本报讯`` leaves the lead, and paragraphs a
column break cut mid-sentence are rejoined.
"""

from __future__ import annotations

import configparser
import datetime as dt
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .articles import UNCERTAIN_BELOW, Article, ParseInfo, Problem, derive_id
from .cohesion import cohesion, han_length
from .bylines import (
    LOCAL_CREDITS,
    Byline,
    is_date_line,
    is_org_name,
    is_surname_name,
    parse_author_line,
    parse_byline,
    parse_lead,
    parse_signature,
    split_glued_byline,
)

#: The per-source settings file, looked up next to a page and in the
#: directories above it (see :func:`load_hints`).
HINTS_FILE = "newsearch.ini"

_DATE_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")
_SENTENCE_END = "。！？!?…"
_CLOSERS = "”」』）)】》\"'"
_CLAUSE_END = "，、,；;：:"
_SPACE_RUN = re.compile(r"[ \t\u3000\u00a0]+")
_NUMBERED = re.compile(
    r"^(?:第[一二三四五六七八九十百\d]{1,4}[计章节部分条招个步]|\d{1,2}|[一二三四五六七八九十]{1,3}|"
    r"[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[、.．]|"
    r"[①②③④⑤⑥⑦⑧⑨⑩])(?:\s|$|(?<=[、.．）)])|(?<=[计章节部分条招个步]))")
_TEASER = re.compile(r"^(?:>{2,}|》{2,}|→)?\s*(?:详见|详细内容见|全文见|详情见|请看|见今日)")
_PHOTO = re.compile(
    r"^[（(]?(?:本版|本期|本文)?(?:图片|照片|图|摄影|制图|供图|视频)\s*(?:由|：|:|/|／)?\s*[^。！？]{0,24}"
    r"(?:提供|摄|供图|制图|制作)?[）)]?$")
_PHOTO_STRICT = re.compile(r"(?:图片|照片|摄影|供图|制图)|^[（(]?图\s*[/／:：]|摄[）)]?$")
_EDITOR_NOTE_END = re.compile(r"(?:^|(?<=[^—-]))[—-]{1,2}\s*编\s*者$")
#: Column labels: never a headline, never body text.
DEFAULT_LABELS = ("求助", "帮忙", "回音", "追踪", "链接", "相关链接", "新闻链接", "延伸阅读", "记者手记",
                  "新闻简报", "简讯", "快讯", "要闻简报", "本市简讯", "国内简讯", "国际简讯", "综合消息")
_SALUTATION = re.compile(r"^(?:亲爱的|尊敬的|各位|全体)[^，。！？]{1,20}[：:]$")
_TITLE_WORDS = re.compile(r"(?:主任|教授|院长|研究员|专家|所长|局长|书记|会长|主席|律师|医生|总监|经理|校长)$")


# --------------------------------------------------------------------------
# Settings

@dataclass(frozen=True)
class Hints:
    """Per-source settings from ``newsearch.ini`` (all optional).

    ``paper``: the paper's name (the ``source`` of its articles);
    ``two_line_head``: how a two-line headline block with no other cue is
    read — ``auto`` (by its shape), ``kicker`` (引题 + headline) or
    ``subtitle`` (headline + 副题); ``labels``: more column labels.
    """

    paper: str = ""
    two_line_head: str = "auto"
    labels: tuple[str, ...] = DEFAULT_LABELS


def load_hints(path: str | os.PathLike[str]) -> tuple[Hints, list[str]]:
    """The settings that apply to the file ``path``, and any problems with them.

    The nearest ``newsearch.ini`` in the file's directory or above it wins::

        [source]
        paper = 新民晚报
        two_line_head = kicker
        labels = 求助, 帮侬忙
    """
    errors: list[str] = []
    for directory in list(Path(path).resolve().parents)[:6]:
        ini = directory / HINTS_FILE
        if not ini.is_file():
            continue
        parser = configparser.ConfigParser()
        try:
            text = ini.read_bytes()
            from .sources import decode_bytes

            parser.read_string(decode_bytes(text))
        except Exception as exc:  # noqa: BLE001 - a bad settings file must never stop a build
            errors.append(f"{ini}: ignored: {exc}".split("\n")[0])
            return Hints(), errors
        section = parser["source"] if parser.has_section("source") else parser[parser.default_section]
        head = section.get("two_line_head", "auto").strip().lower()
        if head not in ("auto", "kicker", "subtitle"):
            errors.append(f"{ini}: two_line_head must be auto, kicker or subtitle, not {head!r}")
            head = "auto"
        extra = tuple(x.strip() for x in re.split(r"[,，、]", section.get("labels", "")) if x.strip())
        return Hints(section.get("paper", "").strip(), head, DEFAULT_LABELS + extra), errors
    return Hints(), errors


def paper_from_path(path: str) -> str:
    """The paper's name from a file or directory name: the file's name without
    its date and extension (``郑州日报-2023-07-27.txt`` → ``郑州日报``), else the
    nearest directory name, provided it has Chinese characters in it."""
    p = Path(path)
    candidates = [_DATE_IN_NAME.sub("", p.stem)] + [d.name for d in list(p.parents)[:2]]
    for cand in candidates:
        cand = re.sub(r"[\d_\-.\s]+", " ", _DATE_IN_NAME.sub("", cand)).strip()
        if re.search(r"[\u4e00-\u9fff]", cand):
            return cand
    return ""


def date_from_filename(name: str) -> dt.date | None:
    """A date written in a file name (``2023-07-27``, ``20230727``, ``2023_07_27``)."""
    for m in _DATE_IN_NAME.finditer(os.path.basename(name)):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


def parse_page_field(value: str) -> tuple[int | None, str]:
    """Page number and section of a page as given: ``第6/7版:上海新闻`` → (6, 上海新闻);
    ``1`` → (1, ""); ``A3`` → (3, "")."""
    value = value.strip()
    m = re.search(r"\d{1,4}", value)
    number = int(m.group(0)) if m else None
    section = ""
    s = re.split(r"[:：]", value, maxsplit=1)
    if len(s) == 2:
        section = s[1].strip()
    return number, section


# --------------------------------------------------------------------------
# Units

@dataclass
class Unit:
    """One paragraph of a page, as printed, with what it is.

    ``kind``: ``para``, ``byline`` (names or a credit), ``teaser``, ``label``,
    ``photo`` (a photo credit), ``date`` (a letter's date), ``signature``,
    ``editor`` (``——编者`` alone).
    """

    line: int
    text: str
    kind: str = "para"
    byline: Byline | None = None
    glued: bool = False
    names: list[str] = field(default_factory=list)


def collapse(text: str) -> str:
    """Runs of spaces and ideographic spaces collapse to one space."""
    return _SPACE_RUN.sub(" ", text).strip()


def _width(run: str) -> int:
    return sum(2 if c == "\u3000" else 4 if c == "\t" else 1 for c in run)


def _split_line(text: str) -> list[str]:
    """Paragraphs of one printed line: a run of spaces 3 wide or more (an
    ideographic space counts 2) marks a paragraph's leading indent."""
    parts: list[str] = []
    start = 0
    for m in _SPACE_RUN.finditer(text):
        if _width(m.group(0)) >= 3:
            parts.append(text[start:m.start()])
            start = m.end()
    parts.append(text[start:])
    return [p.strip(" \t\u3000\u00a0") for p in parts if p.strip(" \t\u3000\u00a0")]


def ends_sentence(text: str) -> bool:
    text = text.rstrip()
    if not text:
        return False
    if text[-1] in _SENTENCE_END:
        return True
    return text[-1] in _CLOSERS and len(text) >= 2 and text.rstrip(_CLOSERS)[-1:] in _SENTENCE_END


def _classify(text: str, labels: tuple[str, ...]) -> Unit:
    u = Unit(0, text)
    bare = collapse(text)
    if _TEASER.match(bare) and len(bare) <= 60:
        u.kind = "teaser"
    elif bare.rstrip(">》 ") in labels or (re.match(r"^[\u4e00-\u9fff]{1,6}\s*>{2,}$", bare)):
        u.kind = "label"
    elif _EDITOR_NOTE_END.match(bare):
        u.kind = "editor"
    elif len(bare) <= 30 and _PHOTO.match(bare) and _PHOTO_STRICT.search(bare):
        u.kind = "photo"
    elif is_date_line(bare):
        u.kind = "date"
    else:
        byline = parse_byline(text)
        if byline is not None:
            u.kind, u.byline = "byline", byline
    return u


def to_units(text: str, labels: tuple[str, ...] = DEFAULT_LABELS, first_line: int = 1) -> list[Unit]:
    """The paragraphs of ``text`` in order, each classified (see :class:`Unit`).

    A byline glued to the end of a paragraph becomes a unit of its own
    (``glued``), so it is found wherever it was printed.
    """
    from .sources import clean_text

    units: list[Unit] = []
    for lineno, raw in enumerate(clean_text(text).split("\n"), first_line):
        for part in _split_line(raw):
            u = _classify(part, labels)
            u.line = lineno
            if u.kind == "para":
                before, byline, tail = split_glued_byline(part)
                if byline is not None and before:
                    units.append(Unit(lineno, before))
                    units.append(Unit(lineno, tail, "byline", byline, glued=True))
                    continue
            units.append(u)
    return units


# --------------------------------------------------------------------------
# Headlines

def heading_like(u: Unit, limit: int = 40) -> bool:
    """Could ``u`` be a headline line (or a sub-head)?  Short, no full stop,
    not ending in a clause mark; a short one may end in ！ or ？."""
    if u.kind != "para":
        return False
    text = collapse(u.text)
    if not text or "。" in text[:-1] or text[-1] in _CLAUSE_END + "。" or text.startswith((">>", "（", "(")):
        return False
    if _EDITOR_NOTE_END.search(text):
        return False
    if ends_sentence(text):
        core = text.rstrip(_CLOSERS)  # a line of closing quotes alone has no core
        return len(text) <= 20 and bool(core) and core[-1] in "！？!?"
    if len(text) > limit:
        parts = [p for p in re.split(r"\s{2,}|\u3000", u.text.strip()) if p.strip()]
        return len(parts) >= 2 and all(len(p.strip()) <= 40 for p in parts) and len(text) <= 90
    return True


def _multi_part(text: str) -> bool:
    return bool(re.search(r"\S(?: {2,}|\u3000+)\S", text.strip()))


def is_summary_line(u: Unit) -> bool:
    """A 提要 line: a statement with no full stop at its end, longer than a sub-head."""
    if u.kind != "para":
        return False
    text = collapse(u.text)
    if len(text) < 12 or ends_sentence(text) or text[-1] in _CLAUSE_END:
        return False
    if text.startswith((">>", "——")) or is_date_line(text):
        return False
    return "，" in text or "、" in text or "。" in text or " " in text or len(text) > 40


def _opening_cue(u: Unit | None) -> str:
    """The cue an article's first unit after its headline gives, or ""."""
    if u is None:
        return ""
    if u.kind == "byline":
        return "opening-byline" if u.byline and u.byline.names else "credit"
    if u.kind == "teaser":
        return "teaser"
    if u.kind == "label":
        return "label"
    if u.kind != "para":
        return ""
    byline, _, cue = parse_lead(u.text)
    if byline is not None:
        return cue
    if parse_author_line(u.text) is not None:
        return "author-line"
    if _SALUTATION.match(collapse(u.text)):
        return "salutation"
    return ""


@dataclass
class HeadBlock:
    kicker: str = ""
    title: str = ""
    subtitle: str = ""
    end: int = 0          # index of the first unit after the block
    lines: int = 0
    dash: bool = False
    poem: bool = False


def head_block(units: list[Unit], i: int, hints: Hints, first_limit: int = 40) -> HeadBlock:
    """Read the headline block starting at ``units[i]``: kicker, headline, subtitle.

    Up to three headline-like lines; a ``——`` line is the subtitle and the
    line before it the headline.  Two lines with no dash: the one with a
    two-part gap (``奔跑乐手  月行万里``) is the headline; a first line ending in
    ？/！/： or holding a colon is a kicker; else the longer line is the
    kicker (unless ``two_line_head`` says otherwise).  Four or more such
    lines in a row are a poem's title and lines, not a headline block.
    """
    n = len(units)
    block: list[str] = []
    k = i
    while k < n and len(block) < 4:
        u = units[k]
        limit = first_limit if k == i else 40
        if not heading_like(u, limit):
            break
        if k > i and (_opening_cue(u) or (len(collapse(u.text)) > 40 and not u.text.lstrip().startswith("—")
                                          and not _multi_part(u.text))):
            break
        if k > i and _QA_ROLE.match(collapse(u.text)):
            break  # an interview's first question, not a subtitle
        if k > i and "，" in u.text and is_summary_line(u) and k + 1 < n and (
                is_summary_line(units[k + 1]) or parse_lead(units[k + 1].text)[0] is not None):
            break  # a summary line (提要) after the headline, not a subtitle
        block.append(u.text)
        k += 1
    hb = HeadBlock(end=k)
    if not block:
        return HeadBlock(end=i)
    if len(block) == 4 or (len(block) == 3 and k < n and heading_like(units[k])
                           and not _opening_cue(units[k])):
        return HeadBlock(title=collapse(block[0]), end=i + 1, lines=1, poem=True)
    dash = next((d for d, t in enumerate(block) if d > 0 and t.lstrip().startswith(("——", "--", "－－", "—"))), None)
    if dash is not None:
        hb.title = collapse(block[dash - 1])
        hb.kicker = collapse(block[dash - 2]) if dash >= 2 else ""
        hb.subtitle = collapse(block[dash].lstrip().lstrip("—-－ "))
        hb.end, hb.lines, hb.dash = i + dash + 1, dash + 1, True
        return hb
    hb.lines = len(block)
    texts = [collapse(t) for t in block]
    if len(block) == 1:
        hb.title = texts[0]
    elif len(block) == 2:
        a, b = block
        if _two_line_is_kicker(a, b, hints):
            hb.kicker, hb.title = texts
        else:
            hb.title, hb.subtitle = texts
    else:
        hb.kicker, hb.title, hb.subtitle = texts
    return hb


def _two_line_is_kicker(a: str, b: str, hints: Hints) -> bool:
    if hints.two_line_head != "auto":
        return hints.two_line_head == "kicker"
    ca, cb = collapse(a), collapse(b)
    gap_a, gap_b = " " in ca, " " in cb  # a gap inside a Chinese line: a two-part headline
    if gap_a != gap_b:
        return gap_b
    if ca[-1] in "？！?!：:" or "：" in ca or ":" in ca:
        return True
    if "：" in cb:
        return False
    return len(ca.replace(" ", "")) > len(cb.replace(" ", ""))


# --------------------------------------------------------------------------
# Bodies

@dataclass
class Body:
    """What :func:`read_body` found in an article's text."""

    paragraphs: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    credit: str = ""
    teaser: bool = False
    affiliation: str = ""
    opening: str = ""   # cue that opened the text (opening-byline, lead, dateline, author-line, label …)
    closing: str = ""   # cue that closed it (closing-byline, credit, signature …)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def _add_names(body: Body, names: list[str]) -> None:
    for name in names:
        if name not in body.names:
            body.names.append(name)


def _take_byline(body: Body, byline: Byline | None) -> None:
    if byline is None:
        return
    _add_names(body, byline.names)
    if byline.source and not body.credit:
        body.credit = byline.source


def read_body(units: list[Unit], after_title: bool = True) -> Body:
    """Read an article's units (its headline block already taken off).

    ``after_title``: the text follows a headline, so an author alone on the
    first line (an essay's) is a byline.
    """
    body = Body()
    units = [u for u in units if u.kind != "photo"]
    start = 0
    # opening: labels, an opening byline, an author line, a teaser
    while start < len(units) and start < 4:
        u = units[start]
        if u.kind == "label":
            body.opening = body.opening or "label"
            start += 1
        elif u.kind == "byline" and start + 1 < len(units):
            _take_byline(body, u.byline)
            body.opening = body.opening or ("opening-byline" if u.byline and u.byline.names else "credit")
            start += 1
        elif (u.kind == "para" and after_title and not body.names and start + 1 < len(units)
              and units[start + 1].kind == "para" and (author := parse_author_line(u.text)) is not None):
            _add_names(body, author[0])
            body.affiliation = author[1]
            body.opening = body.opening or "author-line"
            start += 1
        else:
            break
    rest = units[start:]
    if rest and rest[0].kind == "teaser" and all(u.kind in ("teaser", "label") for u in rest):
        body.teaser = True
        body.opening = body.opening or "teaser"
        body.paragraphs = [collapse(u.text) for u in rest if u.kind == "teaser"]
        return body
    # closing: bylines, credits, signatures, a letter's date and signers
    end = len(rest)
    closing: list[Unit] = []
    while end > 1:
        u = rest[end - 1]
        if u.kind in ("byline", "date", "signature"):
            closing.insert(0, u)
            end -= 1
            continue
        if u.kind == "para" and any(c.kind == "date" for c in closing) and is_org_name(u.text):
            u.kind, u.names = "signature", [collapse(u.text)]
            closing.insert(0, u)
            end -= 1
            continue
        if u.kind == "para" and not closing and end >= 2 and ends_sentence(rest[end - 2].text):
            sig = parse_signature(u.text)
            if sig is not None:
                u.kind, u.names = "signature", sig
                closing.insert(0, u)
                end -= 1
                continue
        break
    middle = rest[:end]
    # summary lines before the lead
    k = 0
    while (k < len(middle) and is_summary_line(middle[k]) and not parse_lead(middle[k].text)[0]
           and any(ends_sentence(u.text) for u in middle[k + 1:k + 6])):
        k += 1
    body.summary = [collapse(u.text) for u in middle[:k]]
    middle = middle[k:]
    paragraphs: list[str] = []
    for idx, u in enumerate(middle):
        text = u.text.strip()
        if idx == 0 and u.kind == "para":
            byline, text, cue = parse_lead(text)
            if byline is not None:
                _take_byline(body, byline)
                body.opening = body.opening or cue
        if u.kind == "byline":  # a roundup's item signed inside the article
            _take_byline(body, u.byline)
            continue
        if u.kind in ("label", "teaser") and paragraphs:
            if u.kind == "label":
                continue
        if u.kind == "editor" and paragraphs:
            paragraphs[-1] += text
            continue
        paragraphs.append(_inner_spaces(text))
    for u in closing:
        if u.kind == "byline":
            _take_byline(body, u.byline)
            body.closing = "credit" if u.byline and not u.byline.names else "closing-byline"
        elif u.kind == "signature":
            _add_names(body, u.names)
            body.closing = "signature"
        elif u.kind == "date":
            body.closing = body.closing or "signature"
    body.paragraphs = rejoin(paragraphs)
    return body


def _inner_spaces(text: str) -> str:
    """Two spaces inside a paragraph are layout, not text: one space left."""
    return re.sub(r"[ \t\u3000]{2,}", " ", text)


def rejoin(paragraphs: list[str]) -> list[str]:
    """Join paragraphs a column break cut in the middle of a sentence.

    A paragraph ending in a comma is always unfinished; one ending with no
    punctuation at all is taken as cut if it is long enough (30 characters)
    not to be a sub-head.
    """
    out: list[str] = []
    for para in paragraphs:
        prev = out[-1] if out else ""
        if prev and (prev[-1] in "，、," or (not ends_sentence(prev) and prev[-1] not in _CLOSERS + "：:；;"
                                            and len(prev) >= 30)):
            out[-1] += para
        else:
            out.append(para)
    return out


# --------------------------------------------------------------------------
# Segmentation

_BASE = -1.0          # a split needs evidence
_SHORT = -1.0         # eight characters or fewer: a sub-head's length
_AFTER = {"byline": 4.0, "credit": 4.0, "teaser": 4.0, "signature": 2.5, "date": 2.5, "label": 2.0,
          "start": 0.0}
_OPENING = 3.0
_SUMMARY = 2.5         # two or more 提要 lines
_SUMMARY_ONE = 1.0     # one: a column break can leave a paragraph looking like one
_DASH = 2.5
_BLOCK = 0.5
_TWO_PART = 0.75
_NUMBERED_PENALTY = -4.0
_TWO_BYLINES = -3.0
_SERIES_PENALTY = -4.0
_SHORT_SERIES = 3      # this many short weak sub-heads on a page are one article's series
_LONE_BLOCK = 1.5      # a kicker+headline block with no sub-head series around it
_SIDEBAR = -5.0        # a Q&A sidebar about the story just ended belongs to it
_GUIDE_SWALLOW = -3.0  # a 导读 box never runs on into the next headline
_TOPIC_SHIFT = 1.25    # the text changes subject at a weak headline: leans to a split, uncertain
_TOPIC_SHIFT_BELOW = 0.05   # cohesion (index.cohesion) under which the subject changed
_TOPIC_WINDOW = 800    # characters of text compared on either side
_TOPIC_MIN = 200       # Han characters each side needs to count as evidence

#: Titles of a guide box (导读): a short article of its own, however weak
#: the cue of the headline after it.
GUIDE_TITLES = ("导读", "本版导读", "今日导读", "本期导读", "内容导读", "要目", "今日要目", "本期要目", "本版提要")
_QA_TURN = re.compile(r"^(?:本报记者|记者|问|答|主持人|Q|A|([\u4e00-\u9fff]{2,4}))\s*[：:]")
_QA_ROLE = re.compile(r"^(?:本报记者|记者|问|答|主持人|Q|A)\s*[：:]")
_SIDEBAR_HEAD = re.compile(r"^(?:对话|专访|访谈|问答|追问|面对面)\s*|\s*(?:访谈录?|答记者问|问答|一问一答)$")


@dataclass
class Candidate:
    index: int
    score: float
    cue: str
    block: HeadBlock
    opening: bool         # the article opens with a named byline / author line / named lead
    detail: str = ""
    weak: bool = False    # after a full stop only, and no opening cue under its block


def _prev_ending(units: list[Unit], i: int) -> str:
    """What the unit before ``units[i]`` is, if it ends something: its kind or ``sentence``."""
    k = i - 1
    while k >= 0 and units[k].kind == "photo":
        k -= 1
    if k < 0:
        return "start"
    u = units[k]
    if u.kind == "byline":
        if k > 0 and heading_like(units[k - 1], 90) and not u.glued:
            return ""  # an opening byline under its headline ends nothing
        return "byline" if u.byline and u.byline.names else "credit"
    if u.kind in ("teaser", "signature", "date", "label"):
        return u.kind
    if u.kind == "editor" or _EDITOR_NOTE_END.search(collapse(u.text)[-5:]):
        return "sentence"
    return "sentence" if ends_sentence(u.text) else ""


def _mark_signatures(units: list[Unit]) -> None:
    """A short signature line between a finished paragraph and a headline-like
    line (or the page's end) ends a letter; so do signers above a date."""
    n = len(units)
    for i, u in enumerate(units):
        if u.kind != "para" or i == 0 or not ends_sentence(units[i - 1].text) and units[i - 1].kind == "para":
            continue
        nxt = units[i + 1] if i + 1 < n else None
        if nxt is not None and not heading_like(nxt, 90) and nxt.kind not in ("byline", "date", "label"):
            continue
        sig = parse_signature(u.text)
        if sig is not None:
            u.kind, u.names = "signature", sig
    for i, u in enumerate(units):
        if u.kind == "date":
            k = i - 1
            while k > 0 and units[k].kind == "para" and is_org_name(units[k].text):
                units[k].kind, units[k].names = "signature", [collapse(units[k].text)]
                k -= 1


def _candidate(units: list[Unit], i: int, hints: Hints) -> Candidate | None:
    prev = _prev_ending(units, i)
    if not prev:
        return None
    strong = prev in ("start", "byline", "credit", "teaser", "signature", "date", "label")
    first_limit = 90 if strong else 40
    if not heading_like(units[i], first_limit):
        return None
    hb = head_block(units, i, hints, first_limit)
    if hb.end == i:
        return None
    score = _BASE + _AFTER.get(prev, 0.0)
    cues: list[tuple[float, str]] = []
    if prev != "sentence":
        cues.append((_AFTER.get(prev, 0.0), "after-" + prev))
    nxt = units[hb.end] if hb.end < len(units) else None
    opening = _opening_cue(nxt)
    named = False
    if opening:
        if opening in ("opening-byline", "author-line"):
            named = True
        elif opening in ("lead", "dateline"):
            lead = parse_lead(nxt.text)[0] if nxt is not None else None
            named = bool(lead and lead.names)
        score += _OPENING
        cues.append((_OPENING, opening))
    elif nxt is not None and is_summary_line(nxt):
        run = 1
        while hb.end + run < len(units) and is_summary_line(units[hb.end + run]):
            run += 1
        weight = _SUMMARY if run >= 2 else _SUMMARY_ONE
        score += weight
        cues.append((weight, "summary"))
    if hb.dash:
        score += _DASH
        cues.append((_DASH, "subtitle-dash"))
    if hb.lines >= 2:
        score += _BLOCK
        cues.append((_BLOCK, "headline-block"))
    if _multi_part(units[i].text) or (hb.lines >= 2 and _multi_part(hb.title)):
        score += _TWO_PART
        cues.append((_TWO_PART, "two-part-headline"))
    title_unit = collapse(units[i].text)
    if _NUMBERED.match(title_unit):
        score += _NUMBERED_PENALTY
        cues.append((_NUMBERED_PENALTY, "numbered-subhead"))
    if ((hb.lines >= 2 and is_surname_name(title_unit) and _TITLE_WORDS.search(collapse(units[i + 1].text)))
            or (prev == "signature" and _TITLE_WORDS.search(title_unit))):
        score += _NUMBERED_PENALTY
        cues.append((_NUMBERED_PENALTY, "speaker-label"))
    if len(title_unit) <= 8:
        score += _SHORT
        cues.append((_SHORT, "short"))
    if nxt is None:
        score -= 2.0
    if prev == "start":
        cue = "page-start"
    else:
        positive = [c for c in cues if c[0] > 0]
        cue = max(positive)[1] if positive else "headline"
    weak = prev == "sentence" and not opening
    detail = _series_key(title_unit)
    if not detail and weak and len(hb.title.replace(" ", "")) <= 8:
        detail = "short"
    if _sidebar(units, i, hb):
        score += _SIDEBAR
        cue = "sidebar"
    return Candidate(i, score, cue, hb, named, detail=detail, weak=weak)


def _sidebar(units: list[Unit], i: int, hb: HeadBlock) -> bool:
    """Is the block at ``units[i]`` a Q&A sidebar (对话X) of the story before it?

    Only if the text says so: the block is followed by question-and-answer
    turns (``记者：``, ``问：``, ``周某：``; two at least in its first four
    paragraphs), and the person the sidebar names —
    in its headline (对话周某, 周某访谈) or as a speaker of its turns — is
    named in the text just before it.
    """
    turns = [u for u in units[hb.end:hb.end + 4] if u.kind == "para"]
    if not turns or not _QA_TURN.match(collapse(turns[0].text)) or sum(
            1 for u in turns if _QA_TURN.match(collapse(u.text))) < 2:
        return False
    subjects: set[str] = set()
    stripped = _SIDEBAR_HEAD.sub("", hb.title)
    if stripped != hb.title and 2 <= len(stripped) <= 8:
        subjects.add(stripped)
    for u in turns:
        m = _QA_TURN.match(collapse(u.text))
        if m and m.group(1):
            subjects.add(m.group(1))
    if not subjects:
        return False
    before = "".join(u.text for u in units[max(0, i - 40):i])
    return any(s in before for s in subjects)


def _series_key(title: str) -> str:
    """The shape a run of parallel sub-heads shares: a four-character phrase
    (缓解焦虑, “爱心名册”), or a short lead part before a gap (黄浦区  …, 长宁区  …)."""
    bare = title.strip("“”\"'「」")
    if re.fullmatch(r"[\u4e00-\u9fff]{4}", bare):
        return "four-character"
    parts = re.split(r" {2,}|\u3000+| ", title)
    if len(parts) >= 2 and 2 <= len(parts[0]) <= 4:
        return "lead-part:" + parts[0][-1]
    return ""


def _lone_blocks(units: list[Unit], cands: dict[int, Candidate]) -> None:
    """A weak kicker+headline block alone between two article ends is a new
    article's headline: sub-heads come in series, and a two-line sub-head
    with no other sub-head before the next byline is rare."""
    strong = ("byline", "teaser", "signature", "date")
    for i, c in cands.items():
        if not c.weak or c.block.lines < 2 or c.block.poem:
            continue
        a = i - 1
        while a > 0 and units[a].kind not in strong:
            a -= 1
        b = c.block.end
        while b < len(units) and units[b].kind not in strong:
            b += 1
        others = [k for k, o in cands.items() if a < k < b and o.weak and not i <= k < c.block.end]
        if not others:
            c.score += _LONE_BLOCK
            if c.cue in ("headline", "headline-block", "two-part-headline"):
                c.cue = "lone-headline-block"


def _topic_shifts(units: list[Unit], cands: dict[int, Candidate]) -> None:
    """A weak headline where the text changes subject (the paragraphs before
    and after it share almost no content words, :mod:`index.cohesion`)
    leans towards a new article — by less than any explicit cue, so such a
    split comes out uncertain: two unsigned articles in a row have no other
    cue a sub-head lacks."""
    strong = ("byline", "teaser", "signature", "date")
    for i, c in cands.items():
        if not c.weak or c.block.poem:
            continue
        before = ""
        k = i - 1
        while k >= 0 and units[k].kind not in strong and len(before) < _TOPIC_WINDOW:
            if units[k].kind == "para":
                before = units[k].text + before
            k -= 1
        after = ""
        k = c.block.end
        while k < len(units) and units[k].kind not in strong and len(after) < _TOPIC_WINDOW:
            if units[k].kind == "para":
                after += units[k].text
            k += 1
        before, after = before[-_TOPIC_WINDOW:], after[:_TOPIC_WINDOW]
        if min(han_length(before), han_length(after)) < _TOPIC_MIN:
            continue
        if cohesion(before, after) < _TOPIC_SHIFT_BELOW:
            c.score += _TOPIC_SHIFT
            if c.cue in ("headline", "headline-block", "two-part-headline"):
                c.cue = "topic-shift"


def _closing(units: list[Unit], a: int, b: int) -> bool:
    """Does the article units[a:b] end with a named byline or a signature?"""
    k = b - 1
    while k > a and units[k].kind in ("photo",):
        k -= 1
    if k <= a:
        return False
    u = units[k]
    return (u.kind == "byline" and bool(u.byline and u.byline.names)) or u.kind == "signature"


def _logistic(margin: float) -> float:
    return 1.0 / (1.0 + math.exp(-abs(margin)))


@dataclass
class Segment:
    start: int
    end: int
    candidate: Candidate | None
    start_conf: float
    end_conf: float
    inner_conf: float
    doubt: str


def segment(units: list[Unit], hints: Hints) -> list[Segment]:
    """Where the articles of a page begin and end (see the module docstring)."""
    n = len(units)
    if n == 0:
        return []
    _mark_signatures(units)
    cands: dict[int, Candidate] = {}
    first = _candidate(units, 0, hints)
    for i in range(1, n):
        c = _candidate(units, i, hints)
        if c is not None:
            cands[i] = c
    keys: dict[str, int] = {}
    for c in cands.values():
        if c.detail:
            keys[c.detail] = keys.get(c.detail, 0) + 1
    for c in cands.values():
        need = _SHORT_SERIES if c.detail == "short" else 2
        if c.detail and keys[c.detail] >= need:  # parallel sub-heads of one article
            c.score += _SERIES_PENALTY
    _lone_blocks(units, cands)
    _topic_shifts(units, cands)
    bounds = [0] + sorted(cands) + [n]
    m = len(bounds)
    local = [0.0] + [cands[b].score for b in bounds[1:-1]] + [0.0]
    opening = [bool(first and first.opening)] + [cands[b].opening for b in bounds[1:-1]] + [False]

    guide = [bool(first and first.block.title in GUIDE_TITLES)] + [
        cands[b].block.title in GUIDE_TITLES for b in bounds[1:-1]] + [False]

    def seg_score(j: int, k: int) -> float:
        s = local[j]
        if opening[j] and _closing(units, bounds[j], bounds[k]):
            s += _TWO_BYLINES
        if guide[j] and k > j + 1:
            s += _GUIDE_SWALLOW
        return s

    window = 40
    neg = -1e9
    fwd = [neg] * m
    fwd[0] = 0.0
    back = [0] * m
    for k in range(1, m):
        for j in range(max(0, k - window), k):
            v = fwd[j] + seg_score(j, k)
            if v > fwd[k]:
                fwd[k], back[k] = v, j
    bwd = [neg] * m
    bwd[m - 1] = 0.0
    for j in range(m - 2, -1, -1):
        for k in range(j + 1, min(m, j + window + 1)):
            v = seg_score(j, k) + bwd[k]
            if v > bwd[j]:
                bwd[j] = v
    chosen = []
    k = m - 1
    while k > 0:
        k = back[k]
        chosen.append(k)
    chosen_set = set(chosen)
    conf = [1.0] * m
    for k in range(1, m - 1):
        with_k = fwd[k] + bwd[k]
        without = neg
        for j in range(max(0, k - window), k):
            for l_ in range(k + 1, min(m, j + window + 1)):
                v = fwd[j] + seg_score(j, l_) + bwd[l_]
                if v > without:
                    without = v
        if without <= neg / 2:
            conf[k] = 1.0
        else:
            conf[k] = _logistic(with_k - without)
    starts = sorted(chosen_set)
    segments: list[Segment] = []
    for idx, s in enumerate(starts):
        e_idx = starts[idx + 1] if idx + 1 < len(starts) else m - 1
        inner = [k for k in range(s + 1, e_idx)]
        inner_conf = min((conf[k] for k in inner), default=1.0)
        pieces = []
        if s and conf[s] < UNCERTAIN_BELOW:
            pieces.append(f"line {units[bounds[s]].line} may not start a new article"
                          f" (confidence {conf[s]:.2f})")
        if e_idx < m - 1 and conf[e_idx] < UNCERTAIN_BELOW:
            pieces.append(f"may run on past line {units[bounds[e_idx]].line}"
                          f" (confidence {conf[e_idx]:.2f})")
        for k in inner:
            if conf[k] < UNCERTAIN_BELOW:
                pieces.append(f"line {units[bounds[k]].line} may start another article:"
                              f" {collapse(units[bounds[k]].text)[:20]!r} (confidence {conf[k]:.2f})")
        doubt = "; ".join(pieces)
        segments.append(Segment(
            start=bounds[s], end=bounds[e_idx],
            candidate=cands.get(bounds[s]) if s else first,
            start_conf=conf[s] if s else 1.0,
            end_conf=conf[e_idx] if e_idx < m - 1 else 1.0,
            inner_conf=inner_conf, doubt=doubt))
    return segments


# --------------------------------------------------------------------------
# Pages

def parse_page(text: str, name: str, problems: list[Problem],
               warnings: list[Problem] | None = None, hints: Hints | None = None,
               paper: str | None = None) -> Iterator[Article]:
    """The articles of a newspaper page's text.

    ``paper`` (else ``hints.paper``, else the name from the file or its
    directory, else none) is every article's ``source`` unless
    a credit (新华社, 正观新闻·郑州晚报) names another.  Uncertain decisions are
    appended to ``warnings`` (``severity="warning"``); the best reading is
    still returned.
    """
    hints = hints or Hints()
    if paper is None:
        paper = hints.paper or paper_from_path(name) or ""
    date = date_from_filename(name)
    units = to_units(text, hints.labels)
    while units and units[0].kind == "label":  # a column's name above its first article
        units.pop(0)
    segments = segment(units, hints)
    base = os.path.basename(name)
    position = 0
    for seg in segments:
        group = units[seg.start:seg.end]
        cand = seg.candidate
        if cand is not None and cand.block.title:
            hb = cand.block
            rest = units[hb.end:seg.end]
        else:
            hb = HeadBlock()
            rest = group
        body = read_body(rest, after_title=bool(hb.title))
        if not hb.title and not body.paragraphs:
            problems.append(Problem(name, group[0].line if group else 0, "article has neither title nor body"))
            continue
        confidence = min(seg.start_conf, seg.end_conf, seg.inner_conf)
        start_cue = cand.cue if cand is not None else "page-start"
        if cand is not None and body.opening and start_cue in ("headline", "headline-block", "page-start"):
            start_cue = start_cue if start_cue == "page-start" else body.opening
        end_cue = body.closing or ("page-end" if seg.end == len(units) else "next-headline")
        info = ParseInfo(start_cue, end_cue, round(confidence, 3), seg.doubt)
        position += 1
        art = make_article(hb.kicker, hb.title, hb.subtitle, body, date=date, paper=paper,
                           place=f"{base}#{position}")
        art.parse = info
        art.origin, art.line = name, group[0].line
        if info.uncertain and warnings is not None:
            warnings.append(Problem(name, art.line, f"uncertain split: {seg.doubt or 'weak cues'}",
                                    severity="warning"))
        yield art


def make_article(kicker: str, title: str, subtitle: str, body: Body, *, date: dt.date | None,
                 paper: str, place: str, page: str = "", authors: list[str] | None = None,
                 author: str = "", source: str = "", **fields: object) -> Article:
    """An :class:`Article` from a read body and its headline fields.

    ``authors`` (a CSV's author column) win over the names the text gave;
    ``source`` over the credit, the credit over ``paper``.
    """
    names = list(authors) if authors else list(body.names)
    credit = body.credit if body.credit and body.credit not in LOCAL_CREDITS else ""
    src = source or (credit if credit and credit != paper else paper)
    page_no, section = parse_page_field(page) if page else (None, "")
    extra = dict(fields.pop("extra", {}) or {})  # type: ignore[call-overload]
    if body.affiliation:
        extra["affiliation"] = body.affiliation
    text = body.text
    return Article(
        id=str(fields.pop("id", "") or "") or derive_id(src, date, title, text, place=f"{page}|{place}"),
        kicker=kicker, title=title, subtitle=subtitle, body=text, date=date, source=src,
        author=author or "、".join(names), authors=names, summary="\n".join(body.summary),
        page=page, page_no=page_no, section=section, teaser=body.teaser, extra=extra,
        **fields,  # type: ignore[arg-type]
    )
