"""The demo estates: two estates of Hangzhou with their buildings.

Each residential building lists its stacks (户型 per room position): built
area, inner-area ratio, layout and orientation, so that every unit of a stack
has the same plan, as in a real building.
"""
import datetime as dt
from decimal import Decimal

D = Decimal


def stack(built, layout, orientation='south_north', ratio='0.80'):
    return {
        'built_area': D(built), 'ratio': D(ratio), 'layout': layout,
        'orientation': orientation}


ESTATES = [
    {
        'code': 'CH',
        'name': '翠湖花园',
        'province': '浙江省',
        'city': '杭州市',
        'district': '西湖区',
        'street': '文三西路588号',
        'land_area': D('86520.00'),
        'developer': '杭州翠湖置业有限公司',
        'phone': '0571-88812345',
        'delivery_date': dt.date(2013, 6, 28),
        'buildings': [
            {'code': '1', 'name': '1栋', 'building_type': 'residential',
                'floors_above': 18, 'floors_below': 1, 'entrances': 2,
                'units_per_floor': 2, 'elevators': 4,
                'completion_date': dt.date(2012, 12, 20),
                'delivery_date': dt.date(2013, 6, 28),
                'stacks': [
                    stack('138.62', '三室两厅', ratio='0.79'),
                    stack('96.45', '两室两厅', ratio='0.81')]},
            {'code': '2', 'name': '2栋', 'building_type': 'residential',
                'floors_above': 26, 'floors_below': 1, 'entrances': 2,
                'units_per_floor': 2, 'elevators': 4,
                'completion_date': dt.date(2012, 12, 20),
                'delivery_date': dt.date(2013, 6, 28),
                'stacks': [
                    stack('126.80', '三室两厅', ratio='0.80'),
                    stack('89.36', '两室一厅', ratio='0.81')]},
            {'code': '3', 'name': '3栋', 'building_type': 'residential',
                'floors_above': 33, 'floors_below': 2, 'entrances': 2,
                'units_per_floor': 2, 'elevators': 4,
                'completion_date': dt.date(2013, 3, 15),
                'delivery_date': dt.date(2013, 6, 28),
                'stacks': [
                    stack('143.27', '四室两厅', ratio='0.78'),
                    stack('118.54', '三室两厅', ratio='0.79')]},
            # no building 4: the number is avoided (四 sounds like 死)
            {'code': '5', 'name': '5栋', 'building_type': 'residential',
                'floors_above': 30, 'floors_below': 1, 'entrances': 2,
                'units_per_floor': 2, 'elevators': 4,
                'completion_date': dt.date(2013, 3, 15),
                'delivery_date': dt.date(2013, 6, 28),
                'stacks': [
                    stack('92.18', '两室两厅', ratio='0.81'),
                    stack('63.75', '一室一厅', 'south', ratio='0.82')]},
            {'code': '6', 'name': '6栋（洋房）', 'building_type': 'residential',
                'floors_above': 6, 'floors_below': 1, 'entrances': 2,
                'units_per_floor': 2, 'elevators': 2,
                'completion_date': dt.date(2012, 11, 30),
                'delivery_date': dt.date(2013, 6, 28),
                'stacks': [
                    stack('178.36', '四室两厅', ratio='0.80'),
                    stack('152.08', '四室两厅', ratio='0.80')]},
            {'code': 'S1', 'name': '商业裙楼', 'building_type': 'commercial',
                'floors_above': 2, 'floors_below': 0, 'entrances': 1,
                'units_per_floor': 10, 'elevators': 1,
                'completion_date': dt.date(2012, 12, 20),
                'delivery_date': dt.date(2013, 6, 28),
                'usage': 'shop', 'areas': ('36.00', '128.00')},
            {'code': 'CK', 'name': '地下车库', 'building_type': 'garage',
                'floors_above': 0, 'floors_below': 1, 'entrances': 2,
                'units_per_floor': 90, 'elevators': 0,
                'completion_date': dt.date(2012, 12, 20),
                'delivery_date': dt.date(2013, 6, 28),
                'usage': 'parking', 'areas': ('12.50', '13.80')},
            ],
        },
    {
        'code': 'JX',
        'name': '锦绣华庭',
        'province': '浙江省',
        'city': '杭州市',
        'district': '余杭区',
        'street': '文一西路1288号',
        'land_area': D('112380.00'),
        'developer': '杭州锦绣置业有限公司',
        'phone': '0571-89976688',
        'delivery_date': dt.date(2019, 9, 28),
        'buildings': [
            {'code': '1', 'name': '1栋', 'building_type': 'residential',
                'floors_above': 32, 'floors_below': 2, 'entrances': 2,
                'units_per_floor': 3, 'elevators': 6,
                'completion_date': dt.date(2019, 3, 28),
                'delivery_date': dt.date(2019, 9, 28),
                'stacks': [
                    stack('139.85', '四室两厅', ratio='0.78'),
                    stack('89.62', '两室一厅', 'south', ratio='0.80'),
                    stack('118.40', '三室两厅', ratio='0.79')]},
            {'code': '2', 'name': '2栋', 'building_type': 'residential',
                'floors_above': 32, 'floors_below': 2, 'entrances': 2,
                'units_per_floor': 3, 'elevators': 6,
                'completion_date': dt.date(2019, 3, 28),
                'delivery_date': dt.date(2019, 9, 28),
                'stacks': [
                    stack('128.16', '三室两厅', ratio='0.79'),
                    stack('68.90', '一室一厅', 'east_west', ratio='0.82'),
                    stack('98.73', '两室两厅', ratio='0.80')]},
            # phase 2: completed, handed over by the developer soon
            {'code': '3', 'name': '3栋', 'building_type': 'residential',
                'floors_above': 27, 'floors_below': 2, 'entrances': 2,
                'units_per_floor': 3, 'elevators': 6,
                'completion_date': None, 'delivery_date': 'future',
                'stacks': [
                    stack('143.60', '四室两厅', ratio='0.78'),
                    stack('99.80', '两室两厅', ratio='0.80'),
                    stack('125.30', '三室两厅', ratio='0.79')]},
            {'code': '8', 'name': '8栋（洋房）', 'building_type': 'residential',
                'floors_above': 7, 'floors_below': 1, 'entrances': 2,
                'units_per_floor': 2, 'elevators': 2,
                'completion_date': dt.date(2019, 3, 28),
                'delivery_date': dt.date(2019, 9, 28),
                'stacks': [
                    stack('168.42', '四室两厅', ratio='0.80'),
                    stack('145.16', '三室两厅', ratio='0.80')]},
            {'code': 'S1', 'name': '沿街商铺', 'building_type': 'commercial',
                'floors_above': 2, 'floors_below': 0, 'entrances': 1,
                'units_per_floor': 12, 'elevators': 0,
                'completion_date': dt.date(2019, 3, 28),
                'delivery_date': dt.date(2019, 9, 28),
                'usage': 'shop', 'areas': ('42.00', '156.00')},
            {'code': 'CK', 'name': '地下车库', 'building_type': 'garage',
                'floors_above': 0, 'floors_below': 2, 'entrances': 3,
                'units_per_floor': 80, 'elevators': 0,
                'completion_date': dt.date(2019, 3, 28),
                'delivery_date': dt.date(2019, 9, 28),
                'usage': 'parking', 'areas': ('12.50', '14.20')},
            {'code': 'PT', 'name': '配套用房', 'building_type': 'ancillary',
                'floors_above': 2, 'floors_below': 0, 'entrances': 1,
                'units_per_floor': 0, 'elevators': 0,
                'completion_date': dt.date(2019, 3, 28),
                'delivery_date': dt.date(2019, 9, 28)},
            ],
        },
    ]


HANDOVER_TEMPLATES = [
    ('房屋接管验收（户内）', 'unit', [
        ('门窗', '入户门', '开关灵活，门锁、猫眼、门铃完好，门框无变形'),
        ('门窗', '外窗', '开关灵活，密封条完整，玻璃无破损、无划痕'),
        ('墙面', '墙面', '平整无空鼓、无裂缝、无渗水痕迹'),
        ('墙面', '顶棚', '无裂缝、无渗漏、无霉斑'),
        ('地面', '地面找平', '平整，无空鼓、无起砂，高差不大于3毫米'),
        ('给排水', '给水管道', '通水试压无渗漏，水表安装牢固、读数正常'),
        ('给排水', '排水与地漏', '排水通畅，地漏无堵塞、无返味'),
        ('给排水', '卫生间防水', '闭水试验48小时，楼下顶棚无渗漏'),
        ('电气', '强电箱与插座', '漏电保护动作正常，插座通电，回路标识清楚'),
        ('电气', '弱电与可视对讲', '网络、电视信号正常，可视对讲通话清晰'),
        ('燃气', '燃气管道与表具', '无泄漏，燃气表完好，阀门开关正常'),
        ('阳台', '阳台栏杆', '安装牢固，高度不低于1.05米，无锈蚀'),
        ]),
    ('楼栋公共部位验收', 'building', [
        ('电梯', '电梯运行', '运行平稳，平层准确，使用标志与年检合格证有效'),
        ('消防', '消防设施', '消火栓、烟感、应急照明、疏散指示完好有效'),
        ('公共部位', '楼梯间', '扶手牢固，踏步完好，照明正常'),
        ('公共部位', '单元门禁', '门禁与对讲系统正常，闭门器有效'),
        ('公共部位', '信报箱', '安装牢固，编号清晰'),
        ('结构', '外墙', '无裂缝、无渗水，饰面无脱落'),
        ('结构', '屋面', '防水完好，排水通畅，无积水'),
        ('设备', '水泵房与水箱', '设备运行正常，水箱清洁、无渗漏'),
        ('设备', '公共照明', '走道声控灯、楼层指示灯正常'),
        ]),
    ('小区公共设施验收', 'estate', [
        ('道路', '道路与停车场', '路面平整，无沉降，标线清晰'),
        ('绿化', '绿化', '苗木成活率不低于95%，无大面积裸土'),
        ('安防', '围墙与出入口', '围墙完整，道闸、门岗设施完好'),
        ('安防', '视频监控', '监控点位齐全，录像保存不少于30天'),
        ('消防', '消防通道', '畅通无占用，标识清晰'),
        ('管网', '雨污管网与化粪池', '无堵塞、无渗漏，井盖完好'),
        ('设备', '变配电房', '设备运行正常，资料齐全，已通过供电局验收'),
        ('环卫', '垃圾房', '分类设施齐全，排水与冲洗设施正常'),
        ('配套', '儿童游乐与健身器材', '安装牢固，无尖锐棱角，有安全提示'),
        ('车库', '地下车库', '照明、通风、排水正常，车位划线清晰'),
        ]),
    ]

DEFECTS = {
    '外窗': '主卧外窗密封条脱落，关窗后有缝隙',
    '墙面': '客厅电视墙有约30厘米长的裂缝',
    '顶棚': '次卧顶棚靠窗处有渗水痕迹',
    '地面找平': '餐厅地面两处空鼓，面积约0.5平方米',
    '排水与地漏': '厨房地漏返味，存水弯缺失',
    '卫生间防水': '闭水试验后楼下卫生间顶棚有水渍',
    '强电箱与插座': '次卧两个插座不通电',
    '入户门': '入户门门锁卡滞，需更换锁芯',
    '电梯运行': '2号电梯平层误差约2厘米',
    '单元门禁': '2单元门禁读卡器不识别业主卡',
    '屋面': '屋面东北角排水口堵塞，雨后积水',
    '视频监控': '北门监控摄像头夜视模糊',
    '儿童游乐与健身器材': '滑梯底部有螺栓外露',
    }
