"""Demo data of pm_hr (人事行政): staff of the two estates, rosters feeding
the attendance, the payroll of last month, meetings and work plans.

Called by demo/load.py inside the demo transaction, after the billing demo,
with the company and zh_CN in the context:

* the organisation chart (综合管理部, 客服中心, 工程部, 秩序维护部, 环境部)
  with the staff of demo/load.py placed in it, and per estate the guards
  (保安员), cleaners (保洁员) and technicians (维修工) with their staff
  files: identity number, emergency contact, labour contract (two of them
  ending within 30 days) and certificates (保安员证, 电工证, 健康证; some
  expiring) — the daily reminders are run once;
* shifts (早班, 中班, 夜班, 白班), a team per estate and trade (保安班,
  保洁班, 工程组) and their weekly rosters from the first week of last
  month to next week; the attendance lines are recorded from the confirmed
  rosters up to yesterday with a few exceptions (late arrivals, absences,
  overtime);
* the social insurance and housing fund scheme of Hangzhou, a salary
  structure per employee and the payslip run of last month, computed from
  the attendance and, when the pm_account_cn chart exists, posted;
* meetings with action items (some overdue) and weekly work plans.
"""
import datetime as dt
from decimal import Decimal

D = Decimal

DEPARTMENTS = [
    # code, name, parent code, expense account code
    ('JH', '锦华物业', None, None),
    ('ZH', '综合管理部', 'JH', '6602'),
    ('KF', '客服中心', 'JH', '6401'),
    ('GC', '工程部', 'JH', '6401'),
    ('ZX', '秩序维护部', 'JH', '6401'),
    ('HJ', '环境部', 'JH', '6401'),
    ]
# the staff of demo/load.py: name → department, position, salary
OFFICE = {
    '李秀英': ('ZH', '物业经理', 16000),
    '陈静': ('KF', '客服专员', 6500),
    '周敏': ('ZH', '财务专员', 8000),
    '张建国': ('GC', '工程部主管', 11000),
    '王海涛': ('GC', '维修工程师', 8500),
    '刘洋': ('ZX', '秩序维护主管', 9000),
    }
# per estate: trade, department, position, count at scale 1, base salary
TRADES = [
    ('security', 'ZX', '保安员', 8, 4200),
    ('cleaning', 'HJ', '保洁员', 5, 3600),
    ('engineering', 'GC', '维修工', 3, 5500),
    ]
TEAM_NAMES = {
    'security': '保安班', 'cleaning': '保洁班', 'engineering': '工程组'}
CERTIFICATES = {
    'security': 'security_guard', 'cleaning': 'health',
    'engineering': 'electrician'}
RELATIONS = ['配偶', '父亲', '母亲', '子女', '兄弟姐妹']


def monday(date):
    return date - dt.timedelta(days=date.weekday())


def month_start(date, months=0):
    month = date.month - 1 + months
    return date.replace(year=date.year + month // 12, month=month % 12 + 1,
        day=1)


class HrLoader:

    def __init__(self, loader):
        self.loader = loader
        self.rng = loader.rng
        self.today = loader.today
        self.company = loader.company
        self.people = getattr(loader, 'people', None)

    def get(self, name):
        return self.loader.get(name)

    def ref(self, xml_id):
        return self.loader.ref(xml_id)

    def run(self):
        for step in [self.create_departments, self.create_staff,
                self.create_contracts, self.create_certificates,
                self.create_rosters, self.record_attendance,
                self.create_payroll, self.create_meetings,
                self.create_work_plans]:
            timed = getattr(self.loader, 'timed', None)
            if timed:
                timed(step)
            else:
                step()

    # --- helpers -------------------------------------------------------
    def account(self, code):
        Account = self.get('account.account')
        accounts = Account.search([
                ('company', '=', self.company.id), ('code', '=', code)])
        return accounts[0] if accounts else None

    def person(self, male=None, age=None):
        if self.people:
            return self.people.person(male=male, age=age)
        rng = self.rng
        male = rng.random() < 0.5 if male is None else male
        return {
            'name': rng.choice('王李张刘陈杨黄赵吴周') + rng.choice(
                '伟芳娜敏静丽强磊军洋勇艳杰涛明超'),
            'male': male,
            'birthday': self.today.replace(year=self.today.year - (age or 40)),
            'id_number': None,
            'hukou_place': None,
            'mobile': '139%08d' % rng.randrange(10 ** 8),
            }

    # --- organisation and staff -----------------------------------------
    def create_departments(self):
        Department = self.get('pm.department')
        self.departments = {}
        for code, name, parent, account in DEPARTMENTS:
            account = self.account(account) if account else None
            department, = Department.create([{
                        'company': self.company.id, 'code': code,
                        'name': name,
                        'parent': (self.departments[parent].id
                            if parent else None),
                        'salary_expense_account': (
                            account.id if account else None),
                        }])
            self.departments[code] = department
        self.loader.counts['部门 departments'] = len(self.departments)

    def create_staff(self):
        Employee = self.get('company.employee')
        Party = self.get('party.party')
        Estate = self.get('pm.estate')
        rng = self.rng
        self.estates = Estate.search(
            [('company', '=', self.company.id)], order=[('code', 'ASC')])[:2]
        self.salaries = {}
        office = Employee.search([('company', '=', self.company.id)])
        to_write = []
        for employee in office:
            name = employee.party.name
            if name in OFFICE:
                code, position, salary = OFFICE[name]
                to_write.extend([[employee], {
                            'department': self.departments[code].id,
                            'position': position,
                            'employee_code': 'JH%04d' % employee.id,
                            }])
                self.salaries[employee.id] = salary
        if to_write:
            Employee.write(*to_write)
        self.office = [e for e in office if e.id in self.salaries]

        people, specs = [], []
        for estate in self.estates:
            for trade, department, position, count, salary in TRADES:
                for i in range(self.loader.scaled(count, 2)):
                    male = trade != 'cleaning' or rng.random() < 0.3
                    age = rng.randint(25, 52 if trade != 'security' else 45)
                    people.append(self.person(male=male, age=age))
                    specs.append((estate, trade, department, position, salary))
        parties = Party.create([{'name': p['name']} for p in people])
        values = []
        for party, person, (estate, trade, department, position, salary) in (
                zip(parties, people, specs)):
            hired = self.today - dt.timedelta(days=rng.randint(120, 2400))
            values.append({
                    'company': self.company.id,
                    'party': party.id,
                    'start_date': hired,
                    'department': self.departments[department].id,
                    'position': position,
                    'gender': 'male' if person['male'] else 'female',
                    'birth_date': person['birthday'],
                    'id_number': person['id_number'],
                    'mobile': person['mobile'],
                    'native_place': person['hukou_place'],
                    'education': rng.choice(
                        ['junior', 'senior', 'vocational', 'college']),
                    'emergency_contact': self.person()['name'],
                    'emergency_relation': rng.choice(RELATIONS),
                    'emergency_phone': self.person()['mobile'],
                    })
        employees = Employee.create(values)
        Employee.write(*[x for e in employees for x in (
                    [e], {'employee_code': 'JH%04d' % e.id})])
        self.staff = list(zip(employees, specs))
        for employee, spec in self.staff:
            self.salaries[employee.id] = spec[4]
        self.loader.counts['人事档案 staff files'] = (
            len(self.office) + len(employees))

    def create_contracts(self):
        Contract = self.get('pm.hr.contract')
        rng = self.rng
        values = []
        everybody = self.office + [e for e, _ in self.staff]
        ending = set(e.id for e in rng.sample(
                [e for e, _ in self.staff], min(2, len(self.staff))))
        for n, employee in enumerate(everybody, 1):
            start = employee.start_date or dt.date(2018, 3, 1)
            if employee.id in ending:
                # the current contract ends within 30 days
                end = self.today + dt.timedelta(days=rng.randint(5, 28))
                start = end.replace(year=end.year - 3) + dt.timedelta(days=1)
            else:
                end = start.replace(year=start.year + 3) - dt.timedelta(
                    days=1)
                while end < self.today + dt.timedelta(days=40):
                    start, end = end + dt.timedelta(days=1), end.replace(
                        year=end.year + 3)
            values.append({
                    'employee': employee.id,
                    'number': 'HT%s%04d' % (start.year, n),
                    'kind': 'fixed',
                    'position': employee.position,
                    'sign_date': start - dt.timedelta(days=3),
                    'start_date': start,
                    'end_date': end,
                    'probation_end_date': start + dt.timedelta(days=90),
                    })
        contracts = Contract.create(values)
        Contract.activate(contracts)
        Contract.check_expiring(date=self.today)
        self.loader.counts['劳动合同 labour contracts'] = len(contracts)

    def create_certificates(self):
        Type = self.get('pm.hr.certificate.type')
        Certificate = self.get('pm.hr.certificate')
        rng = self.rng
        types = {k: Type(self.ref('pm_hr.certificate_type_' + k))
            for k in set(CERTIFICATES.values()) | {'special_equipment'}}
        values = []
        for n, (employee, (_, trade, *_)) in enumerate(self.staff):
            kind = types[CERTIFICATES[trade]]
            years = kind.validity_years or 5
            if n % 5 == 0:
                expiry = self.today + dt.timedelta(days=rng.randint(3, 25))
            else:
                expiry = self.today + dt.timedelta(
                    days=rng.randint(60, 365 * years))
            issue = expiry.replace(year=expiry.year - years) if (
                kind.validity_years) else expiry - dt.timedelta(days=1800)
            values.append({
                    'employee': employee.id, 'type': kind.id,
                    'number': '%s%08d' % (kind.code, rng.randrange(10 ** 8)),
                    'issuer': '杭州市公安局' if trade == 'security'
                    else '杭州市应急管理局' if trade == 'engineering'
                    else '杭州市疾病预防控制中心',
                    'issue_date': issue,
                    'expiry_date': (expiry if trade != 'security' else None),
                    })
        # the chief engineer runs the elevators: special equipment
        for employee in self.office:
            if employee.position == '工程部主管':
                values.append({
                        'employee': employee.id,
                        'type': types['special_equipment'].id,
                        'number': 'TZ33010%06d' % rng.randrange(10 ** 6),
                        'issuer': '杭州市市场监督管理局',
                        'issue_date': self.today - dt.timedelta(days=1400),
                        'expiry_date': self.today + dt.timedelta(days=45),
                        })
        certificates = Certificate.create(values)
        Certificate.check_expiring(date=self.today)
        self.loader.counts['资格证书 certificates'] = len(certificates)

    # --- shifts, rosters, attendance ------------------------------------
    def create_rosters(self):
        Shift = self.get('pm.hr.shift')
        Team = self.get('pm.hr.team')
        Roster = self.get('pm.hr.roster')
        Line = self.get('pm.hr.roster.line')
        company = self.company.id
        early, middle, night, day = Shift.create([{
                    'company': company, 'name': '早班', 'code': 'A',
                    'start_time': dt.time(7), 'end_time': dt.time(15),
                    'break_minutes': 30,
                    }, {
                    'company': company, 'name': '中班', 'code': 'B',
                    'start_time': dt.time(15), 'end_time': dt.time(23),
                    'break_minutes': 30,
                    }, {
                    'company': company, 'name': '夜班', 'code': 'C',
                    'start_time': dt.time(23), 'end_time': dt.time(7),
                    'break_minutes': 60,
                    }, {
                    'company': company, 'name': '白班', 'code': 'D',
                    'start_time': dt.time(8, 30),
                    'end_time': dt.time(17, 30), 'break_minutes': 60,
                    }])
        teams = []
        members = {}
        for estate in self.estates:
            for trade, department, *_ in TRADES:
                staff = [e for e, s in self.staff
                    if s[0] == estate and s[1] == trade]
                teams.append({
                        'company': company,
                        'name': estate.name + TEAM_NAMES[trade],
                        'code': '%s-%s' % (estate.code, trade[:3].upper()),
                        'kind': trade, 'estate': estate.id,
                        'department': self.departments[department].id,
                        'leader': staff[0].id,
                        'members': [('add', [e.id for e in staff])],
                        })
                members[(estate.id, trade)] = staff
        self.teams = Team.create(teams)

        first = monday(month_start(self.today, -1))
        last = monday(self.today) + dt.timedelta(days=7)
        weeks = []
        week = first
        while week <= last:
            weeks.append(week)
            week += dt.timedelta(days=7)
        rosters = Roster.create([{
                    'team': t.id, 'week_start': w,
                    } for t in self.teams for w in weeks])
        guards = [early, middle, night]
        days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday',
            'saturday', 'sunday']
        lines = []
        for roster in rosters:
            team = roster.team
            staff = members[(team.estate.id, team.kind)]
            n_week = weeks.index(roster.week_start)
            for i, employee in enumerate(staff):
                values = {'roster': roster.id, 'employee': employee.id}
                if team.kind == 'security':
                    # the guards turn: a shift a week, two rest days
                    shift = guards[(i + n_week) % 3]
                    rest = {(i + n_week) % 7, (i + n_week + 1) % 7}
                else:
                    shift = day
                    rest = {6, (i % 6)} if team.kind == 'cleaning' else {5, 6}
                for d, name in enumerate(days):
                    values[name] = None if d in rest else shift.id
                lines.append(values)
        Line.create(lines)
        current = monday(self.today) + dt.timedelta(days=7)
        Roster.confirm([r for r in rosters if r.week_start < current])
        self.rosters = rosters
        self.loader.counts['排班表 rosters'] = len(rosters)

    def record_attendance(self):
        Roster = self.get('pm.hr.roster')
        Attendance = self.get('attendance.line')
        rng = self.rng
        yesterday = self.today - dt.timedelta(days=1)
        confirmed = [r for r in self.rosters if r.state == 'confirmed']
        before = Attendance.search([], count=True)
        Roster.record_attendance(confirmed, until=yesterday)
        lines = Attendance.search([
                ('company', '=', self.company.id),
                ], order=[('employee', 'ASC'), ('at', 'ASC')])
        ins = [l for l in lines if l.type == 'in']
        outs = [l for l in lines if l.type == 'out']
        # some late arrivals, absences and overtime
        late = rng.sample(ins, min(len(ins) // 25, len(ins)))
        to_write = []
        for line in late:
            to_write.extend([[line], {
                        'at': line.at + dt.timedelta(
                            minutes=rng.randint(8, 45))}])
        overtime = rng.sample(outs, min(len(outs) // 15, len(outs)))
        for line in overtime:
            to_write.extend([[line], {
                        'at': line.at + dt.timedelta(
                            minutes=rng.choice([60, 90, 120, 180]))}])
        if to_write:
            Attendance.write(*to_write)
        pairs = list(zip(ins, outs))
        absent = rng.sample(pairs, min(len(pairs) // 50, len(pairs)))
        Attendance.delete([l for p in absent for l in p])
        self.loader.counts['考勤记录 attendance lines'] = (
            Attendance.search([], count=True) - before)

    # --- payroll ----------------------------------------------------------
    def create_payroll(self):
        Scheme = self.get('pm.hr.insurance.scheme')
        Salary = self.get('pm.hr.salary')
        ConfigAccount = self.get('pm.hr.configuration.account')
        Run = self.get('pm.hr.payslip.run')
        rng = self.rng
        scheme, = Scheme.create([{
                    'company': self.company.id,
                    'name': '杭州市 %s 年度社保公积金' % self.today.year,
                    'lines': [('create', [{
                                    'sequence': i, 'kind': kind,
                                    'employee_rate': D(er),
                                    'employer_rate': D(cr),
                                    'base_min': D(low), 'base_max': D(high),
                                    } for i, (kind, er, cr, low, high) in
                                enumerate([
                                        ('pension', '0.08', '0.14',
                                            4462, 24930),
                                        ('medical', '0.02', '0.095',
                                            4462, 24930),
                                        ('unemployment', '0.005', '0.005',
                                            4462, 24930),
                                        ('injury', '0', '0.004',
                                            4462, 24930),
                                        ('housing_fund', '0.12', '0.12',
                                            2490, 39530),
                                        ], 1)])],
                    }])
        values = []
        for employee in self.office + [e for e, _ in self.staff]:
            base = D(self.salaries[employee.id])
            lines = []
            if employee.position in ('保安员', '维修工'):
                lines.append({'kind': 'allowance', 'name': '岗位津贴',
                        'amount': D(300)})
                lines.append({'kind': 'allowance', 'name': '夜班补贴',
                        'amount': D(200)} if employee.position == '保安员'
                    else {'kind': 'allowance', 'name': '技能津贴',
                        'amount': D(400)})
                lines.append({'kind': 'deduction', 'name': '宿舍费',
                        'amount': D(150)})
            lines.append({'kind': 'allowance', 'name': '餐费补贴',
                    'amount': D(300)})
            values.append({
                    'employee': employee.id,
                    'base_salary': base,
                    'overtime_rate': (
                        base / D('21.75') / 8 * D('1.5')).quantize(
                        D('0.01')),
                    'insurance_scheme': scheme.id,
                    'insurance_base': base,
                    'special_deduction': D(rng.choice(
                            [0, 0, 1000, 2000, 3000])),
                    'lines': [('create', lines)],
                    })
        Salary.create(values)

        accounts = {
            'salary_expense_account': '6602',
            'salary_account': '221101',
            'insurance_account': '221102',
            'housing_fund_account': '221103',
            'withheld_account': '224105',
            'income_tax_account': '222106',
            'deduction_account': '224102',
            }
        found = {f: self.account(c) for f, c in accounts.items()}
        if all(found.values()):
            # the company's accounts of the configuration, written directly:
            # saving the singleton would lock its table
            ConfigAccount.create([{
                        'company': self.company.id,
                        **{f: a.id for f, a in found.items()}}])
        last_month = month_start(self.today, -1)
        run, = Run.create([{
                    'company': self.company.id,
                    'month': last_month,
                    'date': month_start(self.today) - dt.timedelta(days=1),
                    'journal': Run.default_journal(),
                    'description': '月度工资',
                    }])
        Run.compute([run])
        self.loader.counts['工资单 payslips'] = len(run.payslips)
        Period = self.get('account.period')
        if all(found.values()) and Period.search([
                    ('company', '=', self.company.id),
                    ('start_date', '<=', run.date),
                    ('end_date', '>=', run.date),
                    ('state', '=', 'open')]):
            Run.post([run])
            self.loader.counts['  - net pay ¥'] = run.net_total
        else:
            self.loader.notes.append(
                'pm_hr: no pm_account_cn chart or period, '
                'the payslip run of last month is computed, not posted')

    # --- meetings and work plans -----------------------------------------
    def create_meetings(self):
        Meeting = self.get('pm.hr.meeting')
        rng = self.rng
        staff = [e for e, _ in self.staff]
        chair = self.office[0] if self.office else staff[0]
        meetings = []
        topics = [
            ('regular', '物业服务中心周例会', ['本周投诉工单需在周五前全部回访',
                    '下周起客服前台延长服务至晚上八点']),
            ('safety', '消防安全检查专题会', ['各楼栋消防通道每日巡查并记录',
                    '地下车库灭火器月底前全部更换']),
            ('quality', '保洁质量月度点评会', ['垃圾分类督导员早晚高峰到岗',
                    '电梯轿厢每日消毒两次']),
            ('owners', '业主代表沟通会', ['公示上半年公共收益明细',
                    '儿童游乐区增设遮阳棚']),
            ]
        for n, (kind, title, decisions) in enumerate(topics):
            estate = self.estates[n % len(self.estates)]
            start = dt.datetime.combine(
                self.today - dt.timedelta(days=7 * (len(topics) - n)),
                dt.time(9, 30))
            attendees = rng.sample(staff, min(6, len(staff)))
            actions = []
            for i, text in enumerate(decisions):
                due = start.date() + dt.timedelta(days=rng.choice([3, 7, 14,
                                30]))
                actions.append({
                        'sequence': i, 'description': text,
                        'owner': rng.choice(attendees).id,
                        'due_date': due,
                        })
            meetings.append({
                    'company': self.company.id, 'title': title,
                    'kind': kind, 'start': start,
                    'location': estate.name + '物业服务中心会议室',
                    'estate': estate.id, 'chair': chair.id,
                    'recorder': self.office[1].id
                    if len(self.office) > 1 else chair.id,
                    'attendees': [('add', [e.id for e in attendees])],
                    'agenda': '1. 上期事项落实情况\n2. 本期工作安排',
                    'minutes': '会议听取了各部门工作汇报，讨论了%s相关事项。'
                    % title,
                    'decisions': '\n'.join(decisions),
                    'actions': [('create', actions)],
                    })
        meetings = Meeting.create(meetings)
        Meeting.done(meetings)
        Action = self.get('pm.hr.meeting.action')
        # the first items were done, the others are open (some overdue)
        done = [m.actions[0] for m in meetings[:2]]
        Action.do(done)
        self.loader.counts['会议记录 meetings'] = len(meetings)
        self.loader.counts['  - overdue action items'] = Action.search(
            [('overdue', '=', True)], count=True)

    def create_work_plans(self):
        Plan = self.get('pm.hr.work_plan')
        week = monday(self.today)
        tasks = {
            'ZX': ['夜间巡更路线加密', '门岗访客登记抽查', '消防控制室值班记录检查'],
            'HJ': ['地下车库地面清洗', '绿化带修剪', '垃圾分类宣传入户'],
            'GC': ['二次供水水箱清洗', '电梯年检资料准备', '路灯故障排查'],
            'KF': ['季度满意度回访', '欠费业主电话提醒', '公告栏更新'],
            }
        plans = []
        for code, items in tasks.items():
            department = self.departments[code]
            progress = [100, 60, 0]
            plans.append({
                    'company': self.company.id,
                    'name': '%s %s 周工作计划' % (
                        department.name, week.strftime('%m/%d')),
                    'kind': 'weekly', 'date_start': week,
                    'date_end': week + dt.timedelta(days=6),
                    'department': department.id,
                    'tasks': [('create', [{
                                    'sequence': i, 'description': text,
                                    'progress': p,
                                    'state': 'done' if p == 100 else 'open',
                                    'due_date': week + dt.timedelta(
                                        days=2 * i + 1),
                                    } for i, (text, p) in enumerate(
                                    zip(items, progress))])],
                    })
        plans = Plan.create(plans)
        Plan.run(plans)
        self.loader.counts['工作计划 work plans'] = len(plans)


def load(loader):
    HrLoader(loader).run()
