"""The ``residents`` kind: one row per person with the household number
and the relation to the head; this module names the columns (see
``resident_parse`` for typed records, ``resident_plan`` for matching and
``resident_write`` for the commit)."""

from __future__ import annotations

from gridadmin.services.importing.mapping import FieldSpec, KindSpec, normalize_header
from gridadmin.services.importing.values import CellError, code_text_value

F = FieldSpec
RESIDENTS = KindSpec("residents", "人口（每人一行）", (
    F("seq", "序号", ("编号", "no")),
    F("community", "社区/村", ("社区", "村", "所属社区", "社区名称", "村社区", "社区村", "村(社区)", "社区(村)",
                            "所属社区村", "村名", "村委会", "居委会"), fill_down=True),
    F("grid", "网格", ("所属网格", "网格名称", "网格名"), fill_down=True),
    F("grid_code", "网格编码", ("网格代码", "网格编号"), fill_down=True, max_length=24),
    # 户号 and 与户主关系: for 户籍人口; a row of 流动人口 (境外人员, 未落户人口) may leave them empty and
    # name its house instead (``resident_houses``)
    F("household_no", "户号", ("户编号", "户籍户号", "户口号"), max_length=30),
    F("relation", "与户主关系", ("与户主的关系", "关系", "家庭关系", "户内关系")),
    F("name", "姓名", ("名字", "居民姓名", "人员姓名", "英文名"), required=True, max_length=50),
    F("id_number", "公民身份号码", ("身份证号", "身份证号码", "证件号码", "身份证", "公民身份证号码",
                              "身份证件号码", "证件号", "居民身份证号码"), required=True, max_length=40),
    # 证件类型 (``common.id_types``): empty or no column = 居民身份证; 境外人员 have 护照, 通行证 …
    F("id_type", "证件类型", ("证件种类", "证件类别", "证件名称"), max_length=20),
    F("gender", "性别"),
    F("birth_date", "出生日期", ("出生年月", "出生年月日", "生日", "出生时间")),
    F("ethnicity", "民族"),
    F("political_status", "政治面貌", ("政治身份",)),
    F("education", "文化程度", ("学历", "最高学历", "文化")),
    F("marital_status", "婚姻状况", ("婚姻", "婚姻状态")),
    F("category", "人口类别", ("人员类别", "人口类型", "人员类型")),
    F("residence_status", "人户状态", ("人户情况", "人户分离情况")),
    F("hukou_place", "户籍地", ("户籍地址", "户籍所在地", "户口所在地", "籍贯", "原户籍地"),
      max_length=120),
    F("phone", "联系电话", ("电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"), max_length=40,
      fallbacks=("联系手机", "固定电话")),
    # the second number of a file with two (联系电话 and 联系手机, 固定电话 and 联系手机): the mobile is
    # kept as 联系电话, the other here (``resident_parse``)
    F("other_phone", "其他电话", ("备用电话", "其他联系电话"), max_length=40, fallbacks=("联系手机", "固定电话")),
    F("occupation", "职业", (), max_length=60),
    F("employer", "工作单位", ("单位", "就业单位", "工作单位及职务", "工作单位或就读学校", "就读学校"), max_length=100),
    # a row without 户号 names its house by this address when it has no address parts (``resident_houses``)
    F("address", "住址", ("现住址", "居住地址", "家庭住址", "现居住地址", "地址", "家庭地址", "现住地址", "临时居所",
                        "现居住地", "居住地"), max_length=200),
    F("compound", "小区", ("小区名称", "居住小区"), max_length=60),
    F("building", "楼栋", ("楼号", "栋", "幢", "楼栋号"), max_length=20),
    F("unit", "单元", ("单元号",), max_length=20),
    F("room", "室", ("房号", "门室号", "房间号", "户室号"), max_length=20),
    F("village_group", "村民小组", ("组", "小组", "自然村"), max_length=40),
    F("door_no", "门牌号", ("门牌",), max_length=20),
    F("house_no", "房屋编号", ("现住房屋编号", "房屋代码"), max_length=30),
    # 流动人口 (and 境外人员): as the resident card keeps them
    F("inflow_date", "流入时间", ("流入日期", "来本地时间", "来本地日期", "抵达时间")),
    F("inflow_reason", "流入原因", ("来本地原因", "流动原因"), max_length=60),
    F("origin_place", "来源地", ("流入来源", "流出地", "来自何地"), max_length=120),
    F("residence_permit_no", "居住证编号", ("登记证编号", "居住证号", "居住证号码", "暂住证号", "暂住证编号"),
      max_length=40),
    F("residence_permit_expires", "居住证到期日期", ("预计到期日期", "居住证有效期至", "暂住证到期日期")),
    F("dwelling_type", "居住处所", ("暂住处所", "住所类型", "住所类别", "居住场所"), max_length=40),
    # 境外人员
    F("nationality", "国籍", ("国籍地区", "国家或地区", "国籍（地区）"), max_length=60),
    F("document_valid_until", "证件有效期至", ("证件有效期结束时间", "证件有效期", "签证有效期", "居留有效期",
                                          "签证（居留）有效期", "签证居留有效期", "证件到期日期")),
    F("note", "备注", ("说明",), max_length=500),
    # The day the person came (their 登记 or 迁入, the report counts from it); empty: the import's effective date.
    F("effective_date", "登记日期", ("迁入日期", "入户日期", "登记时间", "迁入时间", "变动日期")),
    # A rename: the name the register holds now (the row's 姓名 is the new one).
    F("former_name", "曾用名", ("更名前姓名", "原姓名", "原名", "更名"), max_length=50),
), together=(("household_no", "relation"),))

# Columns the import reads but the register does not store as such (the export leaves them out).
IMPORT_ONLY = ("effective_date", "former_name")
CODE_FIELDS = {  # field → (code list, what it is called in messages)
    "gender": ("gender", "性别"), "ethnicity": ("ethnicity", "民族"), "relation": ("relation", "与户主关系"),
    "political_status": ("political", "政治面貌"), "education": ("education", "文化程度"),
    "marital_status": ("marital", "婚姻状况"), "category": ("resident_category", "人口类别"),
    "residence_status": ("residence_status", "人户状态"),
}
FLOATING_TEXT = ("inflow_reason", "origin_place", "residence_permit_no", "dwelling_type")  # 流动人口's own
TEXT_FIELDS = ("hukou_place", "occupation", "employer", *FLOATING_TEXT, "nationality", "note")
DATE_FIELDS = ("inflow_date", "residence_permit_expires", "document_valid_until")
HOUSEHOLD_FIELDS = ("address", "compound", "building", "unit", "room", "village_group", "door_no")
PERSON_FIELDS = ("name", "id_number", "id_type", "gender", "birth_date", "ethnicity", "relation", "hukou_place", "category",
                 "residence_status", "political_status", "education", "marital_status", "occupation",
                 "employer", "phone", "other_phone", "nationality", "note", *FLOATING_TEXT, *DATE_FIELDS)


def month_only_column(header: str) -> bool:
    """出生年月 (no 日) columns may hold a year and month only."""
    key = normalize_header(header)
    return "年月" in key and "日" not in key


def household_no_value(value) -> str:
    """A household number: text, inner spaces removed; a number cell that
    lost digits (4.11324E+18) is refused, never stored rounded."""
    text = code_text_value(value, 30, "户号")
    if text is None:
        raise CellError("户号不能为空")
    return text.replace(" ", "")
