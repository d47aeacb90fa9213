"""Realistic Chinese people and companies for the demo data.

Pure Python (no trytond import) so that tests can check the generators:
names surname first, resident ID numbers with the GB 11643-1999 check digit,
unified social credit codes with the GB 32100-2015 check character and
mobile numbers of the 13x/15x/18x ranges.
"""
import datetime as dt

# The 100 most common surnames, the first ones weighted more
SURNAMES = (
    '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董'
    '袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹'
    '孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤')
# percent of the population for the first 20 (王 李 张 7 % each …), then
# falling off like Zipf's law
SURNAME_WEIGHTS = [
    7.1, 7.0, 6.9, 5.4, 4.5, 3.1, 2.2, 2.1, 2.0, 1.9,
    1.6, 1.5, 1.4, 1.3, 1.2, 1.2, 1.1, 1.0, 1.0, 0.9] + [
    0.9 * 20 / (i + 1) for i in range(20, len(SURNAMES))]
COMPOUND_SURNAMES = ['欧阳', '司马', '上官', '诸葛']

MALE_CHARS = (
    '伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国志'
    '文博晨昊天宏亮振海东峰锋毅诚立新家瑞嘉晟航睿哲铭轩然')
FEMALE_CHARS = (
    '芳娜敏静丽艳娟霞秀英慧玲婷雪琳丹萍红玉兰洁颖琴晶燕倩璐蕾佳瑶怡欣雯悦'
    '梦雅思淑婉馨月菲彤萱琪涵诗韵妍薇')

# Administrative division codes (GB/T 2260) with the place they stand for,
# used for ID numbers (first six digits) and the place of household
# registration (户口所在地). Hangzhou weighted more: most owners are local.
AREAS = [
    ('330106', '浙江省杭州市西湖区', 12),
    ('330110', '浙江省杭州市余杭区', 10),
    ('330105', '浙江省杭州市拱墅区', 6),
    ('330102', '浙江省杭州市上城区', 6),
    ('330108', '浙江省杭州市滨江区', 4),
    ('330109', '浙江省杭州市萧山区', 5),
    ('330212', '浙江省宁波市鄞州区', 3),
    ('330302', '浙江省温州市鹿城区', 3),
    ('330602', '浙江省绍兴市越城区', 3),
    ('330402', '浙江省嘉兴市南湖区', 2),
    ('330502', '浙江省湖州市吴兴区', 2),
    ('330702', '浙江省金华市婺城区', 2),
    ('331002', '浙江省台州市椒江区', 2),
    ('310104', '上海市徐汇区', 2),
    ('320102', '江苏省南京市玄武区', 2),
    ('320506', '江苏省苏州市吴中区', 2),
    ('340104', '安徽省合肥市蜀山区', 2),
    ('360102', '江西省南昌市东湖区', 1),
    ('350102', '福建省福州市鼓楼区', 1),
    ('370102', '山东省济南市历下区', 1),
    ('410105', '河南省郑州市金水区', 2),
    ('420106', '湖北省武汉市武昌区', 2),
    ('430104', '湖南省长沙市岳麓区', 1),
    ('510107', '四川省成都市武侯区', 1),
    ('110105', '北京市朝阳区', 1),
    ('440106', '广东省广州市天河区', 1),
    ]

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = '10X98765432'


def id_check_digit(first17):
    "Return the GB 11643 check character of the 17 first digits"
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS))
    return ID_CHECK[total % 11]


def valid_resident_id(number):
    "Tell whether number is a well-formed 18-character resident ID number"
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return id_check_digit(number[:17]) == number[17]


def resident_id(area_code, birthday, sequence, male):
    "Return an ID number; the 3-digit sequence is odd for men"
    sequence = sequence % 500 * 2 + (1 if male else 0)
    sequence = max(sequence, 1 if male else 2)
    first17 = f'{area_code}{birthday:%Y%m%d}{sequence:03d}'
    return first17 + id_check_digit(first17)


# GB 32100-2015 unified social credit code (统一社会信用代码)
USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714 organization code check (the 9th character of the code)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check(first8):
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first8, ORG_WEIGHTS))
    check = 11 - total % 11
    return {10: 'X', 11: '0'}.get(check, str(check))


def uscc_check(first17):
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARS[(31 - total % 31) % 31]


def valid_uscc(code):
    if len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return False
    return uscc_check(code[:17]) == code[17]


def credit_code(rng, area_code):
    "Return a valid unified social credit code of an enterprise (91…)"
    org = ''.join(rng.choice(USCC_CHARS[:10] + 'ABCDEFGHJKLMNPQRTUWXY')
        for _ in range(8))
    org += org_code_check(org)
    first17 = '91' + area_code + org
    return first17 + uscc_check(first17)


MOBILE_PREFIXES = [
    '130', '131', '132', '133', '135', '136', '137', '138', '139',
    '150', '151', '152', '153', '155', '156', '157', '158', '159',
    '180', '181', '182', '183', '185', '186', '187', '188', '189',
    ]


class PeopleFactory:
    "Generate unique people and companies from a random.Random"

    def __init__(self, rng, today):
        self.rng = rng
        self.today = today
        self.id_numbers = set()
        self.mobiles = set()
        self.names = set()
        self._areas = [a[:2] for a in AREAS]
        self._area_weights = [a[2] for a in AREAS]
        self._sequence = 0

    def surname(self):
        if self.rng.random() < 0.01:
            return self.rng.choice(COMPOUND_SURNAMES)
        return self.rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]

    def given_name(self, male):
        chars = MALE_CHARS if male else FEMALE_CHARS
        if self.rng.random() < 0.25:
            return self.rng.choice(chars)
        return self.rng.choice(chars) + self.rng.choice(chars)

    def mobile(self):
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + '%08d' % (
                self.rng.randrange(10 ** 8))
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def area(self):
        return self.rng.choices(self._areas, self._area_weights)[0]

    def person(self, male=None, age=None, surname=None, area=None):
        """Return a dict describing a person

        keys: name, male, birthday, id_number, hukou_place, mobile
        """
        rng = self.rng
        if male is None:
            male = rng.random() < 0.5
        if age is None:
            age = rng.randint(26, 72)
        if area is None:
            area = self.area()
        code, place = area
        surname = surname or self.surname()
        # avoid identical full names: they confuse people reading the demo
        for _ in range(20):
            name = surname + self.given_name(male)
            if name not in self.names:
                break
        self.names.add(name)
        birthday = self.today.replace(year=self.today.year - age, day=1) - (
            dt.timedelta(days=rng.randint(0, 364)))
        while True:
            self._sequence += 1
            number = resident_id(
                code, birthday, rng.randrange(1000) + self._sequence, male)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                break
        return {
            'name': name,
            'male': male,
            'birthday': birthday,
            'id_number': number,
            'hukou_place': place,
            'mobile': self.mobile(),
            }

    def spouse(self, person):
        "A person of the other sex and about the same age"
        age = self.today.year - person['birthday'].year
        age = max(22, age + self.rng.randint(-4, 4))
        return self.person(male=not person['male'], age=age)

    def child(self, parent, adult=None):
        parent_age = self.today.year - parent['birthday'].year
        oldest = max(1, min(parent_age - 22, 40))
        age = self.rng.randint(1, oldest)
        if adult is not None:
            age = max(age, 18) if adult else min(age, 17)
        surname = parent['name'][:2] if parent['name'][:2] in (
            COMPOUND_SURNAMES) else parent['name'][0]
        return self.person(age=age, surname=surname,
            area=(parent['id_number'][:6], parent['hukou_place']))

    def company(self, name):
        code, _ = self.area()
        while True:
            number = credit_code(self.rng, code)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return {'name': name, 'id_number': number}


COMPANY_OWNERS = [
    '杭州西溪投资管理有限公司',
    '浙江恒信贸易有限公司',
    '杭州云栖科技有限公司',
    '杭州永兴实业有限公司',
    '浙江德润资产管理有限公司',
    '杭州良渚文化传媒有限公司',
    '杭州宏达餐饮管理有限公司',
    '浙江瑞丰商贸有限公司',
    ]

SHOP_TENANTS = [
    '杭州百姓大药房连锁有限公司',
    '联华华商便利店',
    '杭州小蜜蜂洗衣服务部',
    '翠湖生鲜超市',
    '杭州一品面馆',
    '杭州爱家房产经纪有限公司',
    '杭州贝贝母婴用品店',
    '杭州康乐口腔门诊部',
    ]
