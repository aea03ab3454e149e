"""Seed data of the code lists: GB/T national standards and local lists.

Each list: ``(code, label, aliases)``. Aliases are the spellings clerks type
(男性, 党员, 大专 …); the label itself and the code are always accepted too.
National lists are ``builtin``; the lists in ``EDITABLE_LISTS`` may be
extended by the center.
"""

from __future__ import annotations

GENDER = [
    ("0", "未知", ("未知的性别", "不明")),
    ("1", "男", ("男性", "M", "MALE", "男士")),
    ("2", "女", ("女性", "F", "FEMALE", "女士")),
    ("9", "未说明", ("未说明的性别",)),
]

MARITAL = [
    ("10", "未婚", ()), ("20", "已婚", ("有配偶",)), ("21", "初婚", ()), ("22", "再婚", ()),
    ("23", "复婚", ()), ("30", "丧偶", ()), ("40", "离婚", ("离异",)), ("90", "未说明", ("其他",)),
]

_ETHNIC_NAMES = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
    "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
ETHNICITY = [(f"{i:02d}", f"{name}族", (name,)) for i, name in enumerate(_ETHNIC_NAMES, start=1)]
ETHNICITY += [("97", "其他", ("其他民族",)), ("98", "外国血统中国籍人士", ("外国血统",))]

POLITICAL = [
    ("01", "中共党员", ("党员", "共产党员", "中国共产党党员")),
    ("02", "中共预备党员", ("预备党员", "中国共产党预备党员")),
    ("03", "共青团员", ("团员", "共青团", "中国共产主义青年团团员")),
    ("04", "民革党员", ("民革", "中国国民党革命委员会会员")), ("05", "民盟盟员", ("民盟", "中国民主同盟盟员")),
    ("06", "民建会员", ("民建", "中国民主建国会会员")),
    ("07", "民进会员", ("民进", "中国民主促进会会员")), ("08", "农工党党员", ("农工党", "中国农工民主党党员")),
    ("09", "致公党党员", ("致公党", "中国致公党党员")),
    ("10", "九三学社社员", ("九三学社",)), ("11", "台盟盟员", ("台盟", "台湾民主自治同盟盟员")),
    ("12", "无党派民主人士", ("无党派", "无党派人士")),
    ("13", "群众", ("普通群众", "无", "中国少年先锋队", "少先队员")),  # GB/T 4762 counts 少先队员 as 群众
]

EDUCATION = [
    ("10", "研究生", ("博士", "硕士", "博士研究生", "硕士研究生", "研究生教育")),
    ("20", "大学本科", ("本科", "大学", "学士")),
    ("30", "大学专科", ("大专", "专科", "高职")),
    ("40", "中等职业教育", ("中专", "中技", "职高", "技校", "中等专科", "中专或中技", "中专中技", "技工学校")),
    ("60", "普通高中", ("高中",)),
    ("70", "初中", ("初级中学",)),
    ("80", "小学", ()),
    ("90", "其他", ("文盲", "半文盲", "文盲或半文盲", "不识字或识字很少", "学龄前", "无学历")),
]

# The county platform's words that join two codes (its 文化程度 list offers 高中\中专): not
# mapped, the message names the codes to choose from. list → {spelling without separators: labels}.
AMBIGUOUS = {"education": {"高中中专": ("普通高中", "中等职业教育"), "中专高中": ("普通高中", "中等职业教育"),
                           "大专本科": ("大学专科", "大学本科"), "本科大专": ("大学专科", "大学本科"),
                           "高中职高": ("普通高中", "中等职业教育")}}

RELATION = [
    ("01", "本人", ()), ("02", "户主", ("小集体户主", "集体户户主")),
    ("10", "配偶", ()), ("11", "夫", ("丈夫",)), ("12", "妻", ("妻子", "老婆")),
    ("20", "子", ("儿子",)), ("21", "独生子", ()), ("22", "长子", ()), ("23", "次子", ()),
    ("24", "三子", ()), ("27", "养子或继子", ("养子", "继子")), ("28", "女婿", ()),
    ("30", "女", ("女儿",)), ("31", "独生女", ()), ("32", "长女", ()), ("33", "次女", ()),
    ("34", "三女", ()), ("37", "养女或继女", ("养女", "继女")), ("38", "儿媳", ("媳妇",)),
    ("40", "孙子、孙女或外孙子、外孙女", ("孙辈", "孙子（女）", "外孙（女）", "孙子女", "外孙子女")), ("41", "孙子", ()), ("42", "孙女", ()),
    ("43", "外孙子", ("外孙",)), ("44", "外孙女", ()),
    ("50", "父母", ()), ("51", "父亲", ("父",)), ("52", "母亲", ("母",)),
    ("53", "公公", ()), ("54", "婆婆", ()), ("55", "岳父", ()), ("56", "岳母", ()),
    ("60", "祖父母或外祖父母", ("祖父母", "外祖父母")), ("61", "祖父", ("爷爷",)), ("62", "祖母", ("奶奶",)),
    ("63", "外祖父", ("外公",)), ("64", "外祖母", ("外婆",)),
    ("70", "兄弟姐妹", ()), ("71", "兄", ("哥哥",)), ("73", "弟", ("弟弟",)),
    ("75", "姐姐", ("姐",)), ("77", "妹妹", ("妹",)),
    ("80", "其他", ()), ("93", "侄子", ()), ("94", "侄女", ()),
    ("97", "其他亲属", ()), ("99", "非亲属", ()),
]

# 实有人口 = 户籍人口 + 流动人口 + 境外人员 + 未落户人口. Code 2 (常住人口, a census
# notion overlapping 户籍人口) is retired: migration 0019 maps its records and
# keeps the item inactive so old 类别变更 events still read.
RESIDENT_CATEGORY = [
    ("1", "户籍人口", ("户籍",)),
    ("3", "流动人口", ("流动", "外来人口")), ("4", "境外人员", ("境外", "外籍人员")),
    ("5", "未落户人口", ("未落户", "无户口人员", "未落户人员")),
]
CATEGORY_HUKOU = "1"  # 户籍人口: the only category that sits in a 户
CATEGORY_OVERSEAS = "4"  # 境外人员: identified by a 港澳台居民居住证 or 外国人永久居留身份证 number
# Items kept for history but not offered: (list, code, label).
RETIRED_CODES = [("resident_category", "2", "常住人口（已停用）")]

RESIDENCE_STATUS = [
    ("1", "人户同在", ("人户一致", "人户合一")), ("2", "户在人不在", ("人户分离（户在人不在）", "户在人外出")),
    ("3", "人在户不在", ("人户分离（人在户不在）",)),
]

HOUSEHOLD_TYPE = [("1", "家庭户", ()), ("2", "集体户", ())]

STAFF_ROLE = [
    ("leader", "网格长", ()),
    ("fulltime", "专职网格员", ("专职",)),
    ("parttime", "兼职网格员", ("兼职",)),
    ("instructor", "网格指导员", ("包联干部", "指导员", "网格指导员/包联干部")),
    ("building", "楼栋长", ("楼长",)),
    ("police", "网格民警", ("社区民警", "民警")),
    ("doctor", "家庭医生", ("网格医生",)),
    ("volunteer", "志愿者", ("网格志愿者",)),
]

SKILL_LEVEL = [
    ("4", "四级/中级工", ("四级", "中级工")),
    ("3", "三级/高级工", ("三级", "高级工")),
    ("2", "二级/技师", ("二级", "技师")),
    ("1", "一级/高级技师", ("一级", "高级技师")),
]

TRAINING_CATEGORY = [
    ("01", "政策法规", ()), ("02", "信息采集", ()), ("03", "矛盾调解", ("矛盾纠纷调解",)),
    ("04", "心理服务", ()), ("05", "应急处置", ()), ("06", "消防安全", ()),
    ("07", "信息系统操作", ("系统操作",)), ("99", "其他", ()),
]

TRAINING_FORM = [("1", "集中", ("集中培训", "线下")), ("2", "线上", ("网络", "线上培训")), ("3", "以会代训", ())]

CODE_LISTS: dict[str, tuple[str, list]] = {
    "gender": ("性别 GB/T 2261.1", GENDER),
    "marital": ("婚姻状况 GB/T 2261.2", MARITAL),
    "ethnicity": ("民族 GB 3304", ETHNICITY),
    "political": ("政治面貌 GB/T 4762", POLITICAL),
    "education": ("学历 GB/T 4658", EDUCATION),
    "relation": ("与户主关系 GB/T 4761", RELATION),
    "resident_category": ("人口类别", RESIDENT_CATEGORY),
    "residence_status": ("人户状态", RESIDENCE_STATUS),
    "household_type": ("户别", HOUSEHOLD_TYPE),
    "staff_role": ("网格岗位", STAFF_ROLE),
    "skill_level": ("技能等级（城市管理网格员）", SKILL_LEVEL),
    "training_category": ("培训类别", TRAINING_CATEGORY),
    "training_form": ("培训形式", TRAINING_FORM),
}

EDITABLE_LISTS = frozenset({"staff_role", "skill_level", "training_category", "training_form"})

# Group kinds: (code, name, sensitive, family) — family 特殊人群 ("special"),
# 重点人员 ("key"), 关怀对象 ("care"); see models/groups.py. Every 特殊人群 and
# 重点人员 kind is sensitive. 老年人 and 高龄老人 are computed from the birth
# date (``services.register.age_groups``), never tagged.
TAG_KINDS = [
    ("released", "刑满释放人员", True, "special"), ("corrections", "社区矫正人员", True, "special"),
    ("mental", "严重精神障碍患者", True, "special"), ("drug", "吸毒人员", True, "special"),
    ("aids_risk", "艾滋病危险人员", True, "special"), ("youth", "重点青少年", True, "special"),
    ("petition", "重点上访人员", True, "key"),
    ("elder_60", "老年人", False, "care"), ("elder_80", "高龄老人", False, "care"),
    ("elder_alone", "独居老人", False, "care"), ("empty_nest", "空巢老人", False, "care"),
    ("disabled", "残疾人", False, "care"),
    ("dibao", "低保对象", False, "care"), ("tekun", "特困人员", False, "care"),
    ("left_child", "留守儿童", False, "care"), ("needy_child", "困境儿童", False, "care"),
    ("veteran", "退役军人", False, "care"), ("youfu", "优抚对象", False, "care"),
    ("fertile_woman", "育龄妇女", False, "care"), ("unemployed", "失业人员", False, "care"),
]
# The names the kinds had before the families (migration 0018 renames them
# when the township kept the old name).
OLD_TAG_NAMES = {"corrections": "社区矫正", "released": "刑满释放", "mental": "严重精神障碍",
                 "petition": "重点上访"}
