# This file is part of the pm suite (物业管理系统). See README.md.
import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

from stdnum.cn import ric

from trytond.model.exceptions import AccessError, SQLConstraintError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.pm_customer.exceptions import (
    BillingPartyError, IdentityNumberError, MobileError, OccupancyError,
    OwnerShareError)
from trytond.modules.pm_customer.party import (
    is_valid_mobile, mask_id_number, resident_id_check_digit,
    resident_id_error, resident_id_gender)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

TODAY = dt.date.today()
DAY = dt.timedelta(days=1)


@contextmanager
def savepoint():
    "Undo the database changes of a failing operation"
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    cursor.execute('SAVEPOINT pm_customer_test')
    try:
        yield
    except Exception:
        cursor.execute('ROLLBACK TO SAVEPOINT pm_customer_test')
        transaction.cache.clear()
        raise
    else:
        cursor.execute('RELEASE SAVEPOINT pm_customer_test')


def valid_resident_id(prefix17):
    "Return prefix17 completed by its check digit, computed by python-stdnum"
    return prefix17 + ric.calc_check_digit(prefix17 + '0')


class PmCustomerTestCase(CompanyTestMixin, ModuleTestCase):
    "Test pm_customer module"
    module = 'pm_customer'

    def _setup_unit(self, company, delivered=True, code='1-1-0101'):
        pool = Pool()
        Estate = pool.get('pm.estate')
        Unit = pool.get('pm.unit')
        estates = Estate.search([('code', '=', 'YG')])
        if estates:
            estate, = estates
        else:
            estate, = Estate.create([{'name': "阳光花园", 'code': 'YG'}])
        unit, = Unit.create([{
                    'estate': estate.id,
                    'code': code,
                    'built_area': Decimal('89.50'),
                    'delivery_date': TODAY - 400 * DAY if delivered else None,
                    }])
        return estate, unit

    def test_resident_id_check_digit(self):
        "The GB 11643 check digit agrees with python-stdnum"
        for prefix in ['11010519491231002', '44052418800101001',
                '42010619900101123', '32010219850615376',
                '51010819991231000', '65010220000229871']:
            with self.subTest(prefix=prefix):
                self.assertEqual(
                    resident_id_check_digit(prefix),
                    ric.calc_check_digit(prefix + '0'))

    def test_resident_id_error(self):
        "Resident ID numbers are checked for length, format, date and digit"
        self.assertIsNone(resident_id_error('11010519491231002X'))
        self.assertIsNone(resident_id_error('11010519491231002x'))
        self.assertIsNone(resident_id_error(' 440524188001010014 '))
        # full-width digits typed with a Chinese input method
        self.assertIsNone(resident_id_error('４４０５２４１８８００１０１００１４'))
        self.assertEqual(resident_id_error('1101051949123100'), 'length')
        self.assertEqual(resident_id_error('11010519491231002X1'), 'length')
        self.assertEqual(resident_id_error('1101051949123100AX'), 'format')
        self.assertEqual(resident_id_error('X10105194912310021'), 'format')
        # 1990-02-30 does not exist
        number = valid_resident_id('42010619900230123')
        self.assertEqual(resident_id_error(number), 'birth_date')
        valid = valid_resident_id('42010619900101123')
        self.assertIsNone(resident_id_error(valid))
        wrong = valid[:17] + ('0' if valid[17] != '0' else '1')
        self.assertEqual(resident_id_error(wrong), 'checksum')

    def test_resident_id_gender(self):
        "The gender is the parity of the 17th digit"
        self.assertEqual(
            resident_id_gender(valid_resident_id('42010619900101123')),
            'male')
        self.assertEqual(
            resident_id_gender(valid_resident_id('42010619900101124')),
            'female')
        self.assertIsNone(resident_id_gender('123'))

    def test_mask_id_number(self):
        "Identity numbers are masked in the middle"
        self.assertEqual(
            mask_id_number('420106199001011234'), '4201**********1234')
        self.assertEqual(mask_id_number('E12345678'), 'E1*****78')
        self.assertEqual(mask_id_number('AB12'), 'A**2')
        self.assertEqual(mask_id_number('AB'), '**')
        self.assertIsNone(mask_id_number(None))
        for number in [
                '11010519491231002X', 'H12345678', '91350100M000100Y43']:
            with self.subTest(number=number):
                masked = mask_id_number(number)
                self.assertEqual(len(masked), len(number))
                self.assertNotEqual(masked, number)
                self.assertIn('*', masked)

    def test_mobile_validation(self):
        "Mainland China mobile numbers"
        for value in ['13800138000', '+8613800138000', '8619912345678',
                '0086 138 0013 8000', '138-0013-8000', '１３８００１３８０００']:
            with self.subTest(value=value):
                self.assertTrue(is_valid_mobile(value))
        for value in ['12800138000', '1380013800', '138001380000',
                '+4413800138000', '010-12345678', 'abc', '', None]:
            with self.subTest(value=value):
                self.assertFalse(is_valid_mobile(value))

    @with_transaction()
    def test_party_identity_and_mobile(self):
        "Parties validate their resident ID number and mobile"
        pool = Pool()
        Party = pool.get('party.party')
        ContactMechanism = pool.get('party.contact_mechanism')
        number = valid_resident_id('42010619900101124')
        party, = Party.create([{
                    'name': "王芳",
                    'id_type': 'resident_id',
                    'id_number': number.lower() + ' ',
                    'mobile': '13800138000',
                    }])
        self.assertEqual(party.id_number, number)
        self.assertEqual(party.gender, 'female')
        self.assertEqual(party.customer_type, 'person')
        self.assertEqual(party.id_number_masked, mask_id_number(number))
        self.assertEqual(party.mobile, '13800138000')
        self.assertEqual(
            Party.search([('mobile', '=', '13800138000')]), [party])

        with self.assertRaises(IdentityNumberError) as cm, savepoint():
            Party.create([{
                        'name': "李四", 'id_type': 'resident_id',
                        'id_number': number[:17] + (
                            '0' if number[17] != '0' else '1')}])
        self.assertIn('check digit', str(cm.exception))
        # The same number is allowed for another document type only
        Party.create([{
                    'name': "王芳 (passport)", 'id_type': 'passport',
                    'id_number': number}])
        with self.assertRaises(MobileError) as cm, savepoint():
            ContactMechanism.create([{
                        'party': party.id, 'type': 'mobile',
                        'value': '12345'}])
        self.assertIn('12345', str(cm.exception))
        # Other phone types are not restricted to Chinese mobiles
        ContactMechanism.create([{
                    'party': party.id, 'type': 'phone',
                    'value': '010-12345678'}])
        # Last: a failed SQL constraint aborts the transaction
        with self.assertRaises(SQLConstraintError):
            Party.create([{
                        'name': "Duplicate", 'id_type': 'resident_id',
                        'id_number': number}])

    @with_transaction()
    def test_id_number_field_access(self):
        "Only the personal-data group reads the identity number"
        pool = Pool()
        Party = pool.get('party.party')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        number = valid_resident_id('42010619900101123')
        party, = Party.create([{
                    'name': "张伟", 'id_type': 'resident_id',
                    'id_number': number}])
        service = ModelData.get_id('pm_estate', 'group_pm_service')
        personal = ModelData.get_id('pm_estate', 'group_pm_personal_data')
        staff, privileged = User.create([{
                    'login': 'staff', 'name': "Staff",
                    'groups': [('add', [service])],
                    }, {
                    'login': 'privileged', 'name': "Privileged",
                    'groups': [('add', [service, personal])],
                    }])
        transaction = Transaction()
        with transaction.set_user(staff.id), \
                transaction.set_context(_check_access=True):
            values, = Party.read([party.id], ['id_number_masked'])
            self.assertEqual(
                values['id_number_masked'], mask_id_number(number))
            with self.assertRaises(AccessError):
                Party.read([party.id], ['id_number'])
            with self.assertRaises(AccessError):
                Party.export_data([party], ['name', 'id_number'])
            with self.assertRaises(AccessError):
                Party.write([party], {'id_number': '123'})
        with transaction.set_user(privileged.id), \
                transaction.set_context(_check_access=True):
            values, = Party.read([party.id], ['id_number'])
            self.assertEqual(values['id_number'], number)
            self.assertEqual(
                Party.export_data([party], ['id_number']), [[number]])

    @with_transaction()
    def test_occupancy_state_facts(self):
        "The unit state is derived from occupancies, leases and decorations"
        pool = Pool()
        Party = pool.get('party.party')
        Unit = pool.get('pm.unit')
        Occupancy = pool.get('pm.occupancy')
        Lease = pool.get('pm.lease')
        Decoration = pool.get('pm.decoration')
        Estate = pool.get('pm.estate')
        company = create_company()
        with set_company(company):
            estate, unit = self._setup_unit(company)
            _, other = self._setup_unit(company, code='1-1-0102')
            _, undelivered = self._setup_unit(
                company, delivered=False, code='1-1-0103')
            owner, tenant, child = Party.create([
                    {'name': "业主"}, {'name': "租户"}, {'name': "孩子"}])

            def states(date=TODAY):
                return Unit.compute_occupancy_states(
                    [unit.id, other.id, undelivered.id], date)

            self.assertEqual(states(), {
                    unit.id: 'vacant', other.id: 'vacant',
                    undelivered.id: 'undelivered'})
            occupancy, = Occupancy.create([{
                        'unit': unit.id, 'party': owner.id, 'role': 'owner',
                        'start_date': TODAY - 100 * DAY}])
            self.assertEqual(occupancy.company, company)
            self.assertEqual(occupancy.share, Decimal(100))
            self.assertTrue(occupancy.current)
            Occupancy.create([{
                        'unit': unit.id, 'party': child.id, 'role': 'family',
                        'relation': 'child', 'owner': owner.id,
                        'start_date': TODAY - 100 * DAY}])
            self.assertEqual(states()[unit.id], 'owner_occupied')
            self.assertEqual(states(TODAY - 200 * DAY)[unit.id], 'vacant')
            self.assertEqual(
                Unit.search([('occupancy_state', '=', 'owner_occupied')]),
                [unit])
            # the single owner became the billing party
            self.assertEqual(Unit(unit.id).billing_party, owner)
            self.assertEqual(Unit(unit.id).owner_names, "业主")
            self.assertEqual(Unit(unit.id).owners, (owner,))
            estate = Estate(estate.id)
            self.assertEqual(estate.household_count, 1)
            self.assertEqual(estate.population, 2)

            lease, = Lease.create([{
                        'unit': other.id, 'landlord': company.party.id,
                        'tenant': tenant.id,
                        'monthly_rent': Decimal('3000'),
                        'deposit': Decimal('6000'),
                        'start_date': TODAY - 10 * DAY,
                        'end_date': TODAY + 355 * DAY}])
            self.assertEqual(lease.currency, company.currency)
            self.assertEqual(states()[other.id], 'vacant')
            Lease.activate([lease])
            self.assertTrue(lease.number.startswith('ZL'))
            self.assertEqual(states()[other.id], 'rented')
            self.assertEqual(states(TODAY + 400 * DAY)[other.id], 'vacant')
            tenancy, = lease.occupancies
            self.assertEqual(tenancy.role, 'tenant')
            self.assertEqual(tenancy.end_date, lease.end_date)
            estate = Estate(estate.id)
            self.assertEqual(estate.household_count, 2)
            self.assertEqual(estate.population, 3)

            decoration, = Decoration.create([{
                        'unit': unit.id, 'applicant': owner.id,
                        'start_date': TODAY}])
            self.assertEqual(states()[unit.id], 'owner_occupied')
            Decoration.start([decoration])
            self.assertEqual(states()[unit.id], 'renovating')
            Decoration.do([decoration])
            self.assertEqual(decoration.end_date, TODAY)
            self.assertEqual(states()[unit.id], 'owner_occupied')

            # The facts are computed in SQL for many units at once
            facts = Unit._occupancy_facts(
                [unit.id, other.id, undelivered.id], TODAY)
            self.assertEqual(facts[unit.id], {'occupied'})
            self.assertEqual(facts[other.id], {'occupied', 'rented'})
            self.assertNotIn(undelivered.id, facts)

    @with_transaction()
    def test_owner_shares_and_billing_party(self):
        "Co-owners' shares are limited and need a billing party"
        pool = Pool()
        Party = pool.get('party.party')
        Unit = pool.get('pm.unit')
        Occupancy = pool.get('pm.occupancy')
        company = create_company()
        with set_company(company):
            _, unit = self._setup_unit(company)
            husband, wife, firm = Party.create([
                    {'name': "丈夫"}, {'name': "妻子"},
                    {'name': "某公司", 'customer_type': 'company'}])
            start = TODAY - 30 * DAY
            with self.assertRaises(OwnerShareError) as cm, savepoint():
                Occupancy.create([{
                            'unit': unit.id, 'party': p.id, 'role': 'owner',
                            'share': Decimal(60), 'start_date': start}
                        for p in [husband, wife]])
            self.assertIn('120', str(cm.exception))
            with self.assertRaises(BillingPartyError) as cm, savepoint():
                Occupancy.create([{
                            'unit': unit.id, 'party': p.id, 'role': 'owner',
                            'share': Decimal(50), 'start_date': start}
                        for p in [husband, wife]])
            self.assertIn('billing party', str(cm.exception))
            Unit.write([unit], {'billing_party': wife.id})
            Occupancy.create([{
                        'unit': unit.id, 'party': p.id, 'role': 'owner',
                        'share': Decimal(50), 'start_date': start}
                    for p in [husband, wife]])
            with self.assertRaises(BillingPartyError), savepoint():
                Unit.write([unit], {'billing_party': None})
            # A party has a role once at a time on a unit
            with self.assertRaises(OccupancyError), savepoint():
                Occupancy.create([{
                            'unit': unit.id, 'party': wife.id,
                            'role': 'owner', 'share': Decimal(10),
                            'start_date': TODAY}])

            # A company owner needs an explicit billing party
            _, office = self._setup_unit(company, code='1-1-0102')
            with self.assertRaises(BillingPartyError), savepoint():
                Occupancy.create([{
                            'unit': office.id, 'party': firm.id,
                            'role': 'owner', 'start_date': start}])

            # A sale ends the co-owners' occupancies and keeps them
            new_owner, = Party.create([{'name': "买方"}])
            Unit.transfer_ownership(unit, TODAY, [(new_owner, None)])
            unit = Unit(unit.id)
            self.assertEqual(unit.owners, (new_owner,))
            self.assertEqual(unit.billing_party, new_owner)
            history = Occupancy.search([('unit', '=', unit.id)],
                order=[('start_date', 'ASC'), ('party.name', 'ASC')])
            self.assertEqual(
                [(o.party.name, o.start_date, o.end_date) for o in history],
                [("丈夫", start, TODAY - DAY), ("妻子", start, TODAY - DAY),
                    ("买方", TODAY, None)])

    @with_transaction()
    def test_search_customer(self):
        "Customers are found by name, mobile and unit code"
        pool = Pool()
        Party = pool.get('party.party')
        Occupancy = pool.get('pm.occupancy')
        company = create_company()
        with set_company(company):
            _, unit = self._setup_unit(company, code='8-2-1502')
            owner, other = Party.create([
                    {'name': "陈静", 'mobile': '13912345678'},
                    {'name': "Other"}])
            Occupancy.create([{
                        'unit': unit.id, 'party': owner.id, 'role': 'owner',
                        'start_date': TODAY}])
            for text in ['陈静', '1391234', '8-2-1502']:
                with self.subTest(text=text):
                    self.assertEqual(
                        Party.search([('rec_name', 'ilike', f'%{text}%')]),
                        [owner])
            self.assertEqual(
                Party.search([('unit_code', '=', '8-2-1502')]), [owner])
            self.assertEqual(Party(owner.id).unit_code, '8-2-1502')
            self.assertIsNone(Party(other.id).unit_code)


del ModuleTestCase
