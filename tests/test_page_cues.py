"""Each cue of a newspaper page, on small pages written for these tests."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from index.articles import Problem
from index.pages import parse_page, parse_page_field, read_body, to_units
from index.sources import read_sources


def parse(text: str, name: str = "测试日报-2024-03-05.txt"):
    problems: list[Problem] = []
    warnings: list[Problem] = []
    arts = list(parse_page(text, name, problems, warnings=warnings))
    return arts, problems, warnings


def fields(arts):
    return [(a.kicker, a.title, a.subtitle, a.authors) for a in arts]


def test_compact_page_without_closing_bylines_is_three_articles():
    page = ("滨江步道今日全线贯通\n"
            "本报讯（记者 林晓）滨江步道今天全线贯通，市民可以沿江步行十公里。\n"
            "沿线新建了八处驿站，提供饮水和休息座椅。\n"
            "老街区换上新路灯\n"
            "本报讯 记者昨天从区建设局获悉，老街区的路灯全部换成了节能灯。\n"
            "新路灯比原来亮了一倍，耗电却少了一半。\n"
            "春天的河岸\n"
            "周明远\n"
            "河岸的柳树发芽了，孩子们在堤上放风筝。\n"
            "我站在桥上看了很久，想起了小时候的春天。\n")
    arts, problems, warnings = parse(page)
    assert problems == [] and warnings == []
    assert fields(arts) == [("", "滨江步道今日全线贯通", "", ["林晓"]),
                            ("", "老街区换上新路灯", "", []),
                            ("", "春天的河岸", "", ["周明远"])]
    assert arts[0].body.startswith("滨江步道今天全线贯通")  # 本报讯（记者 X） left the body
    assert arts[1].body.startswith("记者昨天从区建设局获悉")
    assert arts[2].body.startswith("河岸的柳树")  # the essay's author is not body text
    assert [(a.parse.start, a.parse.end) for a in arts] == [
        ("page-start", "next-headline"), ("lead", "next-headline"), ("author-line", "page-end")]


def test_kicker_headline_subtitle_with_and_without_dashes():
    page = ("市气象台提示：寒潮将至\n"
            "本周末将迎来今年首场寒潮\n"
            "最低气温或跌破零度  请市民注意防寒保暖\n"
            "本报记者  韩雪\n"
            "市气象台昨天发布消息，本周末一股强冷空气将影响本市。\n"
            "气象专家提醒市民及时添衣。\n"
            "奔跑乐手  月行万里\n"
            "——记城市马拉松志愿乐队\n"
            "每逢比赛日，乐队都会早早来到赛道旁。\n"
            "本报记者 蒋涛\n")
    arts, problems, warnings = parse(page)
    assert problems == [] and warnings == []
    assert fields(arts) == [
        ("市气象台提示：寒潮将至", "本周末将迎来今年首场寒潮", "最低气温或跌破零度 请市民注意防寒保暖", ["韩雪"]),
        ("", "奔跑乐手 月行万里", "记城市马拉松志愿乐队", ["蒋涛"]),
    ]
    assert arts[0].parse.start == "page-start" and arts[1].parse.start == "subtitle-dash"


@pytest.mark.parametrize("closing, authors", [
    ("本报记者  杨帆  通讯员  高远", ["杨帆", "高远"]),
    ("本报通讯员  方圆  记者  程亮", ["方圆", "程亮"]),
    ("记者 张一 李二 王三", ["张一", "李二", "王三"]),
])
def test_byline_glued_to_the_last_paragraph(closing, authors):
    page = ("社区食堂开门迎客\n"
            "    社区食堂今天开门，老人吃饭可以打八折。    每天中午供应三菜一汤。" + closing + "\n"
            "公园新添健身器材\n"
            "    公园里新装了二十套健身器材。\n")
    arts, problems, _ = parse(page)
    assert problems == []
    assert [a.title for a in arts] == ["社区食堂开门迎客", "公园新添健身器材"]
    assert arts[0].authors == authors and arts[0].author == "、".join(authors)
    assert arts[0].body == "社区食堂今天开门，老人吃饭可以打八折。\n每天中午供应三菜一汤。"
    assert arts[0].parse.end == "closing-byline"


def test_opening_byline_label_and_indented_paragraphs():
    page = ("　　自行车道修好了\n"
            "　　求助　　我家门口的自行车道坏了一个多月，骑车很危险。　　读者 陆先生\n"
            "　　首席记者  谭明\n")
    arts, problems, _ = parse(page)
    assert problems == [] and len(arts) == 1
    page2 = ("修好的自行车道\n"
             "    首席记者  谭明    记者接到求助后，联系了区市政部门。    第二天，施工队就来了。\n")
    (art,), _, _ = parse(page2)
    assert art.authors == ["谭明"] and art.body == "记者接到求助后，联系了区市政部门。\n第二天，施工队就来了。"
    assert art.parse.start == "page-start"
    (letter,), _, _ = parse("自行车道坏了\n求助\n我家门口的自行车道坏了一个多月，骑车很危险。\n")
    assert letter.body == "我家门口的自行车道坏了一个多月，骑车很危险。"  # the label is not body text


def test_briefs_column_with_credits():
    page = ("新闻简报\n"
            "  多国举行植树活动\n"
            "  多个国家本周举行植树活动，参与者超过百万人。\n"
            "（新华社）\n"
            "  国际航班恢复运营\n"
            "  多条国际航线本月起恢复运营。\n"
            "（记者 钟灵）\n"
            "  高铁新线开通\n"
            "  新华社北京3月4日电 一条新的高铁线路今天开通运营。\n")
    arts, problems, warnings = parse(page, "简报-2024-03-05.txt")
    assert problems == [] and warnings == []
    assert [(a.title, a.source, a.authors) for a in arts] == [
        ("多国举行植树活动", "新华社", []),
        ("国际航班恢复运营", "简报", ["钟灵"]),
        ("高铁新线开通", "新华社", []),
    ]
    assert arts[2].body == "一条新的高铁线路今天开通运营。"
    assert [a.parse.start for a in arts] == ["page-start", "after-credit", "after-byline"]


@pytest.mark.parametrize("lead, source, authors, rest", [
    ("新华社北京3月4日电 国务院今天召开常务会议。", "新华社", [], "国务院今天召开常务会议。"),
    ("【新华社北京三月四日电】国务院今天召开常务会议。", "新华社", [], "国务院今天召开常务会议。"),
    ("新华社北京3月4日电（记者 马骏 白露）国务院今天召开常务会议。", "新华社", ["马骏", "白露"], "国务院今天召开常务会议。"),
    ("本报杭州3月4日讯记者郑思远报道：西湖边的樱花开了。", "测试日报", ["郑思远"], "西湖边的樱花开了。"),
    ("本报讯（记者 吴桐 通讯员 沈月）西湖边的樱花开了。", "测试日报", ["吴桐", "沈月"], "西湖边的樱花开了。"),
])
def test_datelines(lead, source, authors, rest):
    (art,), problems, _ = parse("标题一则新闻\n" + lead + "\n")
    assert problems == []
    assert (art.source, art.authors, art.body) == (source, authors, rest)


def test_letters_notes_and_poems():
    page = ("致老邻居的一封信\n"
            "亲爱的老邻居们：\n"
            "搬家以后，我常常想念大家。\n"
            "祝大家身体健康。\n"
            "读者 孔祥云\n"
            "编者的话\n"
            "这封来信让我们很感动，今天刊出与读者分享。——编者\n"
            "春之歌\n"
            "文/林一帆\n"
            "风吹过山岗\n"
            "花开在路旁\n"
            "燕子回来了\n"
            "田野一片金黄\n")
    arts, problems, _ = parse(page)
    assert problems == []
    assert [(a.title, a.authors) for a in arts] == [
        ("致老邻居的一封信", ["孔祥云"]), ("编者的话", []), ("春之歌", ["林一帆"])]
    assert arts[0].body.endswith("祝大家身体健康。")  # the signature left the body
    assert arts[1].body.endswith("——编者")
    assert arts[2].paragraphs == ["风吹过山岗", "花开在路旁", "燕子回来了", "田野一片金黄"]  # not headlines


def test_summary_lines_and_section_subheads():
    page = ("全市新建百座口袋公园\n"
            "口袋公园建在家门口，居民步行五分钟就能到达\n"
            "明年还将新建五十座，重点布局在老城区\n"
            "本报讯 今年全市新建口袋公园一百座，总面积超过二十万平方米。\n"
            "家门口的绿地\n"
            "在老城区，许多口袋公园由闲置地块改建而成。\n"
            "设计听民意\n"
            "每座公园的设计方案都征求了周边居民的意见。\n"
            "本报记者 毛欣然\n")
    (art,), problems, warnings = parse(page)
    assert problems == [] and warnings == []
    assert art.summary.split("\n") == ["口袋公园建在家门口，居民步行五分钟就能到达", "明年还将新建五十座，重点布局在老城区"]
    assert art.body.startswith("今年全市新建口袋公园一百座")
    assert "家门口的绿地" in art.paragraphs and art.authors == ["毛欣然"]  # sub-heads stay inside


def test_teaser_is_a_short_flagged_article():
    page = ("聚焦全国两会特别报道\n两会今日开幕\n>>>详见第2版\n地铁新线试运行\n地铁新线今天开始试运行。\n")
    arts, problems, _ = parse(page)
    assert problems == []
    assert [(a.kicker, a.title, a.teaser) for a in arts] == [
        ("聚焦全国两会特别报道", "两会今日开幕", True), ("", "地铁新线试运行", False)]
    assert arts[0].parse.end == "page-end" or arts[0].body == ">>>详见第2版"


def test_column_break_is_repaired_and_photo_credit_dropped():
    page = ("河道整治见成效\n\n"
            "经过一年的整治，河道水质从劣五类提升到了三类，沿岸居民重新在河边散步、\n\n"
            "钓鱼，河道成了大家喜爱的去处。\n\n"
            "本版图片由区水务局提供\n\n"
            "本报记者 许可\n")
    (art,), problems, _ = parse(page)
    assert problems == [] and art.authors == ["许可"]
    assert art.paragraphs == ["经过一年的整治，河道水质从劣五类提升到了三类，沿岸居民重新在河边散步、钓鱼，河道成了大家喜爱的去处。"]


def test_an_unsettled_split_is_reported_and_the_best_reading_kept():
    page = ("城市书房开到社区\n"
            "全市第一百家城市书房在社区开放。\n"
            "阅读角  也是邻里客厅\n"
            "书房里还有一间活动室，居民常在这里聚会。\n")
    arts, problems, warnings = parse(page)
    assert problems == []
    assert len(warnings) == 1 and warnings[0].severity == "warning"
    assert str(warnings[0]).startswith("测试日报-2024-03-05.txt:") and "uncertain split" in str(warnings[0])
    assert any(a.parse.uncertain for a in arts)
    assert all(0.0 <= a.parse.confidence <= 1.0 for a in arts)


def test_parse_command_shows_cues_and_exits_3_only_for_uncertain(tmp_path):
    from api.cli import main

    sure = tmp_path / "sure.txt"
    sure.write_text("滨江步道今日全线贯通\n本报讯（记者 林晓）滨江步道今天全线贯通。\n", encoding="utf-8")
    unsure = tmp_path / "unsure.txt"
    unsure.write_text("城市书房开到社区\n全市第一百家城市书房在社区开放。\n阅读角  也是邻里客厅\n"
                      "书房里还有一间活动室，居民常在这里聚会。\n", encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(main, ["parse", str(sure)])
    assert ok.exit_code == 0 and "cut: page-start → page-end, confidence 1.00" in ok.output
    bad = runner.invoke(main, ["parse", "--json", str(unsure)])
    assert bad.exit_code == 3
    rows = [json.loads(line) for line in bad.stdout.splitlines()]
    assert {"start", "end", "confidence"} <= set(rows[0]["parse"])
    assert any(r["parse"]["confidence"] < 0.7 for r in rows)


def test_build_indexes_the_best_reading_without_exit_3(tmp_path):
    from api.cli import main

    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "unsure.txt").write_text(
        "城市书房开到社区\n全市第一百家城市书房在社区开放。\n阅读角  也是邻里客厅\n"
        "书房里还有一间活动室，居民常在这里聚会。\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(tmp_path / "pages"), "--index-dir", str(tmp_path / "ix"),
                                       "--quiet", "--procs", "1"])
    assert result.exit_code == 0, result.output
    assert "0 skipped" in result.output


def test_paper_name_from_a_settings_file_or_the_file_name(tmp_path):
    page = "公园新添健身器材\n公园里新装了二十套健身器材。\n"
    (tmp_path / "2024-03-05.txt").write_text(page, encoding="utf-8")
    (tmp_path / "江城晚报-2024-03-05.txt").write_text(page.replace("公园", "广场"), encoding="utf-8")
    arts = sorted(read_sources([str(tmp_path)], []), key=lambda a: a.title)
    assert [(a.title, a.source) for a in arts] == [("公园新添健身器材", ""), ("广场新添健身器材", "江城晚报")]
    (tmp_path / "newsearch.ini").write_text("[source]\npaper = 江城日报\n", encoding="utf-8")
    arts = list(read_sources([str(tmp_path)], []))
    assert {a.source for a in arts} == {"江城日报"}


def test_two_line_head_hint(tmp_path):
    page = "城市书房开到了居民家门口\n全市第一百家开张\n全市第一百家城市书房在社区开放。\n"
    (tmp_path / "p.txt").write_text(page, encoding="utf-8")
    (art,) = read_sources([str(tmp_path)], [])
    assert (art.kicker, art.title) == ("城市书房开到了居民家门口", "全市第一百家开张")  # the longer line is the kicker
    (tmp_path / "newsearch.ini").write_text("[source]\ntwo_line_head = subtitle\n", encoding="utf-8")
    (art,) = read_sources([str(tmp_path)], [])
    assert (art.title, art.subtitle) == ("城市书房开到了居民家门口", "全市第一百家开张")


def test_same_headline_twice_a_day_keeps_both_with_stable_ids(tmp_path):
    page = "导读\n今天的报纸有三个看点。\n本报记者 甲乙\n导读\n明天的报纸有四个看点。\n"
    (tmp_path / "2024-03-05.txt").write_text(page, encoding="utf-8")
    problems: list[Problem] = []
    first = [a.id for a in read_sources([str(tmp_path)], problems)]
    again = [a.id for a in read_sources([str(tmp_path)], [])]
    assert problems == [] and len(set(first)) == 2 and first == again


@pytest.mark.parametrize("value, number, section", [
    ("第6/7版:上海新闻", 6, "上海新闻"), ("1", 1, ""), ("A3", 3, ""), ("第12版：我们的节日", 12, "我们的节日"), ("", None, "")])
def test_page_field(value, number, section):
    assert parse_page_field(value) == (number, section)


def test_read_body_of_a_single_text():
    body = read_body(to_units("    ◆  秦川    这是一篇随笔的第一段。    这是最后一段。"))
    assert body.names == ["秦川"] and body.paragraphs == ["这是一篇随笔的第一段。", "这是最后一段。"]


def test_a_line_of_closing_marks_alone_is_read_not_raised():
    """Found by the random-bytes test: a page of just ``""`` crashed the headline test."""
    problems: list = []
    arts = list(parse_page('""\n', "page.txt", problems, warnings=[]))
    assert all("unexpected" not in p.reason for p in problems)
    assert len(arts) <= 1


def test_a_qa_sidebar_about_the_story_just_ended_stays_in_it():
    page = ("小将首战登上领奖台\n"
            "本报讯 十七岁的游泳小将林一舟昨天在全国锦标赛上获得男子二百米自由泳铜牌。\n"
            "赛后，林一舟说，自己最大的收获是找到了比赛的节奏。\n"
            "教练表示，他还有很大的提升空间。本报记者  陈默\n"
            "对话林一舟\n"
            "记者：第一次站上领奖台，是什么感觉？\n"
            "林一舟：很激动，也有一点不敢相信。\n"
            "记者：接下来有什么打算？\n"
            "林一舟：回去好好训练，争取下次游得更快。本报记者  陈默\n"
            "菜场延长营业时间\n"
            "本报讯 从下周起，城东社区菜场每天延长营业两小时。\n"
            "菜场负责人说，这是为了方便下班晚的居民。本报记者  李青\n"
            "对话王小梅\n"
            "记者：您在菜场卖菜多少年了？\n"
            "王小梅：快二十年了，看着这条街一点点变样。\n"
            "记者：最近生意怎么样？\n"
            "王小梅：比去年好，晚上来买菜的年轻人多了。本报记者  李青\n")
    arts, problems, warnings = parse(page)
    assert problems == [] and warnings == []
    # the sidebar names the story's swimmer: part of his story; the second
    # one names nobody the story before it did: an article of its own
    assert fields(arts) == [("", "小将首战登上领奖台", "", ["陈默"]), ("", "菜场延长营业时间", "", ["李青"]),
                            ("", "对话王小梅", "", ["李青"])]
    assert "对话林一舟" in arts[0].paragraphs and arts[0].body.endswith("争取下次游得更快。")


def test_a_lone_kicker_and_headline_after_an_unsigned_article_starts_one():
    page = ("全市中小学下周开学\n"
            "本报讯 全市中小学下周一正式开学，各校已完成校舍安全检查。\n"
            "教育部门提醒家长，提前帮助孩子调整作息。\n"
            "开学第一天，各校将举行升旗仪式。\n"
            "孩子放学早，家长下班晚怎么办？\n"
            "“课后服务”全面铺开\n"
            "从本学期起，全市小学全部开设课后服务，时间延长到下午五点半。\n"
            "课后服务以自主作业和兴趣活动为主，家长自愿报名。本报记者 唐宁\n")
    arts, problems, warnings = parse(page)
    assert problems == [] and warnings == []
    assert fields(arts) == [("", "全市中小学下周开学", "", []),
                            ("孩子放学早，家长下班晚怎么办？", "“课后服务”全面铺开", "", ["唐宁"])]
    assert arts[1].parse.start == "lone-headline-block"


def test_two_line_subheads_in_a_series_stay_in_their_article():
    page = ("老城区改造进入新阶段\n"
            "本报讯 老城区改造今年进入新阶段，三个街区将同步开工。\n"
            "安置的居民住到哪里去？\n"
            "安置房源已经全部落实到位\n"
            "区里已筹集安置房两千套，居民可以先看房再签约。\n"
            "有年头的老房子怎么办？\n"
            "四十栋老建筑按原样修缮\n"
            "街区内四十栋老建筑将按原样修缮。\n"
            "本报记者 唐宁\n")
    (art,), problems, _ = parse(page)
    assert problems == [] and art.authors == ["唐宁"]
    assert "安置房源已经全部落实到位" in art.paragraphs and art.body.endswith("将按原样修缮。")


def test_a_guide_box_is_an_article_of_its_own():
    page = ("导读\n"
            "本市今年将新建口袋公园五十座，多数建在老城区。\n"
            "地铁十号线延伸段下月通车，沿线居民出行更方便……\n"
            "郊野公园迎来踏青客流高峰\n"
            "踏青的季节到了，城郊几座郊野公园周末游客明显增多。\n"
            "公园管理处提醒游客错峰出行，文明游园。本报记者 许可\n")
    arts, problems, warnings = parse(page)
    assert problems == [] and warnings == []
    assert fields(arts) == [("", "导读", "", []), ("", "郊野公园迎来踏青客流高峰", "", ["许可"])]
    assert arts[0].body.endswith("沿线居民出行更方便……")


def test_a_series_of_short_subheads_is_not_cut_by_a_paragraph_missing_its_full_stop():
    page = ("一条老街的重生\n"
            "过去半年，这条老街完成了管线改造、立面修缮和业态调整。\n"
            "这条老街是怎么变样的？\n"
            "管线的难题\n"
            "老街地下管线交错。施工队白天封路、夜里开挖，前后花了两个多月才理清\n"
            "改造后，雨天积水的老问题也解决了。\n"
            "店铺的选择\n"
            "新开的店铺大多是老字号，街道事先征求了居民的意见。\n"
            "居民的期待\n"
            "住了四十年的张阿姨说，希望老街热闹起来，也别太吵。\n")
    arts, problems, _ = parse(page)
    assert problems == []
    assert [a.title for a in arts] == ["一条老街的重生"]
    assert {"管线的难题", "店铺的选择", "居民的期待"} <= set(arts[0].paragraphs)


RIVER = ("城南河道整治工程日前全部完工，河道水质从劣五类提升到三类。整治前，河道淤积严重，夏天常有异味，沿岸居民不敢开窗。"
         "区水务局先后清理淤泥三万多立方米，拆除违章搭建四十多处，新建截污管道六公里。\n"
         "如今，河道两岸种上了柳树和月季，居民每天傍晚都在河边散步。家住河边的老陈说，河道变清以后，他每天早上都要沿着河岸"
         "走上一圈，看看水里的小鱼。区水务局表示，河道整治不是一次性的工作，今后还要建立长效管理机制，让河道一直清下去。\n"
         "河长巡河成常态\n"
         "河道整治完工后，区里为每条河道都配了河长。河长每周至少巡河两次，发现问题当天上报。沿岸居民也可以通过手机扫码，"
         "把看到的河道问题直接发给河长。上个月，居民反映河道里有漂浮垃圾，河长两个小时内就安排保洁人员清理干净。\n"
         "区水务局还在河道沿线安装了十二个水质监测点，水质数据每小时更新一次，居民在手机上就能查到。老陈说，现在河道有人管、"
         "水质有人测，他对河道的未来很有信心。\n")
LIBRARY = ("从本月起，城北社区图书馆的开放时间延长到晚上九点，上班族下班后也能来借书还书。图书馆馆长介绍，过去图书馆下午五点就"
           "关门，不少读者反映借书不方便。延长开放后，晚上来馆的读者每天有一百多人，其中大多是年轻的上班族和放学后的中学生。\n"
           "图书馆还新添了两台自助借还机，读者刷身份证就能借书，整个过程不到一分钟。为了方便带孩子的家长，图书馆把儿童阅览区"
           "搬到了一楼，并增加了两千多册绘本。馆长说，接下来还准备开设周末读书会，邀请作家和读者面对面交流。不少读者说，晚上能来图书馆看看书，日子过得更充实了。\n")


def test_a_change_of_subject_at_an_unsigned_headline_is_a_split_reported_uncertain():
    page = "城南河道变清了\n" + RIVER + "社区图书馆开始夜间借阅\n" + LIBRARY
    arts, problems, warnings = parse(page)
    assert problems == []
    # the sub-head's text goes on about the river: it stays; the library
    # story shares no content words with the river's: a new article, but
    # nothing else says so, so the reader reports the split
    assert [a.title for a in arts] == ["城南河道变清了", "社区图书馆开始夜间借阅"]
    assert "河长巡河成常态" in arts[0].paragraphs and arts[1].body.startswith("从本月起")
    assert arts[1].parse.start == "topic-shift" and arts[1].parse.uncertain
    assert [str(w).split(": ", 1)[1] for w in warnings] == [
        "uncertain split: may run on past line 7 (confidence 0.56)",
        "uncertain split: line 7 may not start a new article (confidence 0.56)"]


def test_cohesion_is_high_within_an_article_and_low_across_two():
    from index.cohesion import cohesion

    first, second = RIVER.split("河长巡河成常态\n")
    assert cohesion(first, second) > 0.1 > 0.05 > cohesion(second, LIBRARY)
    assert cohesion("", LIBRARY) == 0.0 and cohesion("的的的", "的的的") == 0.0
