# This file is part of the pm suite (物业管理系统). See README.md.
"""Add what the production tests need to a demo database (run once, cached):

* billing runs queued in small chunks (10 units) so that a run is many tasks,
* staff users `prod_clerk` (read-only group) and `prod_victim`,
* portal web users for residents with posted bills (when pm_portal is there).
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    CHUNK_SIZE, PORTAL_PASSWORD, STAFF_LOGIN, STAFF_PASSWORD, VICTIM_LOGIN)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    args = parser.parse_args()
    from trytond import config
    config.update_etc(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool.start()
    pool = Pool(args.database)
    with Transaction().start(args.database, 0, readonly=True):
        pool.init()
    with Transaction().start(args.database, 0) as transaction:
        cursor = transaction.connection.cursor()
        Company = pool.get('company.company')
        User = pool.get('res.user')
        Group = pool.get('res.group')
        ModelData = pool.get('ir.model.data')
        Bill = pool.get('pm.bill')
        company, = Company.search([], limit=1)
        cursor.execute('UPDATE pm_configuration SET billing_chunk_size = %s',
            (CHUNK_SIZE,))
        readonly = Group(ModelData.get_id('pm_estate', 'group_pm_readonly'))
        User.create([{
                    'login': login, 'name': name, 'password': password,
                    'groups': [('add', [readonly.id])],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    } for login, name, password in [
                    (STAFF_LOGIN, '生产测试文员', STAFF_PASSWORD),
                    (VICTIM_LOGIN, '被攻击账号', 'Victim-物业-2026-abc')]])
        try:
            WebUser = pool.get('web.user')
        except KeyError:
            WebUser = None
        if WebUser and hasattr(WebUser, 'portal_login'):
            # the sandbox payment channel (demo/portal.py makes one too)
            Channel = pool.get('pm.portal.provider')
            Method = pool.get('pm.payment.method')
            if not Channel.search([('provider', '=', 'sandbox')]):
                like = Method.search([('company', '=', company.id)],
                    order=[('sequence', 'ASC')])
                method, = Method.create([{
                            'company': company.id, 'name': '在线支付（沙箱）',
                            'code': 'ONLINE', 'sequence': 90,
                            'journal': like[0].journal.id,
                            'account': like[0].account.id,
                            }])
                Channel.create([{
                            'company': company.id, 'name': '在线支付（沙箱）',
                            'provider': 'sandbox',
                            'payment_method': method.id, 'sequence': 1,
                            }])
            bills = Bill.search([('state', '=', 'posted')],
                order=[('id', 'ASC')])
            parties = []
            for bill in bills:
                if bill.party not in parties:
                    parties.append(bill.party)
                if len(parties) >= 12:
                    break
            WebUser.create([{
                        'email': f'resident{i}@example.com',
                        'password': PORTAL_PASSWORD,
                        'party': party.id,
                        'portal_company': company.id,
                        'email_valid': True,
                        } for i, party in enumerate(parties)])
            print(f'{len(parties)} portal users')
        transaction.commit()


if __name__ == '__main__':
    main()
