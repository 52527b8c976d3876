"""Chinese personal names as they appear in Chenzhou's lists.

Real lists are full of namesakes (张伟, 王芳 …), so a share of people get a name from a
short list of very common full names: the engine must never link on a name alone.
Traditional forms and homophones are the two ways a name changes between files.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import cache

# Surnames weighted roughly as in Hunan (曾/谭/彭/廖 are more common there than nationally).
_SURNAMES = (
    "李" * 14
    + "王" * 9
    + "张" * 9
    + "刘" * 10
    + "陈" * 9
    + "黄" * 6
    + "罗" * 5
    + "曾" * 5
    + "谭" * 4
    + "邓" * 4
    + "唐" * 4
    + "周" * 4
    + "彭" * 4
    + "廖" * 3
    + "胡" * 3
    + "何" * 3
    + "杨" * 4
    + "吴" * 3
    + "谢" * 3
    + "肖" * 3
    + "曹"
    + "蒋" * 2
    + "欧"
    + "许"
    + "郭" * 2
    + "朱" * 2
    + "袁"
    + "邹"
    + "贺"
    + "龙"
    + "雷"
    + "钟" * 2
    + "汤"
    + "段"
    + "颜"
    + "首"
    + "单"
    + "解"
    + "侯"
    + "资"
    + "骆"
    + "匡"
    + "焦"
    + "孙"
    + "赵"
    + "马"
    + "高"
    + "梁"
    + "宋"
    + "叶"
    + "冯"
    + "韩"
    + "苏"
    + "陆"
)
_COMPOUND = ("欧阳", "司马", "上官")

_MALE = "伟强军勇明军华国建平东林海峰涛斌春生冬发贵兵德福文武志宏辉亮荣成新云龙宝金顺义进"
_FEMALE = "芳丽娟敏静秀英兰梅霞红玲燕桂凤琴萍莲慧娜艳婷莉英云华玉珍翠菊香花雪"

# Very common full names: the namesakes that make linking on a name alone unsafe.
COMMON_MALE = (
    "张伟",
    "王伟",
    "李伟",
    "刘洋",
    "李强",
    "刘伟",
    "李军",
    "陈伟",
    "陈国华",
    "李建国",
    "刘建华",
    "曾国华",
    "张三",
    "王勇",
    "李明",
)
COMMON_FEMALE = (
    "王芳",
    "李娜",
    "张敏",
    "王静",
    "李静",
    "刘芳",
    "陈静",
    "王丽",
    "张丽",
    "李丽",
    "李秀英",
    "王秀英",
    "张秀英",
    "刘秀英",
    "陈秀英",
    "黄桂英",
    "刘桂兰",
)

_TRADITIONAL = str.maketrans(
    "陈国华刘张赵黄吴邓罗谢杨伟丽红军兰凤龙东云贵发宝荣辉莲钟邹汤谭叶兴庆长冯苏陆万杰强进连顺义爱静",
    "陳國華劉張趙黃吳鄧羅謝楊偉麗紅軍蘭鳳龍東雲貴發寶榮輝蓮鍾鄒湯譚葉興慶長馮蘇陸萬傑強進連順義愛靜",
)

# Same reading, different character: the register clerk heard the name, not saw it.
_HOMOPHONES = str.maketrans("丽芳伟英华明静红平兰林军梅建秀娟", "莉方玮瑛桦铭靖宏萍岚琳君玫健绣鹃")


def traditional(name: str) -> str:
    """The name in traditional characters (only characters whose form differs change)."""
    return name.translate(_TRADITIONAL)


@cache
def has_traditional(name: str) -> bool:
    return traditional(name) != name


def homophone(name: str) -> str:
    """The name with one given-name character replaced by a homophone, or the name itself."""
    for i in range(len(name) - 1, 0, -1):
        alt = name[i].translate(_HOMOPHONES)
        if alt != name[i]:
            return name[:i] + alt + name[i + 1 :]
    return name


def _pick(rng: random.Random, seq: Sequence[str]) -> str:
    return seq[int(rng.random() * len(seq))]


def random_name(rng: random.Random, male: bool) -> str:
    """A plausible name; about one in eight is one of the very common full names."""
    r = rng.random()
    if r < 0.12:
        return _pick(rng, COMMON_MALE if male else COMMON_FEMALE)
    surname = _pick(rng, _COMPOUND) if r < 0.125 else _pick(rng, _SURNAMES)
    pool = _MALE if male else _FEMALE
    if r < 0.4:
        return surname + _pick(rng, pool)
    return surname + _pick(rng, pool) + _pick(rng, pool)
