"""Dates and credit lines in the formats real campus pages print."""

from __future__ import annotations

import pytest

from campusnews.extract._credits import parse_credit_line, split_names, strip_inline_credits
from campusnews.extract.processors import parse_date
from campusnews.extract.types import Credit


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2020年04月03日", "Asia/Shanghai", "2020-04-03"),
        ("2020-4-3 10:12", "Asia/Shanghai", "2020-04-03T10:12:00+08:00"),
        ("[2020/04/03]", "Asia/Shanghai", "2020-04-03"),
        ("发布时间：2024-04-15 14:43", "Asia/Shanghai", "2024-04-15T14:43:00+08:00"),
        ("时间：2023-01-17 11:24:40  点击：", "Asia/Shanghai", "2023-01-17T11:24:40+08:00"),
        ("2019.01.13", "Asia/Shanghai", "2019-01-13"),
        ("2019年06月15日08:18", "Asia/Shanghai", "2019-06-15T08:18:00+08:00"),
        ("2024 05/09 22:27:02 来源：新华网", "Asia/Shanghai", "2024-05-09T22:27:02+08:00"),
        ("2022-03-17作者：浏览次数：", "Asia/Shanghai", "2022-03-17"),
        ("時間:2020年04月03日 信息來源:山東大學", "Asia/Shanghai", "2020-04-03"),
        ("2024年5月22日週三 下午8:21", "Asia/Taipei", "2024-05-22T20:21:00+08:00"),
        ("Dec 28 Sat 2013 00:28", "Asia/Taipei", "2013-12-28T00:28:00+08:00"),
        ("2024-02-30", "Asia/Shanghai", None),
        ("（更新于2022年9月）", "Asia/Shanghai", None),
        ("电话：0523-86362015", "Asia/Shanghai", None),
    ],
)
def test_parse_date(text, tz, expected):
    assert parse_date(text, tz) == expected


C = Credit


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "【供稿單位:組織部 威海校區黨工委    作者:組文    編輯:新聞網工作室    責任編輯:王莉莉  】",  # noqa: E501
            [
                C("供稿單位", "組織部"),
                C("供稿單位", "威海校區黨工委"),
                C("作者", "組文"),
                C("編輯", "新聞網工作室"),
                C("責任編輯", "王莉莉"),
            ],
        ),
        ("（记者 王五 通讯员 赵六）", [C("记者", "王五"), C("通讯员", "赵六")]),
        ("文/图：张三", [C("文", "张三"), C("图", "张三")]),
        ("编辑：张三 李四", [C("编辑", "张三"), C("编辑", "李四")]),
        ("编辑：范 丽", [C("编辑", "范丽")]),
        ("(责编：汤诗瑶、丁涛)", [C("责编", "汤诗瑶"), C("责编", "丁涛")]),
        ("[ 责编：杨煜 ]", [C("责编", "杨煜")]),
        ("【责任编辑:王頔】", [C("责任编辑", "王頔")]),
        ("[作者: 刘满仓 　责任编辑: 杨丹宇 ]", [C("作者", "刘满仓"), C("责任编辑", "杨丹宇")]),
        ("撰稿：甘泉  摄影：徐敬楠", [C("撰稿", "甘泉"), C("摄影", "徐敬楠")]),
        ("供稿：高海锋 刘其真", [C("供稿", "高海锋"), C("供稿", "刘其真")]),
        ("编辑：倪仕轩 责任编辑：杨格", [C("编辑", "倪仕轩"), C("责任编辑", "杨格")]),
        ("半月谈记者 史卫燕", [C("记者", "史卫燕")]),
        ("本报记者 王乐文 方 敏", [C("记者", "王乐文"), C("记者", "方敏")]),
        ("本文作者：复旦大学中文系学生 王瑞琳", [C("本文作者", "王瑞琳")]),
        ("作者： 记者王敬照", [C("作者", "王敬照")]),
        ("（作者：赵建永 陈娟娟）", [C("作者", "赵建永"), C("作者", "陈娟娟")]),
        ("中青报·中青网记者 魏其濛 来源：中国青年报", [C("记者", "魏其濛")]),
        (
            "医技药剂党支部、药剂科供稿 摄影/张艳 编辑/苏芳",
            [
                C("供稿", "医技药剂党支部"),
                C("供稿", "药剂科"),
                C("摄影", "张艳"),
                C("编辑", "苏芳"),
            ],
        ),
        ("(作者:佚名 编辑:山东大学)", [C("编辑", "山东大学")]),
    ],
)
def test_credit_lines(line, expected):
    assert parse_credit_line(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "出国前：政治科目会出啥考题？",
        "初审：会议室（533）；复审及信息采集：学位办（530）",
        "联系人：张老师 韩老师 滕老师",
        "研究生院联系人：吴老师 联系电话：0371-23881053",
        "文字说明了一切。",
        "图集",
    ],
)
def test_not_credit_lines(line):
    assert parse_credit_line(line) is None


@pytest.mark.parametrize(
    ("line", "text", "credits"),
    [
        (
            "南开新闻网讯（通讯员 张娅彭）为深入学习",
            "南开新闻网讯为深入学习",
            [C("通讯员", "张娅彭")],
        ),
        ("南开新闻网讯(记者 乔仁铭)9月26日，", "南开新闻网讯9月26日，", [C("记者", "乔仁铭")]),
        ("【供稿/党委宣传部】近日，", "近日，", [C("供稿", "党委宣传部")]),
        ("不得转载。（编译/林靖东）", "不得转载。", [C("编译", "林靖东")]),
        ("（通讯员：满晓婷）为增强", "为增强", [C("通讯员", "满晓婷")]),
        (
            "实现“共赢”。（评论员 罗博 萧海川）",
            "实现“共赢”。",
            [C("评论员", "罗博"), C("评论员", "萧海川")],
        ),
        ("法学院（威海）成立", "法学院（威海）成立", []),
        ("谷歌(微博) 在2014年", "谷歌(微博) 在2014年", []),
    ],
)
def test_inline_credits(line, text, credits):
    assert strip_inline_credits(line) == (text, credits)


def test_split_names_rejects_prose():
    assert split_names("这是一段很长的话，不是名字。") is None
