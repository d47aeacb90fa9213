# This file is part of the pm suite (物业管理系统). See README.md.
"""The onboarding sheets: their columns, Chinese headers and value parsers.

One description serves the Excel template, the Excel import, the legacy DBF
mapping, the estate export and the JSON archive: every source becomes
``{sheet key: [(row number, {column key: raw value})]}`` and goes through the
same validation (importer.py).
"""
import datetime as dt
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext


class CellError(Exception):
    "A value that cannot be parsed; args[0] is the translated reason"


def text(value):
    if value is None:
        return ''
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, bytes):
        value = value.decode('utf-8', 'replace')
    return str(value).strip()


def parse_text(value, column):
    return text(value) or None


def parse_int(value, column):
    raw = text(value)
    if not raw:
        return None
    try:
        number = Decimal(raw)
        if number != number.to_integral_value():
            raise InvalidOperation
        return int(number)
    except (InvalidOperation, ValueError):
        raise CellError(gettext('pm_onboarding.msg_bad_integer', value=raw))


def _decimal(value, places):
    raw = text(value).replace(',', '').replace('，', '')
    if not raw:
        return None
    try:
        number = Decimal(raw)
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise CellError(gettext('pm_onboarding.msg_bad_number', value=raw))
    return number.quantize(Decimal(1).scaleb(-places))


def parse_decimal(value, column):
    return _decimal(value, column.digits)


def parse_date(value, column):
    if value is None or value == '':
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if not raw:
        return None
    candidate = raw.replace('/', '-').replace('.', '-').replace(
        '年', '-').replace('月', '-').replace('日', '')
    if len(candidate) == 8 and candidate.isdigit():
        candidate = f'{candidate[:4]}-{candidate[4:6]}-{candidate[6:]}'
    try:
        year, month, day = (int(p) for p in candidate.split('-'))
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(gettext('pm_onboarding.msg_bad_date', value=raw))


def parse_bool(value, column):
    raw = text(value).lower()
    if not raw:
        return None
    if raw in {'是', 'y', 'yes', '1', 'true', 't', '√'}:
        return True
    if raw in {'否', 'n', 'no', '0', 'false', 'f', '×'}:
        return False
    raise CellError(gettext(
            'pm_onboarding.msg_bad_choice', value=text(value),
            choices='是 / 否'))


class Column:
    def __init__(self, key, label, kind='text', required=False,
            choices=None, digits=2, help=''):
        self.key = key
        self.label = label
        self.kind = kind
        self.required = required
        # choices: [(value, label, other accepted labels…)]
        self.choices = choices or []
        self.digits = digits
        self.help = help

    def parse(self, value):
        if self.kind == 'choice':
            raw = text(value)
            if not raw:
                return None
            for value_, label, *aliases in self.choices:
                if raw == label or raw in aliases or raw.lower() == value_:
                    return value_
            raise CellError(gettext(
                    'pm_onboarding.msg_bad_choice', value=raw,
                    choices=' / '.join(c[1] for c in self.choices)))
        return PARSERS[self.kind](value, self)

    def format(self, value):
        "The cell value written by the export and the templates"
        if value is None:
            return None
        if self.kind == 'choice':
            for value_, label, *_ in self.choices:
                if value_ == value:
                    return label
            return value
        if self.kind == 'bool':
            return '是' if value else '否'
        if self.kind == 'decimal':
            return Decimal(value).quantize(Decimal(1).scaleb(-self.digits))
        return value


PARSERS = {
    'text': parse_text,
    'int': parse_int,
    'decimal': parse_decimal,
    'date': parse_date,
    'bool': parse_bool,
    }


class Sheet:
    def __init__(self, key, title, columns, note=''):
        self.key = key
        self.title = title
        self.columns = columns
        self.note = note

    def column(self, key):
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    @property
    def labels(self):
        return [c.label for c in self.columns]


BUILDING_TYPES = [
    ('residential', "住宅"), ('commercial', "商业"), ('office', "办公"),
    ('garage', "车库"), ('ancillary', "配套")]
USAGES = [
    ('residential', "住宅"), ('shop', "商铺", "商业"), ('office', "办公"),
    ('parking', "车位"), ('storage', "储藏室", "储藏间")]
CUSTOMER_TYPES = [
    ('person', "个人"), ('company', "单位", "公司", "企业")]
GENDERS = [('male', "男"), ('female', "女")]
ID_TYPES = [
    ('resident_id', "身份证", "居民身份证"),
    ('passport', "护照"),
    ('hk_macao_permit', "港澳通行证", "港澳居民来往内地通行证"),
    ('taiwan_permit', "台胞证", "台湾居民来往大陆通行证"),
    ('foreign_permanent', "外国人永久居留证"),
    ('business_license', "统一社会信用代码", "营业执照"),
    ('other', "其他证件", "其他")]
ROLES = [
    ('owner', "业主"), ('resident', "住户"), ('tenant', "租户"),
    ('family', "家庭成员", "家属")]
RELATIONS = [
    ('spouse', "配偶"), ('child', "子女"), ('parent', "父母"),
    ('sibling', "兄弟姐妹"), ('other', "其他")]
LOT_TYPES = [
    ('ground', "地面"), ('underground', "地下"), ('multilevel', "立体", "多层")]
SPACE_TYPES = [
    ('standard', "标准车位", "标准"), ('tandem', "子母车位", "子母"),
    ('charging', "充电桩车位", "充电桩"), ('accessible', "无障碍车位", "无障碍"),
    ('motorcycle', "摩托车位", "摩托")]
OWNERSHIPS = [
    ('property', "产权车位", "产权", "已售"), ('rental', "租赁车位", "租赁"),
    ('public', "公共车位", "公共"), ('temporary', "临停车位", "临停")]
VEHICLE_TYPES = [
    ('car', "轿车", "小汽车"), ('suv', "SUV", "越野车"),
    ('van', "面包车", "商务车"), ('truck', "货车"),
    ('motorcycle', "摩托车", "电动摩托车")]
METER_TYPES = [
    ('water', "水表"), ('electricity', "电表"), ('gas', "燃气表"),
    ('hot_water', "热水表"), ('other', "其他")]
ALLOCATION_BASES = [
    ('chargeable_area', "收费面积"), ('built_area', "建筑面积"),
    ('equal', "平均分摊")]
DEPOSIT_KINDS = [
    ('decoration', "装修押金"), ('key', "钥匙押金"), ('lease', "租赁押金"),
    ('parking', "车位押金"), ('other', "其他押金")]


def C(*args, **kwargs):
    return Column(*args, **kwargs)


SHEETS = [
    Sheet('estate', "小区", [
            C('code', "小区编码", required=True),
            C('name', "小区名称", required=True),
            C('province', "省份"),
            C('city', "城市"),
            C('district', "区县"),
            C('street', "街道地址"),
            C('developer', "开发商"),
            C('phone', "管理处电话"),
            C('delivery_date', "交付日期", 'date'),
            C('land_area', "占地面积", 'decimal'),
            ]),
    Sheet('building', "楼栋", [
            C('estate', "小区编码", required=True),
            C('code', "楼栋编码", required=True),
            C('name', "楼栋名称"),
            C('building_type', "类型", 'choice', choices=BUILDING_TYPES),
            C('floors_above', "地上层数", 'int'),
            C('floors_below', "地下层数", 'int'),
            C('entrances', "单元数", 'int'),
            C('elevators', "电梯数", 'int'),
            ]),
    Sheet('unit', "房屋", [
            C('estate', "小区编码", required=True),
            C('code', "房屋编号", required=True),
            C('building', "楼栋编码"),
            C('entrance', "单元"),
            C('floor', "楼层", 'int'),
            C('room', "房号"),
            C('usage', "用途", 'choice', choices=USAGES),
            C('built_area', "建筑面积", 'decimal'),
            C('inner_area', "套内面积", 'decimal'),
            C('chargeable_area', "收费面积", 'decimal'),
            C('layout', "户型"),
            C('delivery_date', "交付日期", 'date'),
            ]),
    Sheet('customer', "客户", [
            C('code', "客户编码", required=True),
            C('name', "客户名称", required=True),
            C('customer_type', "客户类型", 'choice', choices=CUSTOMER_TYPES),
            C('gender', "性别", 'choice', choices=GENDERS),
            C('id_type', "证件类型", 'choice', choices=ID_TYPES),
            C('id_number', "证件号码"),
            C('mobile', "手机"),
            ]),
    Sheet('occupancy', "房屋关系", [
            C('estate', "小区编码", required=True),
            C('unit', "房屋编号", required=True),
            C('customer', "客户编码", required=True),
            C('role', "身份", 'choice', required=True, choices=ROLES),
            C('share', "产权份额(%)", 'decimal'),
            C('start_date', "起始日期", 'date', required=True),
            C('end_date', "结束日期", 'date'),
            C('relation', "与业主关系", 'choice', choices=RELATIONS),
            C('owner', "所属业主编码"),
            C('billing', "收费对象", 'bool'),
            ]),
    Sheet('lot', "停车场", [
            C('estate', "小区编码", required=True),
            C('code', "停车场编码", required=True),
            C('name', "停车场名称", required=True),
            C('lot_type', "类型", 'choice', choices=LOT_TYPES),
            C('capacity', "车位容量", 'int'),
            ]),
    Sheet('space', "车位", [
            C('estate', "小区编码", required=True),
            C('lot', "停车场编码", required=True),
            C('number', "统一车位号", required=True),
            C('name', "车位名称"),
            C('space_type', "车位类型", 'choice', choices=SPACE_TYPES),
            C('ownership', "车位权属", 'choice', choices=OWNERSHIPS),
            C('location', "位置"),
            C('area', "面积", 'decimal'),
            C('unit', "登记房屋"),
            C('customer', "客户编码"),
            ]),
    Sheet('vehicle', "车辆", [
            C('plate', "车牌号", required=True),
            C('vehicle_type', "车辆类型", 'choice', choices=VEHICLE_TYPES),
            C('model', "品牌型号"),
            C('colour', "颜色"),
            C('owner', "车主客户编码", required=True),
            C('estate', "小区编码"),
            C('unit', "房屋编号"),
            C('spaces', "可用车位"),
            ]),
    Sheet('meter', "表具", [
            C('estate', "小区编码", required=True),
            C('code', "表具编号", required=True),
            C('meter_type', "表具类型", 'choice', required=True,
                choices=METER_TYPES),
            C('unit', "房屋编号"),
            C('building', "楼栋编码"),
            C('allocation_basis', "公摊方式", 'choice',
                choices=ALLOCATION_BASES),
            C('rate', "公摊收费标准"),
            C('multiplier', "倍率", 'decimal', digits=4),
            C('max_value', "量程", 'decimal'),
            C('opening_value', "期初读数", 'decimal'),
            C('opening_date', "期初抄表日期", 'date'),
            ]),
    Sheet('assignment', "收费标准", [
            C('estate', "小区编码", required=True),
            C('unit', "房屋编号", required=True),
            C('charge_item', "收费项目编码", required=True),
            C('rate', "收费标准名称", required=True),
            C('start_date', "开始日期", 'date', required=True),
            C('end_date', "结束日期", 'date'),
            C('quantity', "数量", 'decimal', digits=4),
            ]),
    Sheet('arrears', "期初欠费", [
            C('estate', "小区编码", required=True),
            C('unit', "房屋编号", required=True),
            C('charge_item', "收费项目编码", required=True),
            C('date_start', "费用起始日期", 'date', required=True),
            C('date_end', "费用截止日期", 'date', required=True),
            C('due_date', "应缴日期", 'date'),
            C('amount', "欠费金额", 'decimal', required=True),
            C('customer', "客户编码"),
            ]),
    Sheet('prepayment', "期初预存", [
            C('estate', "小区编码", required=True),
            C('unit', "房屋编号", required=True),
            C('customer', "客户编码", required=True),
            C('charge_item', "专项收费项目编码"),
            C('amount', "预存余额", 'decimal', required=True),
            ]),
    Sheet('deposit', "期初押金", [
            C('estate', "小区编码", required=True),
            C('unit', "房屋编号"),
            C('customer', "客户编码", required=True),
            C('kind', "押金类型", 'choice', required=True,
                choices=DEPOSIT_KINDS),
            C('reference', "原单号"),
            C('amount', "押金金额", 'decimal', required=True),
            ]),
    ]

SHEET = {s.key: s for s in SHEETS}
SHEET_BY_TITLE = {s.title: s for s in SHEETS}

NOTES = [
    ("小区", "小区编码在公司内唯一；再次导入按编码匹配，只更新有变化的列。"),
    ("楼栋", "按 小区编码+楼栋编码 匹配；类型：住宅/商业/办公/车库/配套。"),
    ("房屋", "按 小区编码+房屋编号 匹配；用途：住宅/商铺/办公/车位/储藏室；"
        "收费面积为空时取建筑面积；套内面积不得大于建筑面积。"),
    ("客户", "按客户编码匹配；证件类型为身份证时校验校验码；证件号码需要"
        "个人信息权限。"),
    ("房屋关系", "身份：业主/住户/租户/家庭成员；按 房屋+客户+身份+起始日期 匹配；"
        "同一房屋业主份额合计不超过100；收费对象填“是”的业主为该房屋收费对象。"),
    ("停车场", "类型：地面/地下/立体。"),
    ("车位", "车位权属为产权车位时须填客户；统一车位号在公司内唯一。"),
    ("车辆", "车牌号如 粤B12345；可用车位填统一车位号，多个用逗号分隔。"),
    ("表具", "户表填房屋编号；公摊表不填房屋，须填公摊收费标准；期初读数作为"
        "表具的初始读数。"),
    ("收费标准", "收费项目编码+收费标准名称须已在系统中；同一房屋同一收费项目"
        "的期间不得重叠。"),
    ("期初欠费", "按 房屋+收费项目+费用起始日期 匹配；过账：借 应收账款 贷 期初"
        "建账科目；进入欠费账龄。客户为空时取房屋的收费对象。"),
    ("期初预存", "按 客户+房屋+专项收费项目 匹配；过账：借 期初建账科目 贷 预收"
        "账款。"),
    ("期初押金", "按 客户+房屋+押金类型+原单号 匹配；按期初日期过账：借 期初建账科目 "
        "贷 押金；原单号记入押金说明。"),
    ]
