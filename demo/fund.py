"""Demo data of pm_vote and pm_fund: one year of maintenance fund history.

    load(loader)   called inside the demo transaction after the billing demo

Per estate with a fund (the first two estates, scaled):
- the fund (224103 代管专项维修资金 / 100202 专项维修资金专户, a clearing
  charge item 专项维修资金 on 605199), rates per usage;
- first deposits 首期交存 taken over one year ago (history: paid into the
  fund account at purchase), a few new units billed through pm_billing
  (one at the cashier desk now, the others on the next bill);
- two half-yearly interest allocations by balance;
- a roof repair passed by the owners' vote and paid in two stages, an
  elevator proposal that failed the participation threshold, an emergency
  repair with its documents and notice;
- the disclosure of the last half year, published; the current one drafted;
- an open owners' vote with live ballots and a moderated discussion topic.
"""
import datetime as dt
from decimal import Decimal

CENT = Decimal('0.01')
RATES = {
    'residential': Decimal('100.00'), 'shop': Decimal('150.00'),
    'office': Decimal('120.00'), 'parking': Decimal('50.00'),
    'storage': Decimal('60.00'),
    }
POSTS = ["支持，早修早安心。", "希望公示施工单位资质。", "建议分批施工，减少噪音影响。",
    "费用分摊按面积合理。", "请物业做好安全围挡。", "反对，目前还能使用。"]


def _account(loader, code):
    Account = loader.get('account.account')
    accounts = Account.search([
            ('company', '=', loader.company.id), ('code', '=', code)],
        limit=1)
    return accounts[0] if accounts else None


def _ensure_fiscal_year(loader, year):
    FiscalYear = loader.get('account.fiscalyear')
    Sequence = loader.get('ir.sequence.strict')
    if FiscalYear.search([
                ('company', '=', loader.company.id),
                ('start_date', '<=', dt.date(year, 6, 30)),
                ('end_date', '>=', dt.date(year, 6, 30))]):
        return
    sequence, = Sequence.create([{
                'name': f'{year} 记账凭证',
                'sequence_type': loader.ref(
                    'account.sequence_type_account_move'),
                'company': loader.company.id,
                'prefix': f'JZ{year}-', 'padding': 6,
                }])
    fiscal_year, = FiscalYear.create([{
                'name': f'{year}年度', 'company': loader.company.id,
                'start_date': dt.date(year, 1, 1),
                'end_date': dt.date(year, 12, 31),
                'move_sequence': sequence.id,
                }])
    FiscalYear.create_period([fiscal_year])


def _setup_accounts(loader):
    "The clearing account and charge item of the deposits"
    Account = loader.get('account.account')
    Category = loader.get('product.category')
    Template = loader.get('product.template')
    Item = loader.get('pm.charge.item')
    items = Item.search([('company', '=', loader.company.id),
            ('code', '=', 'WXJJ')], limit=1)
    if items:
        return items[0]
    clearing = _account(loader, '605199')
    if not clearing:
        model = _account(loader, '605104') or _account(loader, '600101')
        clearing, = Account.create([{
                    'company': loader.company.id, 'code': '605199',
                    'name': '代收专项维修资金（清算）',
                    'type': model.type.id, 'parent': model.parent.id,
                    }])
    category, = Category.create([{
                'name': '代收专项维修资金', 'accounting': True,
                'account_revenue': clearing.id,
                'account_expense': (_account(loader, '6401')
                    or clearing).id,
                }])
    template, = Template.create([{
                'name': '专项维修资金', 'type': 'service',
                'default_uom': loader.ref('product.uom_unit'),
                'list_price': Decimal(0), 'account_category': category.id,
                'products': [('create', [{'code': 'WXJJ'}])],
                }])
    item, = Item.create([{
                'company': loader.company.id, 'code': 'WXJJ',
                'name': '专项维修资金', 'product': template.products[0].id,
                }])
    return item


def _cast_many(loader, motion, units, date_from, date_to, share, yes):
    "Ballots of `share` of the units' owners, `yes` of them in favour"
    Unit = loader.get('pm.unit')
    Ballot = loader.get('pm.vote.ballot')
    rng = loader.rng
    voters = [u for u in units if rng.random() < share]
    if not voters:
        return []
    values = []
    span = max(int((date_to - date_from).total_seconds()) - 3600, 60)
    for unit in voters:
        date = date_from + dt.timedelta(seconds=rng.randrange(span))
        owners = Unit.current_owners([unit.id], date.date()).get(unit.id)
        if not owners:
            continue
        choice = ('yes' if rng.random() < yes
            else rng.choice(['no', 'no', 'abstain']))
        values.append({'motion': motion.id, 'unit': unit.id,
                'party': owners[0][0], 'choice': choice, 'date': date})
    return Ballot.create(values)


def load(loader):
    pool_get = loader.get
    Estate = pool_get('pm.estate')
    Unit = pool_get('pm.unit')
    Journal = pool_get('account.journal')
    Fund = pool_get('pm.fund')
    Deposit = pool_get('pm.fund.deposit')
    Ledger = pool_get('pm.fund.ledger')
    Account = pool_get('account.account')
    Interest = pool_get('pm.fund.interest')
    Proposal = pool_get('pm.fund.proposal')
    Disbursement = pool_get('pm.fund.disbursement')
    Remittance = pool_get('pm.fund.remittance')
    Disclosure = pool_get('pm.fund.disclosure')
    Motion = pool_get('pm.vote.motion')
    Topic = pool_get('pm.vote.topic')
    Post = pool_get('pm.vote.post')
    Party = pool_get('party.party')
    Attachment = pool_get('ir.attachment')
    WorkOrder = pool_get('pm.work_order')
    Occupancy = pool_get('pm.occupancy')
    rng = loader.rng
    today = loader.today
    now = dt.datetime.combine(today, dt.time(10, 0))
    start = today - dt.timedelta(days=365)
    for year in range(start.year, today.year + 1):
        _ensure_fiscal_year(loader, year)

    liability = _account(loader, '224103')
    bank = _account(loader, '100202')
    cash = _account(loader, '100201')
    if not (liability and bank and cash):
        loader.notes.append('pm_fund: accounts 224103/100202 missing, '
            'no fund demo')
        return
    item = _setup_accounts(loader)
    journal, = Journal.search([('type', '=', 'general')], limit=1)
    estates = Estate.search([], order=[('id', 'ASC')])[
        :min(2, loader.scaled(2))]
    counts = {'funds': 0, 'deposits': 0, 'ledger': 0, 'motions': 0,
        'ballots': 0, 'proposals': 0, 'topics': 0}
    for estate in estates:
        units = Unit.search([('estate', '=', estate.id)],
            order=[('code', 'ASC')])
        units = [u for u in units if u.built_area]
        if len(units) < 6 or Fund.search([('estate', '=', estate.id)]):
            continue
        if counts['funds']:
            # each fund has its own liability account and bank account
            # (专户): sub-accounts of 224103 and 100202 per estate
            suffix = '%02d' % (counts['funds'] + 1)
            liability, = Account.copy([liability], default={
                    'code': f'224103{suffix}',
                    'name': f'代管专项维修资金-{estate.name}'})
            bank, = Account.copy([bank], default={
                    'code': f'100202{suffix}',
                    'name': f'专项维修资金专户-{estate.name}'})
        fund, = Fund.create([{
                    'estate': estate.id,
                    'name': f'{estate.name}专项维修资金',
                    'liability_account': liability.id,
                    'bank_account': bank.id, 'journal': journal.id,
                    'charge_item': item.id,
                    'rates': [('create', [{'usage': k, 'rate': v}
                                for k, v in RATES.items()])],
                    }])
        counts['funds'] += 1

        # first deposits: history one year ago, paid into the fund account
        deposit_date = start
        new_units = units[-3:]
        old_units = units[:-3]
        deposits = Fund.create_first_deposits([fund], deposit_date)
        old = [d for d in deposits if d.unit in old_units]
        total = sum((d.amount for d in old), Decimal(0))
        move = fund.post_move(deposit_date, [(bank, total),
                (liability, -total)], '首期交存（入伙时交入专户，历史数据）')
        owners = Ledger.owners_at([d.unit.id for d in old], deposit_date)
        lines = Ledger.create([{
                    'company': fund.company.id, 'fund': fund.id,
                    'unit': d.unit.id, 'party': owners[d.unit.id],
                    'date': deposit_date, 'kind': 'deposit',
                    'amount': d.amount, 'description': '首期交存',
                    'origin': str(d), 'move': move.id,
                    } for d in old])
        for deposit, line in zip(old, lines):
            deposit.state = 'posted'
            deposit.ledger = line
            deposit.move = move
        Deposit.save(old)
        # new units: their first deposit is on the next bill (the billing
        # run posts it, the cron pm.fund.deposit|sync_billing clears it
        # into the fund); a remittance of last month's collections waits
        fresh = [d for d in deposits if d.unit in new_units]
        Deposit.write(fresh, {'date': today})
        Deposit.put_on_bill(fresh)
        Remittance.create([{
                    'fund': fund.id, 'date': today,
                    'from_account': cash.id,
                    'amount': sum((d.amount for d in fresh), Decimal(0)),
                    'reference': '缴存专户回单（待收款后过账）',
                    }])
        counts['deposits'] += len(deposits)

        # interest twice a year, by balance
        for months, amount in [(6, '0.0075'), (0, '0.0075')]:
            date = today - dt.timedelta(days=30 * months + 2)
            balance = sum((d.amount for d in old), Decimal(0))
            interest, = Interest.create([{
                        'fund': fund.id, 'date': date, 'balance_date': date,
                        'method': 'balance',
                        'amount': (balance * Decimal(amount)).quantize(CENT),
                        'description': '定期存款利息（半年）',
                        }])
            Interest.post([interest])

        buildings = sorted({u.building for u in old_units if u.building},
            key=lambda b: b.code)
        building = buildings[0] if buildings else None
        scope = [u for u in old_units if u.building == building] or old_units
        contractor, = Party.create([{'name': '杭州安居防水工程有限公司'}])
        categories = pool_get('pm.work_order.category').search([], limit=1)
        orders = WorkOrder.create([{
                    'estate': estate.id,
                    'category': categories[0].id,
                    'location': f'{building.name if building else ""}屋面',
                    'description': '屋面防水层老化渗漏，顶层多户报修',
                    'source': 'inspection',
                    }]) if categories else []
        # roof repair: passed, paid in two stages
        budget = (sum((u.built_area for u in scope), Decimal(0))
            * Decimal('12.00')).quantize(CENT)
        roof, = Proposal.create([{
                    'fund': fund.id,
                    'title': f'{building.name if building else ""}屋面防水维修',
                    'description': '屋面防水层翻新，更换落水管',
                    'budget': budget, 'contractor': contractor.id,
                    'quote': f'报价 {budget} 元（含税）',
                    'units': [('add', [u.id for u in scope])],
                    'work_orders': [('add', [o.id for o in orders])],
                    }])
        vote_start = now - dt.timedelta(days=150)
        vote_end = vote_start + dt.timedelta(days=14)
        Proposal.submit_vote([roof], vote_start, vote_end)
        roof = Proposal(roof.id)
        counts['ballots'] += len(_cast_many(
                loader, roof.motion, scope, vote_start, vote_end, 0.85, 0.8))
        with loader_context(vote_now=vote_end + dt.timedelta(hours=1)):
            Motion.close([roof.motion])
        roof = Proposal(roof.id)
        if roof.state == 'approved':
            first = (budget * Decimal('0.4')).quantize(CENT)
            stages = Disbursement.create([{
                        'proposal': roof.id, 'stage': '预付款（40%）',
                        'date': vote_end.date() + dt.timedelta(days=10),
                        'invoice_number': f'{rng.randrange(10**7, 10**8)}',
                        'amount': first,
                        }, {
                        'proposal': roof.id, 'stage': '竣工结算款',
                        'date': vote_end.date() + dt.timedelta(days=60),
                        'invoice_number': f'{rng.randrange(10**7, 10**8)}',
                        'amount': budget - first,
                        }])
            Disbursement.post(stages)
            Proposal.finish([roof])

        # elevator replacement: too few owners vote (the largest other
        # residential building)
        others = [b for b in buildings if b != building] or buildings
        lift_building = max(others, key=lambda b: sum(
                1 for u in old_units if u.building == b
                and u.usage == 'residential')) if others else None
        lift_scope = [u for u in old_units
            if u.building == lift_building] or old_units
        lift, = Proposal.create([{
                    'fund': fund.id,
                    'title': f'{lift_building.name if lift_building else ""}电梯更换',
                    'description': '更换两台电梯主机及控制柜',
                    'budget': Decimal('360000.00'),
                    'units': [('add', [u.id for u in lift_scope])],
                    }])
        vote_start = now - dt.timedelta(days=90)
        vote_end = vote_start + dt.timedelta(days=14)
        Proposal.submit_vote([lift], vote_start, vote_end)
        lift = Proposal(lift.id)
        counts['ballots'] += len(_cast_many(
                loader, lift.motion, lift_scope, vote_start, vote_end,
                0.35, 0.7))
        with loader_context(vote_now=vote_end + dt.timedelta(hours=1)):
            Motion.close([lift.motion])

        # emergency: elevator failure, documents, paid, owners notified
        sos_budget = min(Decimal('18000.00'), (sum(
                    (u.built_area for u in lift_scope), Decimal(0))
                * Decimal('15')).quantize(CENT))
        sos, = Proposal.create([{
                    'fund': fund.id,
                    'title': '电梯曳引机故障应急维修',
                    'description': '电梯困人，曳引机轴承损坏',
                    'budget': sos_budget,
                    'emergency': True, 'emergency_type': 'elevator',
                    'emergency_report': '特种设备检验机构出具停用通知，'
                    '维保单位鉴定需更换曳引机轴承',
                    'units': [('add', [u.id for u in lift_scope])],
                    }])
        Attachment.create([{
                    'resource': str(sos), 'name': '电梯停用通知.txt',
                    'type': 'data', 'data': '电梯停用通知（示例）'.encode(),
                    }])
        Proposal.approve_emergency([sos])
        Disbursement.post(Disbursement.create([{
                        'proposal': sos.id, 'stage': '抢修',
                        'date': today - dt.timedelta(days=20),
                        'invoice_number': f'{rng.randrange(10**7, 10**8)}',
                        'amount': sos_budget,
                        }]))
        Proposal.notify_owners([sos])
        counts['proposals'] += 3
        counts['motions'] += 2

        # disclosures: last half year published, the current one drafted
        last = Disclosure.create_half_year(today)
        if last:
            Disclosure.publish(last)
        current, = Disclosure.create([{'fund': fund.id}])
        Disclosure.compute([current])

        # an open vote with live ballots and a moderated discussion
        motion, = Motion.create([{
                    'estate': estate.id, 'title': '更换小区监控系统',
                    'description': '将模拟摄像头更换为高清网络摄像头，'
                    '费用由公共收益列支',
                    'kind': 'general',
                    'date_start': now - dt.timedelta(days=3),
                    'date_end': now + dt.timedelta(days=11),
                    }])
        Motion.open([motion])
        counts['ballots'] += len(_cast_many(loader, motion, list(
                    Motion(motion.id).units), now - dt.timedelta(days=3),
                now, 0.3, 0.75))
        counts['motions'] += 1
        topic, = Topic.create([{
                    'estate': estate.id, 'motion': motion.id,
                    'title': '关于更换监控系统的意见征集',
                    'body': '欢迎各位业主发表意见。',
                    }])
        residents = Occupancy.search([
                ('unit.estate', '=', estate.id), ('role', '=', 'owner'),
                ('current', '=', True)], limit=len(POSTS))
        posts = Post.create([{'topic': topic.id, 'party': o.party.id,
                    'body': text} for o, text in zip(residents, POSTS)])
        Post.approve(posts[:4])
        Post.reject(posts[5:])
        counts['topics'] += 1
        counts['ledger'] += Ledger.search([('fund', '=', fund.id)],
            count=True)

    loader.counts['维修资金 maintenance funds'] = counts['funds']
    loader.counts['维修资金交存 fund deposits'] = counts['deposits']
    loader.counts['维修资金分户账 fund ledger lines'] = counts['ledger']
    loader.counts['维修资金使用方案 fund proposals'] = counts['proposals']
    loader.counts['业主表决 motions'] = counts['motions']
    loader.counts['表决票 ballots'] = counts['ballots']
    loader.counts['议题 discussion topics'] = counts['topics']
    loader.notes.append(
        '维修资金: deposits on the next bill are posted to the fund when '
        'the billing run posts them (cron pm.fund.deposit|sync_billing)')


def loader_context(**values):
    from trytond.transaction import Transaction
    return Transaction().set_context(**values)
