# This file is part of the pm suite (物业管理系统). See README.md.
"""Prepare the portal's browser test in a copy of the small demo database:
the portal demo data (demo/portal.py), and for the test a unit with
unpaid bills whose owner has no account yet (its activation code), an
open motion of its estate (when pm_vote is activated).

    python browser_setup.py <trytond.conf> <database>   → JSON on stdout
"""
import datetime as dt
import json
import random
import sys
from decimal import Decimal


class Loader:
    "The subset of demo/load.py's loader that demo/portal.py uses"

    def __init__(self, pool, company):
        self.pool = pool
        self.company = company
        self.rng = random.Random(2026)
        self.today = dt.date.today()
        self.counts = {}
        self.notes = []

    def get(self, name):
        return self.pool.get(name)


def main(config_file, database):
    from trytond import config
    config.update_etc(config_file)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool.start()
    pool = Pool(database)
    with Transaction().start(database, 0, readonly=True):
        pool.init()
    with Transaction().start(database, 0) as transaction:
        Company = pool.get('company.company')
        company, = Company.search([], limit=1)
        with transaction.set_context(company=company.id,
                companies=[company.id], language='zh_CN'):
            WebUser = pool.get('web.user')
            # the demo (demo/load.py runs demo/portal.py) made the staff
            if not WebUser.search([('email', '=', 'jishi@example.com')]):
                sys.path.insert(0, str(__import__('pathlib').Path(
                                __file__).resolve().parents[3]))
                from demo import portal
                portal.load(Loader(pool, company))
            result = prepare(pool, company)
        transaction.commit()
    print(json.dumps(result))


def prepare(pool, company):
    Channel = pool.get('pm.portal.provider')
    Method = pool.get('pm.payment.method')
    if not Channel.search([('company', '=', company.id)]):
        # the demo transaction may not see the payment methods the billing
        # demo commits in transactions of its own: add the sandbox here
        like, = Method.search([('company', '=', company.id)], limit=1,
            order=[('sequence', 'ASC')])
        method, = Method.create([{
                    'company': company.id, 'name': '在线支付（沙箱）',
                    'code': 'ONLINE', 'journal': like.journal.id,
                    'account': like.account.id}])
        Channel.create([{'company': company.id, 'name': '在线支付（沙箱演示）',
                    'provider': 'sandbox', 'payment_method': method.id}])
    Bill = pool.get('pm.bill')
    Activation = pool.get('pm.portal.activation')
    WebUser = pool.get('web.user')
    Unit = pool.get('pm.unit')
    users = {u.party.id for u in WebUser.search([('party', '!=', None)])}
    bills = Bill.search([
            ('company', '=', company.id), ('state', '=', 'posted'),
            ('unpaid_amount', '>', 0),
            ], order=[('unit', 'DESC')], limit=500)
    for bill in bills:
        if bill.party.id in users:
            continue
        owners = Unit.current_owners([bill.unit.id]).get(bill.unit.id, [])
        if bill.party.id not in [p for p, _, _ in owners]:
            continue
        party_bills = Bill.search([('party', '=', bill.party.id),
                ('state', '=', 'posted')])
        unpaid = sum(Bill.unpaid_by_ids(
                [b.id for b in party_bills]).values(), Decimal(0))
        break
    else:
        raise SystemExit('no unit with unpaid bills')
    codes = Activation.codes_for([bill.unit.id])
    result = {
        'code': codes[bill.unit.id],
        'unit': bill.unit.code,
        'party': bill.party.name,
        'unpaid': str(unpaid),
        'technician': ['jishi@example.com', 'jishi2026'],
        'motion': None,
        }
    try:
        Motion = pool.get('pm.vote.motion')
    except KeyError:
        return result
    now = dt.datetime.now().replace(microsecond=0)
    motion, = Motion.create([{
                'company': company.id,
                'estate': bill.unit.estate.id,
                'title': '关于增设电动车充电桩的表决',
                'description': '拟在地下车库B区增设20个电动车充电桩，'
                '费用由使用者承担。',
                'kind': 'general',
                'date_start': now - dt.timedelta(hours=1),
                'date_end': now + dt.timedelta(days=7),
                }])
    Motion.open([motion])
    result['motion'] = motion.id
    return result


if __name__ == '__main__':
    main(*sys.argv[1:3])
