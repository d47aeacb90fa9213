"""Demo security data (module pm_security): shifts, duty roster, patrols
with a week of rounds and their scans, visitors and passes, the blacklist,
access cards, incidents, fire zones with equipment and inspections, guard
equipment issues and monitoring devices.

`load(loader)` runs inside the demo transaction (company and zh_CN in the
context); everything random comes from loader.rng and every time is
relative to now, so the story is always current: last night's rounds, a
pass valid today, an open incident, an extinguisher that just expired.
"""
import datetime as dt
from decimal import Decimal

GUARDS = ['王建军', '赵国强', '孙立伟', '周海峰']
SUPERVISOR = '刘洋'       # 秩序维护主管 (demo/load.py STAFF)
MANAGER = '李秀英'        # 物业经理: has the demo user "wuye"
GUARD_LOGIN = ('baoan', None, 'baoan2026')

CHECKPOINTS = [
    ('01', '东门岗亭', '东门入口岗亭外墙'),
    ('02', '1栋大堂', '1栋一楼大堂消防栓旁'),
    ('03', '中心花园', '中心花园凉亭立柱'),
    ('04', '地下车库A区', '地下车库A区坡道口'),
    ('05', '地下车库B区', '地下车库B区电梯厅'),
    ('06', '配电房', '配电房门口'),
    ('07', '水泵房', '水泵房门口'),
    ('08', '垃圾中转站', '垃圾中转站东侧'),
    ('09', '西门岗亭', '西门入口岗亭外墙'),
    ('10', '消防控制室', '消防控制室门口'),
    ]
ZONES = [
    ('XF1', '住宅楼栋', '各住宅楼栋楼梯间及大堂'),
    ('XF2', '地下车库', '地下车库A区、B区'),
    ('XF3', '设备用房', '配电房、水泵房、消防控制室'),
    ]
FIRE_ITEMS = [
    ('MHQ', 'extinguisher', '手提式干粉灭火器', 'MFZ/ABC4 4kg'),
    ('XHS', 'hydrant', '室内消火栓', 'SN65'),
    ('YG', 'smoke_detector', '感烟探测器', 'JTY-GD-G3'),
    ('YJ', 'emergency_light', '应急照明灯', 'LED 3W'),
    ('BJ', 'alarm', '手动火灾报警按钮', 'J-SAM-GST9122'),
    ]
GEAR = [
    ('DJJ', 'radio', '对讲机', 4),
    ('JG', 'baton', '警棍', 2),
    ('SD', 'flashlight', '强光手电', 3),
    ('FBC', 'fork', '防暴叉', 1),
    ('DP', 'shield', '防暴盾牌', 1),
    ]
VISITOR_NAMES = ['张伟', '王芳', '李娜', '刘强', '陈静怡', '杨洋', '赵磊',
    '黄敏', '周杰', '吴婷', '徐涛', '孙悦', '马超', '朱丽', '胡斌', '郭晓']
PLATES = ['浙A3K2M8', '浙A7D9Q1', '浙AF12345', '沪B5C6D7', '浙A2P8T6',
    None, None, None]
PURPOSES = ['visit', 'visit', 'visit', 'delivery', 'delivery', 'service',
    'decoration', 'business']
INCIDENTS = [
    # type, severity, location, description, days ago, closed
    ('elevator', 'serious', '2栋2号电梯', '电梯停在8-9楼之间，困住业主2人，'
        '已通知电梯维保公司', 6, True),
    ('flood', 'serious', '地下车库B区', '暴雨导致车库入口积水约5厘米，'
        '已设置挡水板并开启排水泵', 4, True),
    ('theft', 'minor', '3栋单元门口', '业主反映电动车电瓶被盗，已调取监控', 3,
        True),
    ('medical', 'major', '中心花园', '老人晨练时晕倒，已拨打120并陪同送医', 2,
        True),
    ('public_order', 'minor', '东门', '外卖人员与保安发生争执，已劝解', 1,
        False),
    ('fire', 'major', '地下车库A区', '电动车充电处冒烟，已断电并使用灭火器处置，'
        '消防中控已复位', 0, False),
    ]


def load(loader):
    SecurityLoader(loader).run()


def chunks(values, size=500):
    for i in range(0, len(values), size):
        yield values[i:i + size]


class SecurityLoader:

    def __init__(self, loader):
        self.loader = loader
        self.get = loader.get
        self.rng = loader.rng
        self.today = loader.today
        self.company = loader.company
        self.counts = loader.counts
        self.now = dt.datetime.now(dt.timezone.utc).replace(
            tzinfo=None, second=0, microsecond=0)

    # -- helpers -------------------------------------------------------------
    def employee(self, name):
        Employee = self.get('company.employee')
        employees = Employee.search([
                ('party.name', '=', name),
                ('company', '=', self.company.id),
                ], limit=1)
        return employees[0] if employees else None

    def resident_id(self, prefix):
        from trytond.modules.pm_customer.party import (
            resident_id_check_digit)
        return prefix + resident_id_check_digit(prefix)

    # -- staff, shifts and duty ---------------------------------------------
    def create_staff(self):
        Party = self.get('party.party')
        Employee = self.get('company.employee')
        User = self.get('res.user')
        guards = []
        if 'position' in Employee._fields:
            # the guards (保安员) of the staff files of pm_hr's demo
            guards = Employee.search([
                    ('company', '=', self.company.id),
                    ('position', '=', '保安员'),
                    ], order=[('id', 'ASC')], limit=6)
        if len(guards) < 2:
            parties = Party.create([{'name': n} for n in GUARDS])
            guards = Employee.create([{
                        'party': p.id, 'company': self.company.id,
                        'start_date': self.today - dt.timedelta(days=700)}
                    for p in parties])
        self.guards = list(guards)
        self.supervisor = self.employee(SUPERVISOR) or self.guards[0]
        self.manager = self.employee(MANAGER) or self.supervisor
        login, name, password = GUARD_LOGIN
        if not User.search([('login', '=', login)]):
            name = f'保安 {self.guards[0].party.name}'
            User.create([{
                        'login': login, 'name': name, 'password': password,
                        'groups': [('add', [
                                    self.loader.ref(
                                        'pm_security.group_pm_security')])],
                        'companies': [('add', [self.company.id])],
                        'company': self.company.id,
                        'employees': [('add', [self.guards[0].id])],
                        'employee': self.guards[0].id,
                        }])
            self.loader.notes.append(
                f'security guard user {login} / {password} (保安员)')
        self.counts['保安 guards'] = len(self.guards)

    def create_shifts(self):
        Shift = self.get('pm.security.shift')
        self.day_shift, self.night_shift = Shift.create([{
                    'name': '白班', 'code': 'D',
                    'start_time': dt.time(8), 'end_time': dt.time(20)}, {
                    'name': '夜班', 'code': 'N',
                    'start_time': dt.time(20), 'end_time': dt.time(8)}])

    def create_duty(self):
        Duty = self.get('pm.security.duty')
        Estate = self.get('pm.estate')
        Estate.write(self.estates, {'security_manager': self.supervisor.id})
        values = []
        managers = [self.manager, self.supervisor]
        for offset in range(-7, 8):
            date = self.today + dt.timedelta(days=offset)
            for shift, manager in zip(
                    [self.day_shift, self.night_shift],
                    managers if offset % 2 else managers[::-1]):
                start, end = shift.period(date)
                for estate in self.estates:
                    values.append({
                            'estate': estate.id, 'employee': manager.id,
                            'role': 'manager', 'shift': shift.id,
                            'date': date, 'start': start, 'end': end})
                    values.append({
                            'estate': estate.id,
                            'employee': self.rng.choice(self.guards).id,
                            'role': 'supervisor', 'shift': shift.id,
                            'date': date, 'start': start, 'end': end})
        # the manager with a demo user is on duty right now
        for value in values:
            if (value['role'] == 'manager'
                    and value['start'] <= self.now < value['end']):
                value['employee'] = self.manager.id
        Duty.create(values)
        self.counts['值班 duty roster'] = len(values)

    # -- patrols -------------------------------------------------------------
    def create_patrols(self):
        Checkpoint = self.get('pm.patrol.checkpoint')
        Route = self.get('pm.patrol.route')
        Schedule = self.get('pm.patrol.schedule')
        rng = self.rng
        count = min(len(CHECKPOINTS), self.loader.scaled(10, 5))
        values = []
        for e, estate in enumerate(self.estates):
            lat, lon = 30.2741 + e * 0.02, 120.1551 + e * 0.02
            for i, (code, name, location) in enumerate(CHECKPOINTS[:count]):
                values.append({
                        'estate': estate.id,
                        'code': f'{estate.code}-{code}',
                        'name': name, 'location': location,
                        'latitude': Decimal(
                            '%.6f' % (lat + rng.uniform(-1, 1) * 0.001)),
                        'longitude': Decimal(
                            '%.6f' % (lon + rng.uniform(-1, 1) * 0.001)),
                        'radius': 30,
                        })
        checkpoints = Checkpoint.create(values)
        by_estate = {}
        for checkpoint in checkpoints:
            by_estate.setdefault(checkpoint.estate, []).append(checkpoint)
        routes = Route.create([{
                    'estate': estate.id, 'code': f'{estate.code}-YJ',
                    'name': f'{estate.name}夜间巡更', 'tolerance': 5,
                    'lines': [('create', [{
                                    'checkpoint': c.id,
                                    'minutes': 0 if i == 0
                                    else rng.randint(3, 6),
                                    } for i, c in enumerate(
                                        by_estate[estate])])],
                    } for estate in self.estates])
        schedules = Schedule.create([{
                    'route': r.id, 'shift': self.night_shift.id,
                    'guard': self.guards[i % len(self.guards)].id,
                    'offset': 30, 'interval': 120,
                    } for i, r in enumerate(routes)] + [{
                    'route': r.id, 'shift': self.day_shift.id,
                    'offset': 60, 'interval': 240,
                    } for r in routes])
        self.checkpoints, self.routes = checkpoints, routes
        days = self.loader.scaled(7, 2)
        dates = [self.today - dt.timedelta(days=d) for d in range(days, -2, -1)]
        rounds = Schedule.generate_rounds(schedules=schedules, dates=dates)
        self.walk_rounds(rounds)
        self.counts['巡更点 checkpoints'] = len(checkpoints)
        self.counts['巡更任务 patrol rounds'] = len(rounds)

    def walk_rounds(self, rounds):
        "The guards walk the rounds already over, with the usual slips"
        Round = self.get('pm.patrol.round')
        Scan = self.get('pm.patrol.scan')
        rng = self.rng
        minute = dt.timedelta(minutes=1)
        past = [r for r in rounds
            if r.planned_start + dt.timedelta(minutes=40) < self.now]
        guards = self.guards
        plans = {r.id: r.plan() for r in self.routes}
        scans, to_write = [], []
        for round_ in past:
            guard = round_.guard or rng.choice(guards)
            if not round_.guard:
                to_write.extend([[round_], {'guard': guard.id}])
            if rng.random() < 0.03:
                continue        # never walked: all missed
            time = round_.planned_start + rng.randint(0, 3) * minute
            plan = plans[round_.route.id]
            order = list(range(len(plan)))
            if rng.random() < 0.1 and len(order) > 3:
                i = rng.randrange(1, len(order) - 2)
                order[i], order[i + 1] = order[i + 1], order[i]
            previous = 0
            for i in order:
                _, checkpoint, minutes = plan[i]
                time += max(minutes - previous, 1) * minute
                previous = minutes
                if rng.random() < 0.04:
                    continue    # missed
                delay = 0
                if rng.random() < 0.05:
                    delay = rng.randint(6, 12)      # late at this one
                scans.append({
                        'round': round_.id, 'checkpoint': checkpoint.id,
                        'time': time + delay * minute, 'guard': guard.id,
                        'latitude': checkpoint.latitude,
                        'longitude': checkpoint.longitude,
                        })
        if to_write:
            Round.write(*to_write)
        for batch in chunks(scans, 1000):
            Scan.create(batch)
        Round.finish(past)
        self.counts['  - scans'] = len(scans)

    # -- visitors ------------------------------------------------------------
    def create_visitors(self):
        Occupancy = self.get('pm.occupancy')
        Visitor = self.get('pm.visitor')
        Pass = self.get('pm.visitor.pass')
        Blacklist = self.get('pm.visitor.blacklist')
        rng = self.rng
        occupancies = Occupancy.search([
                ('current', '=', True),
                ('role', 'in', ['owner', 'tenant', 'resident']),
                ('unit.usage', '=', 'residential'),
                ], limit=300)
        self.occupancies = occupancies
        if not occupancies:
            self.loader.notes.append('no residents: no visitors nor cards')
            return
        Blacklist.create([{
                    'plate': '浙A88888', 'name': '李某',
                    'reason': '多次强行冲卡闯入，损坏道闸', 'date':
                    self.today - dt.timedelta(days=40),
                    'added_by': self.supervisor.id}, {
                    'name': '推销人员 张某', 'phone': '13700001111',
                    'reason': '冒充物业人员上门推销', 'date':
                    self.today - dt.timedelta(days=12),
                    'added_by': self.supervisor.id}])
        count = self.loader.scaled(40, 8)
        values = []
        for i in range(count):
            occupancy = rng.choice(occupancies)
            arrived = self.now - dt.timedelta(
                minutes=rng.randint(10, 7 * 24 * 60))
            stay = dt.timedelta(minutes=rng.randint(15, 240))
            left = arrived + stay if arrived + stay < self.now else None
            if i % 9 == 0:
                left = None     # still in
            values.append({
                    'estate': occupancy.unit.estate.id,
                    'unit': occupancy.unit.id,
                    'host': occupancy.party.id,
                    'name': rng.choice(VISITOR_NAMES),
                    'phone': '13%d%08d' % (
                        rng.randint(5, 9), rng.randint(0, 99999999)),
                    'id_type': 'resident_id',
                    'id_number': self.resident_id('330106%04d%02d%02d%03d' % (
                            rng.randint(1960, 2002), rng.randint(1, 12),
                            rng.randint(1, 28), rng.randint(100, 999))),
                    'purpose': rng.choice(PURPOSES),
                    'plate': rng.choice(PLATES),
                    'companions': rng.choice([0, 0, 0, 1, 2]),
                    'arrived_at': arrived,
                    'left_at': left,
                    'state': 'left' if left else 'in',
                    'guard': rng.choice(self.guards).id,
                    })
        visitors = Visitor.create(values)

        # passes: used ones, one valid now, upcoming and expired ones
        passes = []
        for i in range(self.loader.scaled(12, 5)):
            occupancy = rng.choice(occupancies)
            kind = ['used', 'used', 'valid', 'future', 'expired'][i % 5]
            if kind == 'future':
                start = self.now + dt.timedelta(hours=rng.randint(4, 48))
            elif kind == 'expired':
                start = self.now - dt.timedelta(hours=rng.randint(30, 96))
            else:
                start = self.now - dt.timedelta(hours=rng.randint(1, 20))
            passes.append({
                    'unit': occupancy.unit.id,
                    'resident': occupancy.party.id,
                    'visitor_name': rng.choice(VISITOR_NAMES),
                    'visitor_phone': '139%08d' % rng.randint(0, 99999999),
                    'plate': rng.choice(PLATES),
                    'purpose': rng.choice(PURPOSES[:4]),
                    'visitors': rng.choice([1, 1, 2, 3]),
                    'valid_from': start,
                    'valid_to': start + dt.timedelta(hours=24),
                    'note': kind,
                    })
        passes = Pass.create(passes)
        used = []
        for pass_ in passes:
            if pass_.note == 'used':
                at = min(pass_.valid_from + dt.timedelta(
                        minutes=rng.randint(5, 120)), self.now)
                used.append(Pass.check_in(
                        pass_.code, at=at, guard=rng.choice(self.guards)))
        expired = [p for p in passes if p.note == 'expired']
        if expired:
            Pass.expire(expired)
        Pass.write(list(passes), {'note': None})
        self.counts['访客 visitors'] = len(visitors) + len(used)
        self.counts['访客预约 visitor passes'] = len(passes)

    def create_access_cards(self):
        AccessCard = self.get('pm.access_card')
        if not self.occupancies:
            return
        rng = self.rng
        chosen = self.occupancies[:self.loader.scaled(60, 6)]
        cards = AccessCard.create([{
                    'number': '%08d' % (10001000 + i),
                    'card_type': rng.choice(['ic', 'ic', 'ic', 'cpu']),
                    'unit': o.unit.id,
                    'holder': o.party.id,
                    } for i, o in enumerate(chosen)])
        AccessCard.issue(cards[:-1])
        if len(cards) > 4:
            AccessCard.report_lost(cards[1:2])
            AccessCard.return_(cards[2:3])
        self.counts['门禁卡 access cards'] = len(cards)

    # -- incidents -----------------------------------------------------------
    def create_incidents(self):
        Incident = self.get('pm.incident')
        Action = self.get('pm.incident.action')
        rng = self.rng
        values = []
        for i, (type_, severity, location, description, days, closed) in (
                enumerate(INCIDENTS)):
            occurred = self.now - dt.timedelta(
                days=days, minutes=rng.randint(20, 600))
            values.append({
                    'estate': self.estates[i % len(self.estates)].id,
                    'incident_type': type_,
                    'severity': severity,
                    'location': location,
                    'description': description,
                    'occurred_at': occurred,
                    'reported_by': rng.choice(self.guards).party.name,
                    })
        incidents = Incident.create(values)
        actions = []
        for incident in incidents:
            for j, text in enumerate(['保安员到达现场，设置警戒',
                        '报告值班经理，按预案处置', '现场处置完毕，恢复秩序']):
                actions.append({
                        'incident': incident.id,
                        'time': incident.occurred_at
                        + dt.timedelta(minutes=5 + 15 * j),
                        'employee': rng.choice(self.guards).id,
                        'description': text,
                        })
        Action.create(actions)
        closed = [i for i, spec in zip(incidents, INCIDENTS) if spec[5]]
        if closed:
            Incident.write(closed, {
                    'cause': '见事件描述',
                    'closure_report': '事件已妥善处置，无人员伤亡，'
                    '已完成回访并在班前会通报。',
                    })
            Incident.close(closed)
            to_write = []
            for incident in closed:
                to_write.extend([[incident], {
                            'closed_at': incident.occurred_at
                            + dt.timedelta(hours=rng.randint(1, 6)),
                            'closed_by': self.supervisor.id}])
            Incident.write(*to_write)
        self.counts['紧急事件 incidents'] = len(incidents)

    # -- fire safety ---------------------------------------------------------
    def create_fire(self):
        Zone = self.get('pm.fire.zone')
        Equipment = self.get('pm.fire.equipment')
        Inspection = self.get('pm.fire.inspection')
        rng = self.rng
        zones = Zone.create([{
                    'estate': estate.id, 'code': f'{estate.code}-{code}',
                    'name': name, 'area': area, 'inspection_day': 10,
                    'responsible': self.supervisor.id,
                    } for estate in self.estates
                for code, name, area in ZONES])
        per_zone = self.loader.scaled(12, 4)
        values = []
        for zone in zones:
            for i in range(per_zone):
                prefix, kind, name, spec = FIRE_ITEMS[i % len(FIRE_ITEMS)]
                installed = self.today - dt.timedelta(
                    days=rng.randint(200, 1500))
                expiry = self.today + dt.timedelta(days=rng.randint(60, 900))
                values.append({
                        'zone': zone.id,
                        'code': f'{zone.code}-{prefix}{i + 1:02d}',
                        'name': name, 'kind': kind, 'specification': spec,
                        'location': f'{zone.name}{i + 1}号点位',
                        'install_date': installed,
                        'expiry_date': expiry,
                        })
        # one expired and one expiring extinguisher
        values[0]['expiry_date'] = self.today - dt.timedelta(days=3)
        values[len(values) // 2]['expiry_date'] = (
            self.today + dt.timedelta(days=12))
        equipment = Equipment.create(values)
        # last month's inspections are done (one failure), this month's
        # inspections are to do
        last_month = (self.today.replace(day=1) - dt.timedelta(days=1)
            ).replace(day=1)
        done = Inspection.create([{
                    'zone': z.id, 'period': last_month,
                    'planned_date': last_month.replace(day=10),
                    'inspector': self.supervisor.id} for z in zones])
        Line = self.get('pm.fire.inspection.line')
        lines = [l for i in done for l in i.lines]
        Line.write(lines, {'result': 'pass'})
        if lines:
            failed = lines[rng.randrange(len(lines))]
            Line.write([failed], {
                    'result': 'fail', 'note': '压力表指针在红区，需充装'})
        Inspection.done(done)
        Inspection.write(done, {'date': last_month.replace(day=10)})
        Equipment.write(list(equipment), {
                'last_inspection_date': last_month.replace(day=10)})
        Inspection.generate_monthly(self.today)
        self.counts['消防设备 fire equipment'] = len(equipment)

    # -- guard equipment -----------------------------------------------------
    def create_guard_equipment(self):
        Gear = self.get('pm.guard.equipment')
        Issue = self.get('pm.guard.equipment.issue')
        Line = self.get('pm.guard.equipment.issue.line')
        rng = self.rng
        values = []
        for estate in self.estates:
            for prefix, kind, name, number in GEAR:
                for i in range(number):
                    values.append({
                            'estate': estate.id,
                            'code': f'{estate.code}-{prefix}{i + 1:02d}',
                            'name': name, 'kind': kind,
                            'serial': f'SN{rng.randint(100000, 999999)}',
                            'purchase_date': self.today - dt.timedelta(
                                days=rng.randint(100, 900)),
                            })
        gear = Gear.create(values)
        issues = []
        for days in range(3, -1, -1):
            date = self.today - dt.timedelta(days=days)
            for e, estate in enumerate(self.estates):
                items = {}
                for item in Gear.search([
                            ('estate', '=', estate.id),
                            ('state', '=', 'available'),
                            ('kind', 'in', ['radio', 'baton', 'flashlight']),
                            ]):
                    items.setdefault(item.kind, item)
                issue, = Issue.create([{
                            'estate': estate.id,
                            'guard': rng.choice(self.guards).id,
                            'shift': self.day_shift.id,
                            'date': date,
                            'lines': [('create', [
                                        {'equipment': i.id}
                                        for i in items.values()])],
                            }])
                Issue.issue([issue])
                issues.append(issue)
                if issue.shift_end >= self.now:
                    continue
                # one day a baton was not returned at the end of the shift
                back = [l for l in issue.lines
                    if not (days == 2 and e == 0
                        and l.equipment.kind == 'baton')]
                Line.write(back, {
                        'returned': True,
                        'returned_at': issue.shift_end
                        - dt.timedelta(minutes=rng.randint(5, 30))})
                Issue.close([issue], at=issue.shift_end)
        self.counts['警械 guard equipment'] = len(gear)
        self.counts['警械领用 equipment issues'] = len(issues)

    # -- monitoring ----------------------------------------------------------
    def create_devices(self):
        Device = self.get('pm.security.device')
        Fault = self.get('pm.security.device.fault')
        nvrs = Device.create([{
                    'estate': estate.id, 'code': f'{estate.code}-NVR01',
                    'name': '监控中心录像机', 'kind': 'nvr',
                    'location': '消防控制室', 'brand': '海康威视',
                    'model': 'DS-9632N-I8', 'ip_address': f'10.{e}.0.10',
                    'install_date': self.today - dt.timedelta(days=900),
                    } for e, estate in enumerate(self.estates, 1)])
        values = []
        count = self.loader.scaled(12, 4)
        for e, (estate, nvr) in enumerate(zip(self.estates, nvrs), 1):
            for i in range(count):
                _, name, location = CHECKPOINTS[i % len(CHECKPOINTS)]
                values.append({
                        'estate': estate.id,
                        'code': f'{estate.code}-CAM{i + 1:02d}',
                        'name': f'{name}摄像机',
                        'kind': 'dome_camera' if i % 4 == 0 else 'camera',
                        'location': location, 'recorder': nvr.id,
                        'channel': i + 1, 'brand': '海康威视',
                        'model': 'DS-2CD3T46WD', 'ip_address':
                        f'10.{e}.1.{i + 11}',
                        'install_date': self.today - dt.timedelta(days=900),
                        })
        cameras = Device.create(values)
        faults = Fault.create([{
                    'device': cameras[0].id,
                    'reported_at': self.now - dt.timedelta(hours=5),
                    'reported_by': self.guards[0].id,
                    'description': '画面黑屏，无视频信号'}, {
                    'device': cameras[-1].id,
                    'reported_at': self.now - dt.timedelta(days=3),
                    'reported_by': self.guards[1].id,
                    'description': '夜视红外灯不亮'}])
        Fault.write([faults[1]], {'resolution': '更换红外灯板，恢复正常'})
        Fault.resolve([faults[1]])
        self.counts['监控设备 monitoring devices'] = len(nvrs) + len(cameras)

    def run(self):
        Estate = self.get('pm.estate')
        self.estates = Estate.search([('company', '=', self.company.id)])
        if not self.estates:
            self.loader.notes.append('no estate: no security data')
            return
        self.create_staff()
        self.create_shifts()
        self.create_duty()
        self.create_patrols()
        self.create_visitors()
        self.create_access_cards()
        self.create_incidents()
        self.create_fire()
        self.create_guard_equipment()
        self.create_devices()
