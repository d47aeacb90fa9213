# This file is part of the pm suite (物业管理系统). See README.md.
"""Demo of pm_onboarding: the opening balance method (期初建账, account 4104)
and one estate taken over from another company (香樟苑), imported through
the onboarding importer with its owners, opening arrears, prepayments and
deposits — the batch shows under 数据导入导出 / 导入记录."""
import datetime as dt
from decimal import Decimal

ESTATE = 'XZY'


def load(loader):
    "Nothing inside the demo transaction: see after_commit"


def after_commit(loader, database):
    """Once the billing demo is committed (its payment methods and accounts
    exist): the opening method and the imported estate, in a transaction of
    their own, restarted like trytond's dispatcher when it takes a lock"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError
    company_id = loader.company.id
    extras = {}
    while True:
        with Transaction().start(database, 0, context={
                    'company': company_id, 'language': 'zh_CN'},
                **extras) as transaction:
            try:
                _import(loader, Pool(database), company_id)
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
            transaction.commit()
        break


def _import(loader, pool, company_id):
    from trytond.modules.pm_onboarding.importer import Importer
    from trytond.modules.pm_onboarding.sheets import SHEET
    Account = pool.get('account.account')
    Method = pool.get('pm.payment.method')
    Config = pool.get('pm.configuration')
    Batch = pool.get('pm.onboarding.batch')
    Estate = pool.get('pm.estate')
    Item = pool.get('pm.charge.item')
    Company = pool.get('company.company')
    ModelData = pool.get('ir.model.data')
    company = Company(company_id)
    rng = loader.rng
    account, = Account.search([
            ('company', '=', company.id), ('code', '=', '4104')])
    methods = Method.search([
            ('company', '=', company.id), ('code', '=', 'QC')])
    if methods:
        method, = methods
    else:
        method, = Method.create([{
                    'company': company.id, 'name': '期初建账', 'code': 'QC',
                    'sequence': 90, 'kind': 'money',
                    'journal': ModelData.get_id(
                        'account', 'journal_cash'),
                    'account': account.id}])
    config = Config(1)
    config.opening_method = method
    config.save()
    if Estate.search([('code', '=', ESTATE)]):
        return
    items = Item.search([('company', '=', company.id)], order=[('id', 'ASC')])
    if not items:
        return
    item = items[0]
    date = loader.today.replace(day=1)
    previous_end = date - dt.timedelta(days=1)
    previous_start = previous_end.replace(day=1)
    surnames = "王李张刘陈杨黄赵吴周"
    given = "伟芳娜敏静丽强磊军洋"
    rows = {k: [] for k in ['estate', 'building', 'unit', 'customer',
            'occupancy', 'arrears', 'prepayment', 'deposit']}

    def add(sheet, values):
        rows[sheet].append((len(rows[sheet]) + 2, values))
    add('estate', {'code': ESTATE, 'name': '香樟苑', 'city': '深圳市',
            'district': '南山区', 'street': '香樟路8号'})
    add('building', {'estate': ESTATE, 'code': '1', 'name': '1栋',
            'floors_above': 12})
    units = loader.scaled(40)
    for n in range(units):
        code = f'1-{n // 4 + 1:02d}{n % 4 + 1:02d}'
        customer = f'XZY{n + 1:04d}'
        area = Decimal(rng.randrange(7000, 13000)) / 100
        add('unit', {'estate': ESTATE, 'code': code, 'building': '1',
                'floor': n // 4 + 1, 'built_area': area,
                'delivery_date': dt.date(2018, 6, 1)})
        add('customer', {'code': customer, 'name': rng.choice(surnames)
                + rng.choice(given) + rng.choice(given),
                'mobile': f'139{rng.randrange(10**8):08d}'})
        add('occupancy', {'estate': ESTATE, 'unit': code,
                'customer': customer, 'role': 'owner',
                'start_date': dt.date(2018, 6, 1), 'billing': True})
        if n % 3 == 0:
            add('arrears', {'estate': ESTATE, 'unit': code,
                    'charge_item': item.code, 'date_start': previous_start,
                    'date_end': previous_end,
                    'amount': (area * Decimal('2.80')).quantize(
                        Decimal('0.01'))})
        if n % 7 == 1:
            add('prepayment', {'estate': ESTATE, 'unit': code,
                    'customer': customer,
                    'amount': Decimal(rng.choice([200, 500, 1000]))})
        if n % 10 == 5:
            add('deposit', {'estate': ESTATE, 'unit': code,
                    'customer': customer, 'kind': 'decoration',
                    'reference': f'XZY-YJ-{n:04d}',
                    'amount': Decimal('3000.00')})
    batch, = Batch.create([{'company': company.id, 'date': date,
                'source': 'xlsx', 'filename': '香樟苑接管数据.xlsx',
                'state': 'done', 'error_count': 0}])
    importer = Importer(company, date, batch)
    if not importer.run(rows):
        loader.notes.append('onboarding demo not imported: %s'
            % importer.errors[:3])
        Batch.delete([batch])
        return
    created = sum(s[0] for s in importer.stats.values())
    Batch.write([batch], {'created': created, 'updated': 0, 'unchanged': 0,
            'summary': '\n'.join(f'{SHEET[k].title}: {v[0]}'
                for k, v in importer.stats.items() if v[0])})
    loader.counts['数据导入 onboarding rows'] = created
    loader.notes.append(
        f'香樟苑 ({ESTATE}) imported by pm_onboarding: {units} units with '
        'opening arrears, prepayments and deposits')
