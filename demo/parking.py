"""Demo data of pm_parking (车位管理): lots, spaces, vehicles, contracts,
temporary parking of the last two weeks and a few incidents.

Called by demo/load.py inside the demo transaction, after the billing demo,
with the company and zh_CN in the context:

* per estate an underground garage (地下车库) holding a space for each
  parking-space unit (sold 产权 spaces when the unit has an owner, rental
  spaces otherwise) and a ground lot (地面停车场) with rental, public and
  temporary-parking spaces, its gates and the temporary-parking fee rule;
* residents' vehicles (浙A plates, a fifth new-energy), allowed on their
  spaces; parking contracts (车位租金 300/400 元/月) on most rental spaces,
  some ending within 30 days so that the reminder has something to say;
  the monthly rent is billed by the billing runs (get_extra_charges);
* temporary-parking entries and exits of the last 14 days, paid at the gate,
  residents passing free, a few cars still inside; some situations.
"""
import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta

LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ'
DIGITS = '0123456789'


def chunks(values, size=500):
    for i in range(0, len(values), size):
        yield values[i:i + size]


class ParkingLoader:

    def __init__(self, loader):
        self.loader = loader
        self.rng = loader.rng
        self.today = loader.today
        self.company = loader.company
        self.plates = set()

    def get(self, name):
        return self.loader.get(name)

    # --- helpers -----------------------------------------------------------
    def plate(self, new_energy=False):
        "A new random plate of Hangzhou (浙A), never used twice"
        rng = self.rng
        while True:
            if new_energy:
                body = (rng.choice('DF') + rng.choice(LETTERS + DIGITS)
                    + ''.join(rng.choice(DIGITS) for _ in range(4)))
            else:
                chars = [rng.choice(DIGITS) for _ in range(5)]
                if rng.random() < 0.6:
                    chars[rng.randrange(5)] = rng.choice(LETTERS)
                body = ''.join(chars)
            plate = f'浙A{body}'
            if plate not in self.plates:
                self.plates.add(plate)
                return plate

    def visitor_plate(self):
        rng = self.rng
        province = rng.choice('浙浙浙浙沪苏皖赣')
        letter = rng.choice('ABCDEFGHJK')
        body = ''.join(rng.choice(DIGITS) for _ in range(5))
        if rng.random() < 0.2:
            body = 'D' + body[:1] + body[1:5]
        return f'{province}{letter}{body}'

    # --- steps ---------------------------------------------------------------
    def run(self):
        for step in [self.create_rule_and_rates, self.create_lots,
                self.create_spaces, self.create_vehicles,
                self.create_contracts, self.create_visits,
                self.create_events, self.remind]:
            self.loader.timed(step)

    def create_rule_and_rates(self):
        Rule = self.get('pm.parking.fee.rule')
        Item = self.get('pm.charge.item')
        Rate = self.get('pm.charge.rate')
        Template = self.get('product.template')
        currency = self.company.currency.id
        self.rule, = Rule.create([{
                    'company': self.company.id, 'name': '临停收费标准',
                    'currency': currency, 'free_minutes': 30,
                    'hourly_price': Decimal('5.00'),
                    'daily_cap': Decimal('30.00'),
                    'cap_mode': 'calendar_day',
                    'note': '首 30 分钟免费，超时按小时计费，'
                    '不足 1 小时按 1 小时计，每自然日最高 30 元',
                    }])
        parking_items = Item.search([
                ('company', '=', self.company.id), ('code', '=', 'CWF')])
        category = None
        if parking_items:
            category = parking_items[0].product.template.account_category
        template, = Template.create([{
                    'name': '车位租金', 'type': 'service',
                    'default_uom': self.loader.ref('product.uom_unit'),
                    'list_price': Decimal(0),
                    'account_category': category.id if category else None,
                    'products': [('create', [{'code': 'CWZJ'}])],
                    }])
        self.item, = Item.create([{
                    'company': self.company.id, 'code': 'CWZJ',
                    'name': '车位租金', 'category': 'parking',
                    'product': template.products[0].id,
                    }])
        self.ground_rate, self.garage_rate = Rate.create([{
                    'company': self.company.id, 'charge_item': self.item.id,
                    'name': name, 'method': 'parking', 'currency': currency,
                    'unit_price': Decimal(price), 'due_rule': 'after_start',
                    'due_days': 10,
                    } for name, price in [
                    ('地面车位月租 300元/月', '300'),
                    ('地下车位月租 400元/月', '400')]])

    def create_lots(self):
        Estate = self.get('pm.estate')
        Lot = self.get('pm.parking.lot')
        self.estates = Estate.search(
            [('company', '=', self.company.id)], order=[('code', 'ASC')])
        vlist = []
        for estate in self.estates:
            vlist.append({
                    'estate': estate.id, 'code': 'B1', 'name': '地下车库',
                    'lot_type': 'underground', 'capacity': 0,
                    'fee_rule': self.rule.id,
                    'entrances': [('create', [
                                {'name': '车库入口', 'direction': 'in'},
                                {'name': '车库出口', 'direction': 'out'}])],
                    })
            vlist.append({
                    'estate': estate.id, 'code': 'G1', 'name': '地面停车场',
                    'lot_type': 'ground', 'capacity': 0,
                    'fee_rule': self.rule.id,
                    'entrances': [('create', [
                                {'name': '东门', 'direction': 'both'},
                                {'name': '南门', 'direction': 'both'}])],
                    })
        lots = Lot.create(vlist)
        self.garages = {l.estate.id: l for l in lots if l.code == 'B1'}
        self.grounds = {l.estate.id: l for l in lots if l.code == 'G1'}

    def create_spaces(self):
        Unit = self.get('pm.unit')
        Space = self.get('pm.parking.space')
        Lot = self.get('pm.parking.lot')
        rng = self.rng
        vlist = []
        for estate in self.estates:
            garage, ground = self.garages[estate.id], self.grounds[estate.id]
            units = Unit.search([
                    ('estate', '=', estate.id), ('usage', '=', 'parking')],
                order=[('code', 'ASC')])
            owners = Unit.current_owners([u.id for u in units])
            for unit in units:
                owner = owners.get(unit.id)
                kind = rng.choices(
                    ['standard', 'charging', 'tandem', 'accessible'],
                    [80, 12, 6, 2])[0]
                vlist.append({
                        'lot': garage.id,
                        'number': f'{estate.code}-{unit.code}',
                        'name': unit.name, 'space_type': kind,
                        'location': f'B1 {unit.entrance or ""}区'.replace(
                            ' 区', ''),
                        'area': unit.built_area,
                        'ownership': 'property' if owner else 'rental',
                        'unit': unit.id,
                        'customer': owner[0][0] if owner else None,
                        })
            count = self.loader.scaled(40, 8)
            for i in range(1, count + 1):
                if i <= 2:
                    ownership, kind = 'public', 'accessible'
                elif i <= count // 4:
                    ownership, kind = 'temporary', 'standard'
                else:
                    ownership = 'rental'
                    kind = 'motorcycle' if i % 15 == 0 else 'standard'
                vlist.append({
                        'lot': ground.id,
                        'number': f'{estate.code}-G{i:03d}',
                        'space_type': kind,
                        'location': rng.choice(['东侧', '西侧', '北侧',
                                '会所旁']),
                        'ownership': ownership,
                        })
        self.spaces = []
        for chunk in chunks(vlist):
            self.spaces.extend(Space.create(chunk))
        by_lot = {}
        for space in self.spaces:
            by_lot[space.lot] = by_lot.get(space.lot, 0) + 1
        Lot.write(*[a for lot, n in by_lot.items()
                for a in ([lot], {'capacity': n + (
                            20 if lot.lot_type == 'ground' else 0)})])
        self.loader.counts['停车场 parking lots'] = len(by_lot)
        self.loader.counts['车位 parking spaces'] = len(self.spaces)
        self.loader.counts['  - 产权 sold spaces'] = sum(
            1 for s in self.spaces if s.ownership == 'property')

    def create_vehicles(self):
        Unit = self.get('pm.unit')
        Vehicle = self.get('pm.vehicle')
        rng = self.rng
        homes = Unit.search([
                ('company', '=', self.company.id),
                ('usage', '=', 'residential'),
                ('billing_party', '!=', None)],
            order=[('id', 'ASC')])
        self.homes = homes
        # owners of sold spaces drive a car parked there
        vlist = []
        self.home_by_party = {}
        for home in homes:
            self.home_by_party.setdefault(home.billing_party.id, home)
        for space in self.spaces:
            if space.ownership != 'property':
                continue
            home = self.home_by_party.get(space.customer.id)
            vlist.append(self.vehicle_values(space.customer.id,
                    home.id if home else None, [space.id]))
        # other residents with a car and no space yet
        self.car_homes = rng.sample(homes, min(len(homes),
                self.loader.scaled(260, 10)))
        for home in self.car_homes:
            vlist.append(self.vehicle_values(
                    home.billing_party.id, home.id, []))
        self.vehicles = []
        for chunk in chunks(vlist):
            self.vehicles.extend(Vehicle.create(chunk))
        self.loader.counts['车辆 vehicles'] = len(self.vehicles)

    def vehicle_values(self, owner, unit, spaces):
        rng = self.rng
        new_energy = rng.random() < 0.2
        models = (['比亚迪 汉', '比亚迪 秦PLUS', '特斯拉 Model Y', '蔚来 ES6',
                '理想 L7', '小鹏 P7'] if new_energy else
            ['大众 朗逸', '丰田 凯美瑞', '本田 雅阁', '别克 君威', '吉利 星越L',
                '宝马 3系', '奥迪 A4L', '日产 轩逸'])
        return {
            'company': self.company.id,
            'plate': self.plate(new_energy),
            'vehicle_type': rng.choices(['car', 'suv'], [3, 1])[0],
            'model': rng.choice(models),
            'colour': rng.choice(['白', '黑', '灰', '银', '蓝', '红']),
            'owner': owner, 'unit': unit,
            'spaces': [('add', spaces)] if spaces else [],
            }

    def create_contracts(self):
        Contract = self.get('pm.parking.contract')
        rng = self.rng
        rentals = [s for s in self.spaces if s.ownership == 'rental']
        rented = [s for s in rentals if rng.random() < 0.7]
        drivers = [v for v in self.vehicles if not v.spaces and v.unit]
        rng.shuffle(drivers)
        vlist, vehicles = [], []
        for i, (space, vehicle) in enumerate(zip(rented, drivers)):
            garage = space.lot.lot_type == 'underground'
            rate = self.garage_rate if garage else self.ground_rate
            roll = rng.random()
            if roll < 0.12 or i == 0:     # ending within the reminder days
                end = self.today + dt.timedelta(days=rng.randint(3, 28))
                start = end - relativedelta(years=1) + dt.timedelta(days=1)
            else:
                start = self.today - dt.timedelta(days=rng.randint(10, 330))
                start = start.replace(day=1) if rng.random() < 0.6 else start
                end = start + relativedelta(years=1) - dt.timedelta(days=1)
            price = rate.unit_price
            if rng.random() < 0.15:     # a yearly payer's discount
                price = (price * Decimal('0.9')).quantize(Decimal('1'))
            vlist.append({
                    'space': space.id, 'customer': vehicle.owner.id,
                    'unit': vehicle.unit.id, 'rate': rate.id,
                    'currency': self.company.currency.id,
                    'monthly_price': price,
                    'start_date': start, 'end_date': end,
                    'reminder_days': 30,
                    'vehicles': [('add', [vehicle.id])],
                    })
            vehicles.append(vehicle)
        contracts = []
        for chunk in chunks(vlist):
            contracts.extend(Contract.create(chunk))
        # a few drafts waiting for signature
        drafts = contracts[-max(1, len(contracts) // 20):]
        signed = contracts[:len(contracts) - len(drafts)]
        if signed:
            Contract.activate(signed)
        self.contracts = contracts
        self.loader.counts['车位合同 parking contracts'] = len(signed)
        self.loader.counts['  - 草稿 draft contracts'] = len(drafts)

    def payment_methods(self):
        Method = self.get('pm.payment.method')
        return Method.search([('company', '=', self.company.id)])

    def create_visits(self):
        Visit = self.get('pm.parking.visit')
        rng = self.rng
        methods = self.payment_methods()
        resident_plates = [v.plate for v in self.vehicles]
        now = dt.datetime.combine(self.today, dt.time(9, 0))
        vlist = []
        lots = list(self.grounds.values()) + list(self.garages.values())
        per_day = self.loader.scaled(12, 3)
        for lot in lots:
            for days_ago in range(14, -1, -1):
                day = self.today - dt.timedelta(days=days_ago)
                for _ in range(per_day if lot.lot_type == 'ground'
                        else max(1, per_day // 3)):
                    entry = dt.datetime.combine(day, dt.time(
                            rng.randint(6, 22), rng.randint(0, 59)))
                    minutes = int(rng.choices(
                            [rng.randint(5, 29), rng.randint(31, 240),
                                rng.randint(240, 900),
                                rng.randint(900, 2000)],
                            [25, 45, 22, 8])[0])
                    exit_ = entry + dt.timedelta(minutes=minutes)
                    plate = (rng.choice(resident_plates)
                        if rng.random() < 0.15 else self.visitor_plate())
                    inside = exit_ > now
                    vlist.append({
                            'lot': lot.id, 'plate': plate,
                            'entry_time': entry,
                            'exit_time': None if inside else exit_,
                            'entry_gate': lot.entrances[0].id,
                            'exit_gate': None if inside
                            else lot.entrances[-1].id,
                            })
        # the visits are created inside and then checked out: a plate is
        # inside a lot once at a time, so keep one visit per plate and lot
        seen, unique = set(), []
        for values in vlist:
            key = (values['lot'], values['plate'])
            if key in seen:
                continue
            seen.add(key)
            unique.append(values)
        visits = []
        for chunk in chunks(unique):
            visits.extend(Visit.create(chunk))
        exits = [v for v in visits if v.exit_time]
        for chunk in chunks(exits):
            Visit.check_out(chunk)
        unpaid = Visit.search([
                ('id', 'in', [v.id for v in exits]),
                ('state', '=', 'unpaid')])
        self.loader.counts['临停记录 temporary parking'] = len(visits)
        if methods:
            paid = pay_visits(unpaid, methods, self.rng, self.today)
            self.loader.counts['  - 已缴费 paid at the gate'] = len(paid)
            self.loader.counts['  - 临停收入 parking income ¥'] = sum(
                v.amount for v in paid)
        else:
            # paid by after_commit, once the billing demo made the methods
            self.loader.counts['  - 待缴费 to pay at the gate'] = len(unpaid)

    def create_events(self):
        Event = self.get('pm.parking.space.event')
        rng = self.rng
        samples = [
            ('special', '车位被非本车位车辆长期占用，已张贴告知单', None),
            ('special', '车位划线模糊，需重新划线', '已安排重新划线'),
            ('special', '充电桩故障，无法充电', '已通知厂家维修'),
            ('incident', '车辆倒车时剐蹭立柱，车主已确认', '车主自行处理'),
            ('incident', '暴雨导致车位积水', '已抽水并疏通排水沟'),
            ('special', '业主反映车位被堆放杂物', None),
            ('incident', '夜间巡逻发现车窗未关', '已电话通知车主'),
            ]
        count = self.loader.scaled(12, 4)
        vlist = []
        for space in rng.sample(self.spaces, min(count, len(self.spaces))):
            kind, text, resolution = rng.choice(samples)
            when = dt.datetime.combine(
                self.today - dt.timedelta(days=rng.randint(0, 60)),
                dt.time(rng.randint(7, 22), rng.randint(0, 59)))
            vlist.append({
                    'space': space.id, 'kind': kind, 'description': text,
                    'reported_at': when, 'reported_by': '秩序维护部',
                    'resolution': resolution,
                    })
        events = Event.create(vlist)
        to_resolve = [e for e in events if e.resolution]
        if to_resolve:
            Event.resolve(to_resolve)
        self.loader.counts['车位特殊情况 space situations'] = len(events)

    def remind(self):
        Contract = self.get('pm.parking.contract')
        flagged = Contract.check_expiring(date=self.today)
        self.loader.counts['  - 即将到期 expiring contracts'] = len(flagged)


def pay_visits(visits, methods, rng, today):
    "Pay the visits at the gate (most of them), return the paid ones"
    Visit = visits[0].__class__ if visits else None
    paid = []
    for visit in visits:
        if visit.exit_date < today or rng.random() < 0.8:
            visit.payment_method = rng.choice(methods)
            paid.append(visit)
    if paid:
        Visit.save(paid)
        for chunk in chunks(paid):
            Visit.pay(chunk)
    return paid


def load(loader):
    ParkingLoader(loader).run()


def after_commit(loader, database):
    """Pay the temporary parking fees once the payment methods exist (the
    billing demo creates them after the commit, in its collect step)"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    context = {'company': loader.company.id, 'language': 'zh_CN'}
    with Transaction().start(database, 0, context=context) as transaction:
        Visit = pool.get('pm.parking.visit')
        Method = pool.get('pm.payment.method')
        methods = Method.search([
                ('company', '=', loader.company.id),
                ('kind', '=', 'money')])
        if not methods:
            return 0
        unpaid = Visit.search([
                ('company', '=', loader.company.id),
                ('state', '=', 'unpaid')], order=[('id', 'ASC')])
        paid = pay_visits(unpaid, methods, loader.rng, loader.today)
        income = sum(v.amount for v in paid)
        transaction.commit()
    loader.counts['临停缴费 temporary parking paid'] = len(paid)
    loader.counts['  - 临停收入 parking income ¥'] = income
    return len(paid)
