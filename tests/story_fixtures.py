"""Articles written for the story tests (composed for them, not from any
newspaper): one story in several desk versions, another story on the same
subject, an unrelated article, and two halves that a later long version joins."""

from __future__ import annotations

import opencc

#: The river-cleanup story, paragraph by paragraph.
RIVER = [
    "本市东湖区启动小青河综合整治工程，计划用两年时间完成十二公里河道的清淤、护岸和绿道建设。",
    "区水务局负责人介绍，工程分三期推进，第一期将在雨季到来之前完成上游五公里河段的清淤任务。",
    "沿岸居民对整治工程普遍表示欢迎，家住柳荫社区的退休教师周桂兰说，过去一到夏天河水就发臭。",
    "按照设计方案，整治后的河道两岸将新建步行道和自行车道，并设置八处亲水平台供市民休闲使用。",
    "为减少施工对交通的影响，施工单位将采取分段围挡的方式作业，夜间十点以后停止使用大型机械。",
    "区里还将建立河长巡查制度，每周公布一次水质监测数据，接受沿岸群众和媒体的监督。",
    "据了解，该工程总投资约三亿四千万元，资金由市区两级财政共同承担，部分来自专项债券。",
]
#: Another article on the same subject (shares 小青河, 清淤, 河长 …) but a different story.
RIVER_OTHER = [
    "小青河下游的湿地公园昨天迎来一批特殊的客人，二十多名中学生在老师带领下观察越冬的水鸟。",
    "带队的生物老师说，自从上游开始清淤以来，下游的水变清了，来这里栖息的白鹭明显多了起来。",
    "学生们用望远镜记录下十一种鸟类，其中包括较为少见的黑水鸡和小䴙䴘，并把观察笔记交给河长。",
    "湿地公园管理处表示，将和学校合作开设自然课堂，每月组织一次观鸟和水质检测的实践活动。",
]
#: Unrelated.
MARKET = [
    "南门农贸市场完成改造后重新开业，三百多个摊位统一安装了电子秤和扫码支付设备。",
    "市场管理方在入口处设立了食品快检室，每天抽检蔬菜和水产品的农药残留，结果当天公示。",
    "不少老顾客说，改造后的市场地面干净了，通道也宽了，买菜的时候不用再担心踩到积水。",
]
#: Two stories that only a long version containing both ties together.
LIBRARY = [
    "市图书馆新馆今天正式对外开放，新馆建筑面积四万平方米，可容纳藏书三百万册。",
    "新馆设有少儿阅读区、古籍修复展示区和数字体验区，读者可以通过自助机器办理借还手续。",
    "开馆首日，不少家长带着孩子早早排队入馆，少儿阅读区的座位在上午九点前就已坐满。",
]
MUSEUM = [
    "与图书馆一路之隔的城市规划展览馆同日开放，展馆用沙盘和影像展示了城市七十年的变迁。",
    "展馆负责人说，两馆之间修建了连廊，市民可以在同一天里先看书再看展，不必绕行马路。",
    "规划展览馆实行免费预约参观，每天分上午和下午两个时段，每个时段限流一千五百人。",
]

_S2T = opencc.OpenCC("s2t")


def article(id: str, title: str, paragraphs: list[str], date: str | None = None, source: str = "东湖日报",
            author: str = "") -> dict:
    out = {"id": id, "title": title, "body": "\n".join(paragraphs), "source": source}
    if date:
        out["date"] = date
    if author:
        out["author"] = author
    return out


def traditional(doc: dict) -> dict:
    return dict(doc, title=_S2T.convert(doc["title"]), body=_S2T.convert(doc["body"]))


def story_docs() -> list[dict]:
    """The articles of the story tests.  Story ``river-a`` has four versions
    (the original, an evening edit with a new headline and its last
    paragraph cut, a sister paper's Traditional reprint with a paragraph
    added, an undated one with a sentence dropped); ``lake-b`` is another
    story on the same river; ``market`` stands alone; ``library`` and
    ``museum`` are two stories."""
    river = article("river-a", "小青河综合整治工程启动", RIVER, "2024-03-01", author="记者 林舟")
    return [
        article("river-c-evening", "两年整治十二公里河道 小青河将建绿道", RIVER[:-1], "2024-03-01", author="林舟"),
        river,
        traditional(article("river-b-reprint", "东湖区整治小青河", RIVER[:3] + ["整治期间，沿河的三座人行桥将轮流封闭。"] + RIVER[3:],
                            "2024-03-03", source="西城晚报")),
        article("river-d-undated", "小青河整治", RIVER[:4] + RIVER[5:]),
        article("lake-b", "小青河湿地来了观鸟的中学生", RIVER_OTHER, "2024-03-05"),
        article("market", "南门农贸市场改造后开业", MARKET, "2024-02-20"),
        article("library", "市图书馆新馆开放", LIBRARY, "2024-04-01"),
        article("museum", "城市规划展览馆开放", MUSEUM, "2024-04-01"),
    ]


def joining_doc() -> dict:
    """A later, long version holding both the library and the museum stories."""
    return article("zz-both", "两座新馆同日开放", LIBRARY + MUSEUM, "2024-04-02", source="西城晚报")
