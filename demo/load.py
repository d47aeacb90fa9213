"""Load the demo data into an activated database.

    python -m demo.load -c trytond.conf -d pm_demo [--scale 1.0]

Runs inside trytond (Pool + Transaction), creates records in batches and
commits once at the end. Everything random comes from random.Random(seed),
so the same code and scale give the same data (dates are relative to today
where the story needs it: expiring leases, pending handovers).
"""
import argparse
import datetime as dt
import importlib
import logging
import random
import sys
import time
from decimal import Decimal

from . import ADMIN_LOGIN, USERS
from .estates import DEFECTS, ESTATES, HANDOVER_TEMPLATES
from .people import PeopleFactory

logger = logging.getLogger('demo')

COMPANY_NAME = '锦华物业服务有限公司'
TIMEZONE = 'Asia/Shanghai'

# Staff (employees); the inspectors do the handover inspections
STAFF = [
    ('li_xiuying', '李秀英', False, '物业经理'),
    ('chen_jing', '陈静', False, '客服专员'),
    ('zhou_min', '周敏', False, '财务专员'),
    ('zhang_jianguo', '张建国', True, '工程部主管（验收员）'),
    ('wang_haitao', '王海涛', True, '维修工程师（验收员）'),
    ('liu_yang', '刘洋', True, '秩序维护主管'),
    ]
INSPECTORS = ['zhang_jianguo', 'wang_haitao']

# tables locked up front (singletons, journal periods of the posted moves,
# stock moves assigned): taking them later restarts the whole transaction
LOCK_TABLES = [
    'account_configuration', 'account_journal_period', 'stock_move',
    'pm_configuration', 'pm_eshop_time_slot', 'account_fiscalyear',
    'account_period']


def lock_tables(pool):
    "The LOCK_TABLES of the activated modules (PostgreSQL refuses others)"
    tables = {getattr(c, '_table', None) for _, c in pool.iterobject()}
    return [t for t in LOCK_TABLES if t in tables]

# (addon, module of demo/) whose `load(loader)` adds the addon's demo data,
# in this order (staff first: the others assign work to employees)
EXTENSIONS = [
    ('pm_hr', 'hr'),
    ('pm_iso9000', 'iso9000'),
    ('pm_maintenance', 'maintenance'),
    ('pm_security', 'security'),
    ('pm_parking', 'parking'),
    ('pm_portal', 'portal'),
    ('pm_eshop', 'eshop'),
    ('pm_fund', 'fund'),
    ('pm_onboarding', 'onboarding'),
    ('pm_cockpit', 'cockpit'),
    ]


def chunks(values, size=500):
    for i in range(0, len(values), size):
        yield values[i:i + size]


class Loader:

    def __init__(self, scale=1.0, seed=2026, today=None):
        from trytond.pool import Pool
        self.pool = Pool()
        self.scale = scale
        self.rng = random.Random(seed)
        Date = self.pool.get('ir.date')
        self.today = today or Date.today()
        self.people = PeopleFactory(self.rng, self.today)
        self.counts = {}
        self.notes = []
        self.customers = None
        self.billing = None
        self.extensions = []

    def get(self, name):
        return self.pool.get(name)

    def ref(self, xml_id):
        module, fs_id = xml_id.split('.')
        return self.get('ir.model.data').get_id(module, fs_id)

    def scaled(self, value, minimum=1):
        return max(minimum, int(round(value * self.scale)))

    # ------------------------------------------------------------------
    # base: language, currency, country, company, staff, users
    # ------------------------------------------------------------------
    def setup_base(self):
        pool = self.pool
        Lang = pool.get('ir.lang')
        Currency = pool.get('currency.currency')
        Country = pool.get('country.country')
        Subdivision = pool.get('country.subdivision')
        Party = pool.get('party.party')
        Company = pool.get('company.company')
        User = pool.get('res.user')
        Item = pool.get('ir.module.config_wizard.item')

        langs = Lang.search([('code', '=', 'zh_CN')])
        Lang.write(langs, {'translatable': True, 'active': True})
        self.lang, = langs

        currencies = Currency.search([('code', '=', 'CNY')])
        if not currencies:
            currencies = Currency.create([{
                        'name': '人民币', 'code': 'CNY', 'numeric_code': '156',
                        'symbol': '¥', 'rounding': Decimal('0.01'),
                        'digits': 2}])
        self.currency, = currencies

        countries = Country.search([('code', '=', 'CN')])
        if not countries:
            countries = Country.create([{
                        'name': '中国', 'code': 'CN', 'code3': 'CHN',
                        'code_numeric': '156'}])
        self.country, = countries
        subdivisions = Subdivision.search([('code', '=', 'CN-ZJ')])
        if not subdivisions:
            subdivisions = Subdivision.create([{
                        'country': self.country.id, 'name': '浙江省',
                        'code': 'CN-ZJ', 'type': 'province'}])
        self.province, = subdivisions

        companies = Company.search([('party.name', '=', COMPANY_NAME)])
        if not companies:
            party, = Party.create([{
                        'name': COMPANY_NAME,
                        'addresses': [('create', [{
                                        'street_unstructured':
                                            '文三西路588号翠湖花园物业服务中心',
                                        'postal_code': '310012',
                                        'city': '杭州市西湖区',
                                        'country': self.country.id,
                                        'subdivision': self.province.id,
                                        }])],
                        'contact_mechanisms': [('create', [
                                    {'type': 'phone',
                                        'value': '0571-88812345'},
                                    {'type': 'email',
                                        'value': 'service@jinhua-pm.example'},
                                    ])],
                        }])
            companies = Company.create([{
                        'party': party.id, 'currency': self.currency.id,
                        'timezone': TIMEZONE}])
        self.company, = companies

        # wizard "Module Configuration" would stop the first admin login
        Item.write(Item.search([('state', '!=', 'done')]), {'state': 'done'})

        admin, = User.search([('login', '=', ADMIN_LOGIN)])
        User.write([admin], {
                # printed as cashier / author on receipts and reports
                'name': '系统管理员',
                'language': self.lang.id,
                'companies': [('add', [self.company.id])],
                'company': self.company.id,
                })
        self.admin = admin

    def create_staff(self):
        pool = self.pool
        Party = pool.get('party.party')
        Employee = pool.get('company.employee')
        User = pool.get('res.user')
        parties = Party.create([{'name': name} for _, name, _, _ in STAFF])
        employees = Employee.create([{
                    'party': p.id, 'company': self.company.id,
                    'start_date': dt.date(2018, 3, 1)} for p in parties])
        self.employees = {
            key: e for (key, _, _, _), e in zip(STAFF, employees)}
        users = []
        for login, name, password, groups, employee in USERS:
            employee = self.employees[employee]
            users.append({
                    'login': login, 'name': name, 'password': password,
                    'language': self.lang.id,
                    'groups': [('add', [self.ref(g) for g in groups])],
                    'companies': [('add', [self.company.id])],
                    'company': self.company.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id,
                    })
        if User.search([('login', 'in', [u['login'] for u in users])]):
            raise RuntimeError("The demo users exist already: "
                "load the demo into a new database")
        User.create(users)
        self.counts['员工 employees'] = len(employees)
        self.counts['用户 users'] = len(users) + 1

    # ------------------------------------------------------------------
    # estates, buildings, units
    # ------------------------------------------------------------------
    def building_delivery(self, value):
        if value == 'future':
            # phase 2 of 锦绣华庭 is handed over in two months
            return self.today + dt.timedelta(days=60)
        return value

    def create_estates(self):
        pool = self.pool
        Estate = pool.get('pm.estate')
        Building = pool.get('pm.building')
        estate_fields = [
            'code', 'name', 'province', 'city', 'district', 'street',
            'land_area', 'developer', 'phone', 'delivery_date']
        estates = Estate.create([
                {**{f: e[f] for f in estate_fields},
                    'company': self.company.id} for e in ESTATES])
        self.estates = dict(zip([e['code'] for e in ESTATES], estates))
        building_fields = [
            'code', 'name', 'building_type', 'floors_above', 'floors_below',
            'entrances', 'units_per_floor', 'elevators', 'completion_date']
        values, self.building_specs = [], []
        for spec, estate in zip(ESTATES, estates):
            for b in spec['buildings']:
                delivery = self.building_delivery(b['delivery_date'])
                completion = b['completion_date'] or (
                    self.today - dt.timedelta(days=75))
                values.append({
                        **{f: b[f] for f in building_fields},
                        'completion_date': completion,
                        'estate': estate.id,
                        'delivery_date': delivery,
                        })
                self.building_specs.append(b)
        self.buildings = Building.create(values)
        self.counts['小区 estates'] = len(estates)
        self.counts['楼栋 buildings'] = len(self.buildings)

    def create_units(self):
        """Generate the units with the logic of the pm.unit.generate wizard,
        then give every stack its own plan, and create them in batches"""
        pool = self.pool
        Start = pool.get('pm.unit.generate.start')
        Unit = pool.get('pm.unit')
        rng = self.rng
        values = []
        for building, spec in zip(self.buildings, self.building_specs):
            usage = spec.get('usage', 'residential')
            if not spec['units_per_floor']:
                continue
            start = Start(
                building=building,
                entrance_from=1, entrance_to=spec['entrances'],
                usage=usage,
                delivery_date=building.delivery_date,
                # zero-padded floors sort well: 1-1-0101 … 1-1-1802
                code_pattern='{building}-{entrance}-{floor:02d}{room:02d}',
                name_pattern=Start.default_name_pattern(),
                skip_floors=None, built_area=None, inner_area=None,
                chargeable_area=None, layout=None, orientation=None)
            if usage == 'residential':
                floors = spec['floors_above']
                if self.scale < 1:
                    floors = self.scaled(floors, 2)
                start.floor_from, start.floor_to = 1, floors
                start.rooms_per_floor = spec['units_per_floor']
            elif usage == 'shop':
                start.floor_from, start.floor_to = 1, spec['floors_above']
                start.rooms_per_floor = self.scaled(
                    spec['units_per_floor'], 2)
                start.code_pattern = '{building}-{floor}{room:02d}'
                start.name_pattern = '{building_name}{floor}{room:02d}号铺'
            else:   # parking spaces: one level, the entrances are zones
                start.floor_from = start.floor_to = -1
                start.rooms_per_floor = self.scaled(
                    spec['units_per_floor'], 3)
                start.code_pattern = 'B1-{entrance}{room:02d}'
                start.name_pattern = '地下{entrance}区{room:02d}号车位'
            for unit in start.get_unit_values():
                if usage == 'residential':
                    plan = spec['stacks'][int(unit['room']) - 1]
                    built = plan['built_area']
                    ratio = plan['ratio'] + Decimal(
                        rng.randint(-10, 10)) / 1000
                    unit['layout'] = plan['layout']
                    unit['orientation'] = plan['orientation']
                elif usage == 'shop':
                    low, high = (Decimal(a) for a in spec['areas'])
                    built = Decimal(rng.randint(int(low), int(high))) + (
                        Decimal(rng.randint(0, 99)) / 100)
                    ratio = Decimal('0.86')
                    unit['orientation'] = 'south' if unit['floor'] == 1 else (
                        None)
                else:
                    low, high = (Decimal(a) for a in spec['areas'])
                    built = Decimal(rng.choice(
                            [str(low), str(low), str(high)]))
                    ratio = Decimal(1)
                unit['built_area'] = built
                unit['inner_area'] = (built * ratio).quantize(
                    Decimal('0.01'))
                unit['chargeable_area'] = built
                values.append(unit)
        units = []
        for batch in chunks(values, 500):
            units.extend(Unit.create(batch))
        self.units = units
        self.counts['房屋 units'] = len(units)
        by_usage = {}
        for unit in units:
            by_usage[unit.usage] = by_usage.get(unit.usage, 0) + 1
        for usage, count in sorted(by_usage.items()):
            self.counts[f'  - {usage}'] = count

    # ------------------------------------------------------------------
    # handover inspection
    # ------------------------------------------------------------------
    def create_handovers(self):
        pool = self.pool
        Template = pool.get('pm.handover.template')
        Handover = pool.get('pm.handover')
        Line = pool.get('pm.handover.line')
        rng = self.rng
        templates = Template.create([{
                    'name': name, 'level': level,
                    'lines': [('create', [{
                                    'sequence': i * 10, 'category': category,
                                    'name': item, 'standard': standard,
                                    } for i, (category, item, standard)
                                in enumerate(lines, 1)])],
                    } for name, level, lines in HANDOVER_TEMPLATES])
        templates = {t.level: t for t in templates}
        estate = self.estates['JX']
        phase2 = [b for b in self.buildings
            if b.estate == estate and b.code == '3'][0]
        phase2_units = [u for u in self.units if u.building == phase2]
        inspectors = [self.employees[k] for k in INSPECTORS]

        # (level, unit, days ago, final state)
        plan = [('estate', None, 20, 'done'),
            ('building', None, 12, 'done')]
        chosen = rng.sample(phase2_units, min(8, len(phase2_units)))
        states = ['done', 'done', 'done', 'done', 'in_progress',
            'in_progress', 'draft', 'draft']
        for i, (unit, state) in enumerate(zip(chosen, states)):
            plan.append(('unit', unit, 9 - i, state))
        handovers = Handover.create([{
                    'estate': estate.id, 'level': level,
                    'building': (unit.building.id if unit
                        else phase2.id if level == 'building' else None),
                    'unit': unit.id if unit else None,
                    'template': templates[level].id,
                    'date': self.today - dt.timedelta(days=days),
                    'inspector': inspectors[i % 2].id,
                    'developer_representative': '杭州锦绣置业有限公司 工程部 孙工',
                    } for i, (level, unit, days, _) in enumerate(plan)])
        started = [h for h, p in zip(handovers, plan) if p[3] != 'draft']
        Handover.start(started)
        to_do = []
        passed, defects, pending = [], [], []
        for handover, (level, unit, days, state) in zip(handovers, plan):
            if state == 'draft':
                continue
            lines = Handover(handover.id).lines
            for j, line in enumerate(lines):
                if state == 'in_progress' and j >= len(lines) // 2:
                    pending.append(line)
                elif line.name in DEFECTS and rng.random() < 0.35:
                    defects.append((line, handover))
                else:
                    passed.append(line)
            if state == 'done':
                to_do.append(handover)
        Line.write(passed, {'result': 'passed'})
        to_write = []
        for line, handover in defects:
            to_write.extend(([line], {
                        'result': 'defect',
                        'description': DEFECTS[line.name],
                        'responsible': '杭州锦绣置业有限公司维修部',
                        'deadline': handover.date + dt.timedelta(days=15),
                        }))
        if to_write:
            Line.write(*to_write)
        Handover.do(to_do)
        # the developer already fixed some defects
        fixed = [l for l, _ in defects[::3]]
        if fixed:
            Line.write(fixed, {
                    'rectification_state': 'rectified',
                    'rectified_date': self.today - dt.timedelta(days=2),
                    'rectified_by': inspectors[0].id,
                    'rectification_note': '开发商已整改，复验合格',
                    })
        self.counts['验收模板 handover templates'] = len(templates)
        self.counts['验收单 handover inspections'] = len(handovers)
        self.counts['  - open defects'] = len(defects) - len(fixed)

    # ------------------------------------------------------------------
    def run(self):
        from trytond.transaction import Transaction
        steps = [self.setup_base, self.create_staff]
        context = {'language': 'en'}
        with Transaction().set_context(**context):
            for step in steps:
                self.timed(step)
        with Transaction().set_context(
                company=self.company.id, language='en',
                companies=[self.company.id]):
            for step in [self.create_estates, self.create_units,
                    self.create_handovers]:
                self.timed(step)
            if self.module_activated('pm_customer'):
                from .customers import CustomerLoader
                # zh_CN: the move-in lines copy the translated checklist
                self.customers = CustomerLoader(self)
                with Transaction().set_context(language='zh_CN'):
                    self.timed(self.customers.run)
            else:
                self.notes.append(
                    'pm_customer is not activated: no owners, residents, '
                    'tenants')
            if (self.customers and self.module_activated('pm_billing')
                    and self.module_activated('pm_account_cn')):
                from .billing import BillingLoader
                self.billing = BillingLoader(self)
                with Transaction().set_context(language='zh_CN'):
                    self.timed(self.billing.run)
            # the demo data of the other addons: demo/<name>.py load(loader)
            for module, name in EXTENSIONS:
                if not (self.customers and self.module_activated(module)):
                    continue
                extension = importlib.import_module(f'.{name}', __package__)
                with Transaction().set_context(language='zh_CN'):
                    self.timed(extension.load, self)
                self.extensions.append((module, name))

    def module_activated(self, name):
        Module = self.get('ir.module')
        return bool(Module.search([
                    ('name', '=', name), ('state', '=', 'activated')]))

    def timed(self, step, *args):
        start = time.monotonic()
        step(*args)
        logger.info('%s.%s: %.1fs', getattr(step, '__module__', ''),
            getattr(step, '__qualname__', step), time.monotonic() - start)

    def summary(self):
        lines = [f'演示数据 demo data ({COMPANY_NAME}, scale {self.scale}):']
        width = max(len(k) for k in self.counts)
        for key, value in self.counts.items():
            lines.append(f'  {key.ljust(width)}  {value:>6}')
        lines.extend(f'  note: {n}' for n in self.notes)
        return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--scale', type=float, default=1.0,
        help="1.0 builds about 1,500 units; 0.05 a small demo for tests")
    parser.add_argument('--seed', type=int, default=2026)
    parser.add_argument('-v', '--verbose', action='store_true')
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format='%(name)s: %(message)s', stream=sys.stderr)

    from trytond import config
    config.update_etc(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from trytond.transaction import TransactionError

    start = time.monotonic()
    pool = Pool(args.database)
    pool.init()
    # Tryton takes table locks (singletons such as the account
    # configuration) by restarting the transaction: name them up front, and
    # restart like trytond's own dispatcher if another one is needed.
    extras = {'_lock_tables': lock_tables(pool)}
    while True:
        with Transaction().start(
                args.database, 0, context={}, **extras) as transaction:
            try:
                loader = Loader(scale=args.scale, seed=args.seed)
                loader.run()
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
            transaction.commit()
        break
    if loader.billing:
        # the billing run is computed and posted through the queue, as
        # trytond-worker does, once the data is committed
        for name, state, bills, amount in loader.billing.after_commit(
                args.database):
            loader.counts[f'账单 bills ({name}, {state})'] = bills
            loader.counts[f'  - amount ¥ ({name})'] = amount
    # the addons' steps that need the committed data (payment methods …)
    for module, name in loader.extensions:
        extension = importlib.import_module(f'.{name}', __package__)
        if hasattr(extension, 'after_commit'):
            extension.after_commit(loader, args.database)
    print(loader.summary())
    print(f'  ({time.monotonic() - start:.1f}s)')


if __name__ == '__main__':
    main()
