"""Bylines, credits, datelines and signatures of Chinese newspaper articles.

A byline names who wrote an article (``本报记者  杨洁  通讯员  刘一剑``); a
credit names where it came from (``（新华社）``, ``正观新闻·郑州晚报记者 张立``);
a dateline opens a wire or local story (``新华社北京4月1日电``,
``【新华社北京四月一日电】``, ``本报讯（记者 X）``).  Each is read into a
:class:`Byline`: the credit (empty for the paper itself, 本报), and the
names with their roles (记者, 通讯员 …) dropped.

Every matcher works on the *folded* text (:func:`index.normalization.fold`:
Traditional to Simplified, full- to half-width, same length) and takes its
groups from the original, so 記者 and 记者 read the same while names keep
the characters as printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: The paper's own credit: never a ``source`` different from the paper.
LOCAL_CREDITS = ("本报", "本刊", "本台", "本网")
MAX_BYLINE = 48

#: Common Chinese surnames (single and compound); a bare name — an essay's
#: author alone on a line, a name glued to the end of an article — must
#: start with one, so that two-character words are not taken for people.
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
                      "令狐", "夏侯", "宇文", "司徒", "端木", "西门", "南宫", "独孤")
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱"
    "严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚"
    "符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农"
    "司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁"
    "沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼"
    "盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都"
    "普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居"
    "揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由忻")

_ROLE = (
    r"(?:本报|本刊|本台|本网)?"
    r"(?:(?:特约|首席|见习|实习|特派|驻[^\s（(]{1,6}?|摄影|融媒体|全媒体)?(?:记者|通讯员)|实习生"
    r"|(?<![^\s（(])(?:文/图|图/文|文|图|摄影|摄|撰文|执笔|编辑)(?=[\s/:：|]))"
)
_ROLE_RE = re.compile(_ROLE)
_SEPARATORS = re.compile(r"[\s、，,/：:|]+")
_NAME = re.compile(r"^[\u3400-\u9fff]{2,4}$|^[\u3400-\u9fff]{1,8}(?:[·•][\u3400-\u9fff]{1,8}){1,3}$")
_CREDIT_ONLY = re.compile(
    r"^[（(]\s*(?:据|综合)?\s*(?P<credit>[^\s（）()，。]{2,14}?(?:社|报|网|台|新闻|客户端|综合))"
    r"(?:电|讯|消息|报道)?\s*[）)]$")
_NUM = r"(?:\d{1,2}|[一二三四五六七八九十〇零]{1,3})"
_DAY = r"(?:\d{1,2}|[一二三四五六七八九十廿卅〇零]{1,3})"
_DATELINE = re.compile(
    r"^(?P<open>[【\[])?\s*(?:据)?(?P<credit>新华社|中新社|本报|本刊|[^\s，。（(【】\d]{2,12}?(?:社|报|网|台))"
    r"(?P<place>[^\s，。（(【】\d]{0,10}?)(?P<date>" + _NUM + r"月" + _DAY + r"日)?\s*(?:专)?(?:电|讯)"
    r"(?(open)\s*[】\]])")
_REPORTED = re.compile(r"^\s*(?:记者|通讯员)(?P<names>[^，。：:（）()]{2,20}?)报道\s*[：:]")
_DATE_LINE = re.compile(r"^(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$"
                        r"|^[一二三〇零○]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十廿卅]{1,3}日$")
_HONORIFIC = re.compile(r"(?:先生|女士|老师|同学|阿姨|伯伯|师傅|小朋友|读者|市民|网友)$")
_SENTENCE_END = "。！？!?…”」』"


def fold(text: str) -> str:
    from .normalization import fold as _fold

    return _fold(text)


@dataclass
class Byline:
    """Who wrote an article and where it came from.

    ``source`` is a credit other than the paper itself (新华社, 正观新闻·郑州晚报),
    empty for 本报.  ``reporters`` and ``correspondents`` are names only.
    """

    source: str
    reporters: list[str] = field(default_factory=list)
    correspondents: list[str] = field(default_factory=list)
    printed: list[str] = field(default_factory=list)  # every name, in printed order

    @property
    def names(self) -> list[str]:
        out: list[str] = []
        for name in self.printed + self.reporters + self.correspondents:
            if name not in out:
                out.append(name)
        return out

    @property
    def author(self) -> str:
        return "、".join(self.names)


def is_surname_name(text: str) -> bool:
    """``text`` is a bare Chinese personal name: 2–4 Han characters that start
    with a common surname (so ``充分准备`` is not a person but ``林夏萨摩`` is)."""
    text = text.strip()
    if not _NAME.match(text):
        return False
    if "·" in text or "•" in text:
        return True
    folded = fold(text)
    if folded[:2] in _COMPOUND_SURNAMES:
        return 3 <= len(text) <= 4
    return folded[0] in _SURNAMES


def _split_names(text: str) -> list[str] | None:
    """Names from ``张三 李四``/``张三、李四``; None if any token is not a name."""
    tokens = [t for t in _SEPARATORS.split(text.strip().strip("（）()")) if t]
    if not tokens or not all(_NAME.match(t) for t in tokens):
        return None
    return tokens


def parse_byline(line: str) -> Byline | None:
    """The byline a whole line is, or None.

    A byline has at least one role word (记者, 通讯员, 文/图 …), optionally a
    credit before it (``本报``, ``正观新闻·郑州晚报``, ``新华社``), and names
    after each role; ``（新华社）`` alone is a credit.  Bylines are short and
    never sentences.
    """
    line = line.strip()
    if not line or len(line) > MAX_BYLINE or line.endswith(("。", "！", "？", "；", "，")):
        return None
    folded = fold(line)
    m = _CREDIT_ONLY.match(folded)
    if m:
        credit = line[m.start("credit"):m.end("credit")]
        return Byline("" if credit in LOCAL_CREDITS else credit)
    inner, inner_f = line, folded
    if folded[0] in "(（" and folded[-1] in ")）":
        inner, inner_f = line[1:-1], folded[1:-1]
    roles = list(_ROLE_RE.finditer(inner_f))
    if not roles:
        return None
    prefix = inner[:roles[0].start()].strip(" ·:：")
    if prefix and (len(prefix) > 20 or re.search(r"[\s，。！？“”]", prefix)):
        return None
    reporters: list[str] = []
    correspondents: list[str] = []
    printed: list[str] = []
    for k, role in enumerate(roles):
        end = roles[k + 1].start() if k + 1 < len(roles) else len(inner)
        chunk = inner[role.end():end]
        if not chunk.strip(" :：/|·"):
            if k + 1 < len(roles):
                continue  # 文/图 记者 X: roles one after another
            return None
        names = _split_names(chunk.strip(" :：/|·"))
        if names is None:
            return None
        (correspondents if "通讯员" in role.group(0) else reporters).extend(names)
        printed.extend(names)
    local = prefix in LOCAL_CREDITS or any(r.group(0).startswith(LOCAL_CREDITS) for r in roles[:1])
    return Byline("" if local else prefix, reporters, correspondents, printed)


def split_glued_byline(paragraph: str) -> tuple[str, Byline | None, str]:
    """A byline glued to the end of a paragraph: (text before, byline, byline text).

    ``……谢谢他们！”    本报记者  杨洁  通讯员  刘一剑`` (also with no space
    between) and a bare name after the last full stop (``……的方式。应健中``).
    The paragraph must end a sentence before the byline.
    """
    folded = fold(paragraph)
    best: tuple[str, Byline | None, str] = (paragraph, None, "")
    for m in re.finditer(r"[。！？!?…”」』）)]", folded):
        cut = m.end()
        tail = paragraph[cut:].strip()
        if not tail or len(tail) > MAX_BYLINE:
            continue
        byline = parse_byline(tail)
        if byline is None and is_surname_name(tail) and len(tail) <= 3:
            byline = Byline("", [tail])
        if byline is not None and (byline.names or byline.source):
            return paragraph[:cut].rstrip(), byline, tail
    return best


def parse_lead(paragraph: str) -> tuple[Byline | None, str, str]:
    """A dateline or ``本报讯`` opening a body: (byline, rest of the paragraph, cue).

    ``本报讯（记者 X）…``, ``本报讯  …`` (no name), ``新华社北京4月1日电（记者 X）…``,
    ``【新华社北京四月一日电】…``, ``本报上海4月1日讯记者X报道：…``.  The cue is
    ``lead`` or ``dateline``; (None, paragraph, "") when there is none.
    """
    folded = fold(paragraph)
    m = _DATELINE.match(folded)
    if not m:
        return None, paragraph, ""
    credit = paragraph[m.start("credit"):m.end("credit")]
    if m.group("credit") == "本报" and not m.group("date") and m.group("place"):
        return None, paragraph, ""  # 本报X讯 without a date is not a dateline
    if (not m.group("date") and m.group("credit") not in LOCAL_CREDITS and "讯" not in m.group(0)
            and not m.group(0).lstrip("【[ ").startswith("据")):
        return None, paragraph, ""  # 新华社电 needs a date; X讯 is enough
    end = m.end()
    byline = Byline("" if credit in LOCAL_CREDITS else credit)
    rest_f = folded[end:]
    paren = re.match(r"^\s*[（(](?P<inner>[^）)]{1,40})[）)]", rest_f)
    reported = _REPORTED.match(rest_f)
    if paren:
        inner = paragraph[end + paren.start("inner"):end + paren.end("inner")]
        parsed = parse_byline(inner) or parse_byline("记者 " + inner)
        if parsed is not None:
            byline.reporters, byline.correspondents = parsed.reporters, parsed.correspondents
            byline.printed = parsed.printed
            end += paren.end()
    elif reported:
        names = _split_names(paragraph[end + reported.start("names"):end + reported.end("names")])
        if names:
            byline.reporters = names
            end += reported.end()
    rest = paragraph[end:].lstrip(" 　:：")
    if not rest:
        return None, paragraph, ""
    return byline, rest, "dateline" if m.group("date") else "lead"


def parse_credit_line(line: str) -> Byline | None:
    """``（新华社）`` / ``（记者 X）`` closing a brief: a credit or byline in parentheses."""
    line = line.strip()
    if not line or line[0] not in "(（":
        return None
    return parse_byline(line)


def parse_author_line(line: str) -> tuple[list[str], str] | None:
    """An essay's author alone on a line: (names, affiliation) or None.

    ``林夏萨摩``, ``◆朱光``, ``◆  何建明``, ``许瓒  北京市第一七一中学  初三（20）班``,
    ``文/张三``.  A plain line must start with a surname-led name; after a
    marker (◆ ■ ● …) any 2–4 character name is taken.
    """
    line = line.strip()
    if not line or len(line) > 40 or line.endswith(("。", "！", "？", "，", "；", "：")):
        return None
    marked = line[0] in "◆■●▲★◇□○◎"
    text = line.lstrip("◆■●▲★◇□○◎ 　")
    m = re.match(r"^(?:文|作者)\s*[/／|｜:：]\s*", fold(text))
    if m:
        text, marked = text[m.end():], True
    parts = [p for p in re.split(r"[ \t　]{2,}|[ \t　]*[|｜][ \t　]*", text) if p]
    if not parts:
        return None
    name = parts[0].strip()
    names = _split_names(name)
    if not names or len(names) > 3:
        return None
    if not marked and not all(is_surname_name(n) for n in names):
        return None
    affiliation = "  ".join(parts[1:]).strip()
    if affiliation and re.search(r"[。！？]", affiliation):
        return None
    return names, affiliation


def is_date_line(line: str) -> bool:
    """``2022年6月1日`` (or ``二〇二二年六月一日``) alone: a letter's date."""
    return bool(_DATE_LINE.match(fold(line.strip())))


def parse_signature(line: str) -> list[str] | None:
    """A reader's or sender's signature on the last line of a letter:
    ``浦东新区南林路658弄银杏苑  张先生``, ``读者 李明``, a bare surname-led name.
    Returns the names signed (the honorific kept: 张先生), or None."""
    line = line.strip()
    if not line or len(line) > 40 or re.search(r"[。！？，；：]", line):
        return None
    parts = [p for p in re.split(r"[ \t　]+", line) if p]
    last = parts[-1]
    folded = fold(last)
    if len(parts) == 1:
        if is_surname_name(last) and len(last) <= 3:
            return [last]
        return None
    if parts[0] in ("读者", "网友", "市民") and _NAME.match(last):
        return [last]
    if _HONORIFIC.search(folded) and 3 <= len(last) <= 5 and fold(last[0]) in _SURNAMES:
        return [last]
    return None


def is_org_name(line: str) -> bool:
    """A short organisation name signing a letter (中共上海市委, 上海市人民政府)."""
    line = line.strip()
    return (2 < len(line) <= 20 and not re.search(r"[\s，。！？：；、“”]", line)
            and bool(re.search(r"(?:委|委员会|政府|办公厅|办公室|部|局|院|会|厅|社|报|团|组|室|中心|公司)$", line)))
