"""Articles composed for the related-articles tests (not from any newspaper).

Two subjects whose relations are plain to a reader — the egrets of 南湖
wetland and a district's community canteen — plus a reprint, a pair that
ties, and enough filler articles that the words every article here uses
(记者, 今年) are stop-like, as such words are in a real archive.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import build_index, write_jsonl

EGRETS = ("南湖湿地公园管理处介绍，记者今年春季在南湖湿地观测到的白鹭超过八百只。观鸟爱好者在芦苇丛边架起长焦镜头，"
          "记录白鹭筑巢育雏。管理处表示，湿地水质改善后鱼虾增多，白鹭有了充足的食物。")
WATCHER = ("每天清晨，观鸟爱好者老周都会来到南湖湿地，用望远镜清点白鹭的巢穴。记者今年跟着他走了一圈，"
           "芦苇丛里的白鹭越来越多，湿地的鱼虾也回来了。")
CANTEEN = ("记者今年走访了城东社区食堂，老人凭卡就餐，一荤两素只要十元。社区食堂的厨师说，"
           "饭菜少盐少油，每天变换菜谱。")
TIED = "南湖湿地的白鹭又多了一批幼鸟，观鸟爱好者说芦苇丛里很热闹。"
#: the same words, as often, in another order: the same score, and no copy
TIED_REORDERED = "观鸟爱好者说芦苇丛里很热闹，南湖湿地的白鹭又多了一批幼鸟。"
TIED_UNDATED = "芦苇丛里很热闹，观鸟爱好者说南湖湿地的白鹭又多了一批幼鸟。"

RELATED_NEWS = [
    {"id": "egrets", "title": "南湖湿地白鹭数量创新高", "body": EGRETS, "date": "2024-04-10", "source": "江城日报"},
    {"id": "watcher", "title": "观鸟爱好者守护南湖白鹭", "body": WATCHER, "date": "2024-05-02", "source": "江城日报"},
    # the same story reprinted word for word by another paper
    {"id": "watcher-reprint", "title": "观鸟爱好者守护南湖白鹭", "body": WATCHER, "date": "2024-05-03",
     "source": "江城晚报"},
    # an evening edit of the egrets story: a new headline and a sentence added (its other version)
    {"id": "egrets-evening", "title": "白鹭成群归南湖", "date": "2024-04-10", "source": "江城晚报",
     "body": EGRETS + "傍晚时分，成群的白鹭从湖心岛起飞，在夕阳下盘旋。"},
    # the same words under two headlines that share none with them: equal scores, the newer first
    {"id": "tied-old", "title": "清晨见闻", "body": TIED, "date": "2021-06-01", "source": "江城晚报"},
    {"id": "tied-new", "title": "周末一瞥", "body": TIED_REORDERED, "date": "2023-06-01", "source": "江城晚报"},
    {"id": "tied-undated", "title": "湖边小记", "body": TIED_UNDATED, "source": "江城晚报"},
    # a reprint of the canteen story under another headline
    {"id": "canteen-reprint", "title": "老人助餐点开进城东", "body": CANTEEN, "date": "2024-03-02", "source": "江城晚报"},
    {"id": "canteen", "title": "城东社区食堂开张", "body": CANTEEN, "date": "2024-03-01", "source": "江城日报"},
    {"id": "canteen-menu", "title": "社区食堂每周公布菜谱", "body": "城东社区食堂每周一公布菜谱，老人可以提前预订饭菜。记者今年多次就餐。",
     "date": "2024-03-20", "source": "江城晚报"},
    # a subject no other article has
    {"id": "lonely", "title": "冬至包饺子", "body": "记者今年冬至在家包饺子。", "date": "2023-12-22", "source": "江城晚报"},
] + [
    {"id": f"filler-{i}", "title": f"{place}{thing}见闻", "body": f"记者今年走访了{place}，看到{thing}。",
     "date": f"2023-0{1 + i % 9}-1{i % 10}", "source": "江城晚报"}
    for i, (place, thing) in enumerate(
        (p, t) for p in ("北街", "西港", "东湖村", "南站", "老城区", "高新区")
        for t in ("新修的步道", "翻新的菜场", "路边的梧桐", "夜市的灯光", "学校的操场"))
]


def build_related_index(tmp: Path) -> Path:
    """An index of :data:`RELATED_NEWS` built with the CLI's builder; its directory."""
    src = write_jsonl(tmp / "related.jsonl", RELATED_NEWS)
    store, report = build_index(tmp, [str(src)])
    assert report.indexed == len(RELATED_NEWS), report.problems[:5]
    return store.root
