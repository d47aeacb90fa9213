"""Demo owners, residents, tenants and their history (module pm_customer).

The plan is decided in Python first (who owns, lives in or rents which unit),
then the records are created in batches: parties, billing parties, the
occupancies, leases (activated, expired, renewed, terminated), move-ins, a
decoration and two unit sales through `pm.unit.transfer_ownership`, the logic
of the 房屋过户 wizard.
"""
import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from .people import COMPANY_OWNERS, SHOP_TENANTS

D = Decimal
HK_SURNAMES = ['陈', '李', '黄', '梁', '何', '林']
FOREIGNERS = [('Michael Brown', 'M', 'GBR'), ('Anna Schmidt', 'F', 'DEU')]
RESIDENT_RELATIONS = ['亲属借住', '保姆', '朋友借住']
TERMINATION_REASON = '租户工作调动至上海，提前解除合同，双方协商一致。'


def hundreds(amount):
    "Round a monthly rent to hundreds of yuan, as landlords do"
    return (D(amount) / 100).quantize(D(1)) * 100


def chunks(values, size=500):
    for i in range(0, len(values), size):
        yield values[i:i + size]


class CustomerLoader:

    def __init__(self, demo):
        self.demo = demo
        self.pool = demo.pool
        self.rng = demo.rng
        self.today = demo.today
        self.people = demo.people
        self.company = demo.company
        self.counts = demo.counts
        self.parties = []       # values of the parties to create
        self.occupancies = []   # (values with party/owner as indexes)
        self.billing = {}       # unit id: party index
        self.leases = []        # dicts describing the leases
        self.sales = []         # units sold in the story
        self.companies = {}     # name: party index

    # -- parties -------------------------------------------------------------
    def add_person(self, person=None, **kw):
        person = person or self.people.person(**kw)
        values = {
            'name': person['name'],
            'customer_type': 'person',
            'id_type': 'resident_id',
            'id_number': person['id_number'],
            'hukou_place': person['hukou_place'],
            'contact_mechanisms': [('create', [
                            {'type': 'mobile', 'value': person['mobile']}])],
            }
        self.parties.append(values)
        index = len(self.parties) - 1
        return index, person

    def add_company(self, name):
        company = self.people.company(name)
        self.parties.append({
                'name': name,
                'customer_type': 'company',
                'id_type': 'business_license',
                'id_number': company['id_number'],
                'contact_mechanisms': [('create', [{
                                'type': 'phone',
                                'value': '0571-8%07d' % self.rng.randrange(
                                    10 ** 7)}])],
                })
        return len(self.parties) - 1

    def add_foreign_owner(self, number):
        "An owner with a Hong Kong permit or a foreign passport"
        if number % 2 == 0:
            person = self.people.person(
                surname=HK_SURNAMES[number % len(HK_SURNAMES)])
            index, _ = self.add_person(person)
            self.parties[index].update({
                    'id_type': 'hk_macao_permit',
                    'id_number': 'H%08d' % self.rng.randrange(10 ** 8),
                    'hukou_place': '香港特别行政区',
                    'gender': 'male' if person['male'] else 'female',
                    })
        else:
            name, sex, _ = FOREIGNERS[number // 2 % len(FOREIGNERS)]
            index, _ = self.add_person(self.people.person(male=sex == 'M'))
            self.parties[index].update({
                    'name': name,
                    'id_type': 'passport',
                    'id_number': 'C%08d' % self.rng.randrange(10 ** 8),
                    'hukou_place': None,
                    'gender': 'male' if sex == 'M' else 'female',
                    })
        return index

    def company_party(self, name):
        "The party of a company, created once"
        if name not in self.companies:
            self.companies[name] = self.add_company(name)
        return self.companies[name]

    # -- plan ----------------------------------------------------------------
    def occupancy(self, unit, party, role, start, end=None, **kw):
        values = {'unit': unit.id, 'party': party, 'role': role,
            'start_date': start, 'end_date': end}
        values.update(kw)
        self.occupancies.append(values)
        return values

    def plan_residential(self, units):
        rng = self.rng
        foreign = 0
        by_estate = defaultdict(list)
        for unit in units:
            by_estate[unit.estate].append(unit)
        self.owners_by_estate = defaultdict(list)
        rented, vacant = [], []
        for estate, estate_units in by_estate.items():
            for unit in estate_units:
                start = unit.delivery_date
                draw = rng.random()
                if draw < 0.03:
                    # not sold yet: the developer owns it
                    developer = self.company_party(estate.developer)
                    self.billing[unit.id] = developer
                    self.occupancy(unit, developer, 'owner', start,
                        share=D(100), resides=False)
                    vacant.append(unit)
                    continue
                if draw < 0.04:
                    # a company flat for its staff
                    company = self.company_party(
                        COMPANY_OWNERS[len(self.billing) % 4])
                    self.billing[unit.id] = company
                    self.occupancy(unit, company, 'owner', start,
                        share=D(100), resides=False)
                    staff, _ = self.add_person()
                    self.occupancy(unit, staff, 'resident', start,
                        note='公司员工宿舍')
                    continue
                # a second-hand sale some years ago in the older estate
                resale = None
                if (unit.delivery_date.year < 2015 and rng.random() < 0.08):
                    resale = unit.delivery_date + dt.timedelta(
                        days=rng.randint(900, 3000))
                    first, _ = self.add_person()
                    self.occupancy(unit, first, 'owner', start,
                        resale - dt.timedelta(days=1), share=D(100),
                        resides=True)
                    start = resale
                mode = rng.random()
                occupied = mode < 0.74
                is_rented = 0.74 <= mode < 0.86
                if rng.random() < 0.008:
                    owner, person = self.add_foreign_owner(foreign), None
                    foreign += 1
                else:
                    owner, person = self.add_person()
                owners = [owner]
                if person and rng.random() < 0.40:
                    spouse = self.people.spouse(person)
                    co_owner, _ = self.add_person(spouse)
                    owners.append(co_owner)
                    self.billing[unit.id] = owner
                    shares = [D(50), D(50)]
                else:
                    spouse = None
                    shares = [D(100)]
                for party, share in zip(owners, shares):
                    self.occupancy(unit, party, 'owner', start, share=share,
                        resides=occupied)
                self.owners_by_estate[estate].append(owner)
                if person and rng.random() < 0.3:
                    relative = self.people.person(age=rng.randint(28, 60))
                    self.parties[owner].update({
                            'emergency_contact': relative['name'],
                            'emergency_phone': relative['mobile'],
                            })
                if is_rented:
                    rented.append((unit, owner))
                elif occupied and person:
                    self.plan_family(unit, owner, person, spouse, start)
                elif not occupied and rng.random() < 0.2:
                    # the owner lives elsewhere and lends the flat
                    resident, _ = self.add_person()
                    self.occupancy(unit, resident, 'resident', start,
                        note=rng.choice(RESIDENT_RELATIONS))
                else:
                    vacant.append(unit)
        return rented, vacant

    def plan_family(self, unit, owner, person, spouse, start):
        rng = self.rng
        if spouse is None and rng.random() < 0.7:
            index, _ = self.add_person(self.people.spouse(person))
            self.occupancy(unit, index, 'family', start,
                relation='spouse', owner=owner)
        age = self.today.year - person['birthday'].year
        if 28 <= age <= 65:
            for _ in range(rng.choice([0, 1, 1, 1, 2])):
                index, _ = self.add_person(self.people.child(person))
                self.occupancy(unit, index, 'family', start,
                    relation='child', owner=owner)
        if age < 45 and rng.random() < 0.15:
            parent = self.people.person(
                age=age + rng.randint(24, 32),
                surname=person['name'][0])
            index, _ = self.add_person(parent)
            self.occupancy(unit, index, 'family', start,
                relation='parent', owner=owner)

    def plan_leases(self, rented):
        rng = self.rng
        today = self.today
        story = ['expiring', 'terminated', 'renewed']
        for i, (unit, owner) in enumerate(rented):
            tenant, _ = self.add_person(age=rng.randint(23, 45))
            kind = story[i] if i < len(story) else 'active'
            area = unit.built_area or D(90)
            rent = hundreds(area * rng.choice([45, 50, 55, 60, 65]))
            if kind == 'expiring':
                end = today + dt.timedelta(days=18)
                start = end - relativedelta(years=1) + dt.timedelta(days=1)
            elif kind == 'terminated':
                start = today - dt.timedelta(days=300)
                end = start + relativedelta(years=1) - dt.timedelta(days=1)
            elif kind == 'renewed':
                start = today - relativedelta(years=1, months=5)
                end = start + relativedelta(years=1) - dt.timedelta(days=1)
            else:
                start = today - dt.timedelta(days=rng.randint(20, 330))
                years = rng.choice([1, 1, 1, 2])
                end = start + relativedelta(years=years) - dt.timedelta(days=1)
            self.leases.append({
                    'kind': kind, 'unit': unit, 'landlord': owner,
                    'tenant': tenant, 'start_date': start, 'end_date': end,
                    'monthly_rent': rent, 'deposit': rent * 2,
                    'payment_frequency': rng.choice(
                        ['monthly', 'quarterly', 'quarterly', 'half_year']),
                    })

    def plan_shops(self, shops):
        rng = self.rng
        tenants = list(SHOP_TENANTS)
        owner = None
        for i, shop in enumerate(shops):
            start = shop.delivery_date
            if owner is None or rng.random() < 0.7:
                # most owners have one shop, some the next one too
                if rng.random() < 0.2:
                    owner = self.company_party(
                        COMPANY_OWNERS[4 + i % (len(COMPANY_OWNERS) - 4)])
                else:
                    owner, _ = self.add_person()
            if owner in self.companies.values():
                self.billing[shop.id] = owner
            self_run = rng.random() < 0.3
            self.occupancy(shop, owner, 'owner', start, share=D(100),
                resides=self_run)
            if not self_run and tenants and rng.random() < 0.8:
                name = tenants.pop(0)
                tenant = self.company_party(name)
                rent = hundreds(
                    (shop.built_area or D(60)) * rng.choice([120, 150, 180]))
                start_lease = self.today - dt.timedelta(
                    days=rng.randint(60, 600))
                self.leases.append({
                        'kind': 'active', 'unit': shop, 'landlord': owner,
                        'tenant': tenant, 'start_date': start_lease,
                        'end_date': start_lease + relativedelta(years=3)
                        - dt.timedelta(days=1),
                        'monthly_rent': rent, 'deposit': rent * 3,
                        'payment_frequency': 'quarterly',
                        })

    def plan_parking(self, spaces):
        rng = self.rng
        for space in spaces:
            owners = self.owners_by_estate.get(space.estate)
            if not owners or rng.random() > 0.55:
                continue
            owner = rng.choice(owners)
            self.occupancy(space, owner, 'owner', space.delivery_date,
                share=D(100), resides=False)

    # -- create --------------------------------------------------------------
    def create_parties(self):
        Party = self.pool.get('party.party')
        created = []
        for batch in chunks(self.parties, 500):
            created.extend(Party.create(batch))
        self.party_records = created
        return created

    def create_occupancies(self):
        pool = self.pool
        Occupancy = pool.get('pm.occupancy')
        Unit = pool.get('pm.unit')
        parties = self.party_records
        args = []
        for unit_id, index in self.billing.items():
            args.extend([[Unit(unit_id)], {'billing_party': parties[index].id}])
        for batch in chunks(args, 1000):
            Unit.write(*batch)
        values = []
        for occupancy in self.occupancies:
            occupancy = occupancy.copy()
            occupancy['party'] = parties[occupancy['party']].id
            if occupancy.get('owner') is not None:
                occupancy['owner'] = parties[occupancy['owner']].id
            values.append(occupancy)
        # owners first: family members refer to them
        values.sort(key=lambda v: v['role'] != 'owner')
        for batch in chunks(values, 500):
            Occupancy.create(batch)

    def create_leases(self):
        pool = self.pool
        Lease = pool.get('pm.lease')
        parties = self.party_records
        leases = Lease.create([{
                    'company': self.company.id,
                    'unit': l['unit'].id,
                    'landlord': parties[l['landlord']].id,
                    'tenant': parties[l['tenant']].id,
                    'currency': self.demo.currency.id,
                    'monthly_rent': l['monthly_rent'],
                    'deposit': l['deposit'],
                    'payment_frequency': l['payment_frequency'],
                    'start_date': l['start_date'],
                    'end_date': l['end_date'],
                    } for l in self.leases])
        Lease.activate(leases)
        kinds = {lease.id: plan['kind']
            for lease, plan in zip(leases, self.leases)}
        renewed = [l for l in leases if kinds[l.id] == 'renewed']
        if renewed:
            # the first year expired, the tenant signed again at +3 %
            Lease.expire(renewed)
            renewals = []
            for lease in renewed:
                start = lease.end_date + dt.timedelta(days=1)
                renewals.append(Lease.renew_lease(
                        lease, start,
                        start + relativedelta(years=1) - dt.timedelta(days=1),
                        hundreds(lease.monthly_rent * D('1.03')),
                        lease.deposit))
            Lease.activate(renewals)
        for lease in leases:
            if kinds[lease.id] == 'terminated':
                Lease.settle_termination(
                    lease, self.today - dt.timedelta(days=60),
                    TERMINATION_REASON, lease.deposit - D(800), D(800))
        # the daily task: expire the past leases, flag the expiring ones
        Lease.check_expiring()

    def create_sales(self, occupied_units):
        """Two owner-occupied flats change hands through the transfer logic;
        the newest buyer moves in and renovates."""
        pool = self.pool
        Unit = pool.get('pm.unit')
        Party = pool.get('party.party')
        MoveIn = pool.get('pm.move_in')
        MoveInLine = pool.get('pm.move_in.line')
        Decoration = pool.get('pm.decoration')
        rng = self.rng
        candidates = [u for u in occupied_units
            if u.delivery_date and u.delivery_date.year < 2015]
        sales = rng.sample(candidates, min(2, len(candidates)))
        days_ago = [200, 40]
        buyers = []
        for _ in sales:
            person = self.people.person(age=rng.randint(30, 45))
            buyers.append({
                    'name': person['name'], 'customer_type': 'person',
                    'id_type': 'resident_id',
                    'id_number': person['id_number'],
                    'hukou_place': person['hukou_place'],
                    'contact_mechanisms': [('create', [{
                                    'type': 'mobile',
                                    'value': person['mobile']}])],
                    })
        buyers = Party.create(buyers)
        move_ins, decorations = [], []
        for unit, buyer, days in zip(sales, buyers, days_ago):
            date = self.today - dt.timedelta(days=days)
            Unit.transfer_ownership(Unit(unit.id), date, [(buyer, D(100))])
            move_ins.append({
                    'unit': unit.id, 'party': buyer.id,
                    'date': date + dt.timedelta(days=10)})
            decorations.append({
                    'unit': unit.id, 'applicant': buyer.id,
                    'description': '全屋翻新：更换地板、厨卫改造、重新布置水电',
                    'start_date': date + dt.timedelta(days=20),
                    'planned_end_date': date + dt.timedelta(days=110),
                    })
        self.sales = sales
        if not sales:
            return [], []
        move_ins = MoveIn.create(move_ins)
        MoveIn.start(move_ins)
        first, *others = move_ins
        MoveInLine.write(list(MoveIn(first.id).lines), {'done': True})
        MoveIn.do([first])
        for move_in in others:
            lines = MoveIn(move_in.id).lines
            MoveInLine.write(list(lines[:len(lines) // 2]), {'done': True})
        decorations = Decoration.create(decorations)
        Decoration.start(decorations)
        Decoration.write([decorations[0]], {
                'end_date': decorations[0].planned_end_date})
        Decoration.do(decorations[:1])
        return move_ins, decorations

    def create_move_ins(self, occupied):
        "Move-ins of the owners of the newer estate, after its delivery"
        pool = self.pool
        MoveIn = pool.get('pm.move_in')
        MoveInLine = pool.get('pm.move_in.line')
        rng = self.rng
        recent = [(u, o) for u, o in occupied
            if u.delivery_date and u.delivery_date.year >= 2019]
        chosen = rng.sample(recent, min(self.demo.scaled(40, 3), len(recent)))
        if not chosen:
            return []
        move_ins = MoveIn.create([{
                    'unit': unit.id,
                    'party': self.party_records[owner].id,
                    'date': unit.delivery_date + dt.timedelta(
                        days=rng.randint(0, 120)),
                    } for unit, owner in chosen])
        MoveIn.start(move_ins)
        lines = [l for m in MoveIn.browse([m.id for m in move_ins])
            for l in m.lines]
        MoveInLine.write(lines, {'done': True})
        MoveIn.do(move_ins)
        return move_ins

    def create_phase2_move_in(self, units):
        "The first buyer of the new building is being handed the keys"
        pool = self.pool
        MoveIn = pool.get('pm.move_in')
        MoveInLine = pool.get('pm.move_in.line')
        if not units:
            return []
        unit = units[0]
        index, _ = self.add_person(age=34)
        buyer, = pool.get('party.party').create([self.parties[index]])
        move_in, = MoveIn.create([{
                    'unit': unit.id, 'party': buyer.id,
                    'date': unit.delivery_date,
                    'note': '二期首批交付预约'}])
        MoveIn.start([move_in])
        lines = MoveIn(move_in.id).lines
        MoveInLine.write(list(lines[:2]), {'done': True})
        return [move_in]

    def run(self):
        units = self.demo.units
        delivered = [u for u in units if u.delivery_date
            and u.delivery_date <= self.today]
        residential = [u for u in delivered if u.usage == 'residential']
        rented, _ = self.plan_residential(residential)
        self.plan_leases(rented)
        self.plan_shops([u for u in delivered if u.usage == 'shop'])
        self.plan_parking([u for u in delivered if u.usage == 'parking'])
        self.create_parties()
        self.create_occupancies()
        self.create_leases()
        rented_ids = {u.id for u, _ in rented}
        owner_of = {}
        for o in self.occupancies:
            if (o['role'] == 'owner' and o['end_date'] is None
                    and o.get('resides') and o['unit'] not in rented_ids):
                owner_of.setdefault(o['unit'], o['party'])
        occupied = [(u, owner_of[u.id]) for u in residential
            if u.id in owner_of and u.id not in self.billing]
        move_ins = self.create_move_ins(occupied)
        sale_move_ins, decorations = self.create_sales(
            [u for u, _ in occupied])
        undelivered = [u for u in units if u.usage == 'residential'
            and (not u.delivery_date or u.delivery_date > self.today)]
        phase2 = self.create_phase2_move_in(undelivered)
        self.summary(len(move_ins) + len(sale_move_ins) + len(phase2),
            decorations)

    def summary(self, move_in_count, decorations):
        pool = self.pool
        Occupancy = pool.get('pm.occupancy')
        Lease = pool.get('pm.lease')
        Unit = pool.get('pm.unit')
        counts = self.counts
        occupancies = Occupancy.search([])
        counts['客户 parties (owners, residents, tenants)'] = len(
            {o.party for o in occupancies})
        owners = {o.party for o in Occupancy.search([
                    ('role', '=', 'owner'), ('current', '=', True)])}
        counts['  - current owners'] = len(owners)
        counts['  - company owners'] = len(
            [p for p in owners if p.customer_type == 'company'])
        roles = Counter(o.role for o in occupancies)
        for role in ['owner', 'family', 'resident', 'tenant']:
            counts[f'房屋关系 occupancies: {role}'] = roles[role]
        counts['  - ended (history)'] = Occupancy.search(
            [('current', '=', False)], count=True)
        co_owned = Counter(o.unit for o in Occupancy.search([
                    ('role', '=', 'owner'), ('current', '=', True)]))
        counts['  - co-owned units'] = len(
            [u for u, n in co_owned.items() if n > 1])
        states = Counter(l.state for l in Lease.search([]))
        counts['租赁合同 leases'] = sum(states.values())
        for state, count in sorted(states.items()):
            counts[f'  - {state}'] = count
        counts['  - expiring (reminder)'] = Lease.search(
            [('expiring', '=', True)], count=True)
        counts['入伙 move-ins'] = move_in_count
        counts['装修 decorations'] = len(decorations)
        counts['过户 unit sales'] = len(self.sales)
        occupancy_states = Counter(Unit.compute_occupancy_states(
                [u.id for u in self.demo.units]).values())
        for state, count in sorted(occupancy_states.items()):
            counts[f'房屋状态 {state}'] = count
