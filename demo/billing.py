"""Demo data of pm_billing: accounting, charge items, rates, meters, readings
and a billed, posted month.

The company gets the Chinese chart of accounts of pm_account_cn (as the
"Create Chart of Accounts" wizard does), the fiscal year of the demo with
monthly periods, VAT on the service products, and:

* property fees by chargeable area (a rate per estate, shops dearer),
  tiered water and flat electricity from unit meters, a shared electricity
  meter per residential building, parking fees, garbage fees for shops;
* readings at the end of the two months before the current one;
* a billing run of the previous month computed and posted through the queue
  (`BillingLoader.after_commit`), and the current month's run as a draft.
"""
import calendar
import datetime as dt
from decimal import Decimal

from .load import chunks

ITEMS = [
    # code, name, category, product category key
    ('WYF', '物业服务费', 'property', 'property'),
    ('SF', '水费', 'utility', 'water'),
    ('DF', '电费', 'utility', 'power'),
    ('GTDF', '公摊电费', 'shared', 'power'),
    ('CWF', '车位管理费', 'parking', 'property'),
    ('LJF', '垃圾清运费', 'other', 'garbage'),
    ]

# product category: (name, revenue account code, VAT template xml id)
CATEGORIES = {
    'property': ('物业服务', '600101', 'tax_vat_output_6'),
    'water': ('水费', '605101', 'tax_vat_output_9'),
    'power': ('电费', '605102', 'tax_vat_output_13'),
    'garbage': ('垃圾清运', '605104', 'tax_vat_output_6'),
    }

WATER_TIERS = [(0, 10, '3.00'), (10, 20, '4.50'), (20, None, '6.00')]


def month_start(date, months=0):
    month = date.month - 1 + months
    return dt.date(date.year + month // 12, month % 12 + 1, 1)


def month_end(date):
    return date.replace(day=calendar.monthrange(date.year, date.month)[1])


class BillingLoader:

    def __init__(self, loader):
        self.loader = loader
        self.pool = loader.pool
        self.rng = loader.rng
        self.company = loader.company
        self.today = loader.today
        self.current = month_start(self.today)
        self.billed = month_start(self.today, -1)
        self.run_ids = []

    def get(self, name):
        return self.pool.get(name)

    def ref(self, xml_id):
        return self.loader.ref(xml_id)

    def run(self):
        for step in [self.create_chart, self.create_fiscal_year,
                self.create_items, self.create_rates, self.assign_rates,
                self.create_meters, self.create_readings,
                self.create_runs]:
            self.loader.timed(step)

    # --- accounting --------------------------------------------------
    def create_chart(self):
        "What the Create Chart of Accounts wizard does, for pm_account_cn"
        Template = self.get('account.account.template')
        TaxTemplate = self.get('account.tax.template')
        TaxCodeTemplate = self.get('account.tax.code.template')
        TaxCodeLineTemplate = self.get('account.tax.code.line.template')
        Account = self.get('account.account')
        AccountConfig = self.get('account.configuration')
        company = self.company.id
        if Account.search([('company', '=', company)], limit=1):
            return
        root = Template(self.ref('pm_account_cn.account_template_root'))
        template2type, template2account = {}, {}
        template2tax, template2tax_code, template2line = {}, {}, {}
        root.type.create_type(company, template2type=template2type)
        root.create_account(
            company, template2account=template2account,
            template2type=template2type)
        TaxTemplate.create_tax(
            root.id, company, template2account=template2account,
            template2tax=template2tax)
        TaxCodeTemplate.create_tax_code(
            root.id, company, template2tax_code=template2tax_code)
        TaxCodeLineTemplate.create_tax_code_line(
            root.id, template2tax=template2tax,
            template2tax_code=template2tax_code,
            template2tax_code_line=template2line)
        root.update_account2(template2account, template2tax)
        config = AccountConfig(1)
        config.default_account_receivable = self.account('1122')
        config.default_account_payable = self.account('2202')
        config.save()
        self.loader.counts['会计科目 accounts'] = Account.search(
            [('company', '=', company)], count=True)

    def account(self, code):
        Account = self.get('account.account')
        account, = Account.search([
                ('company', '=', self.company.id), ('code', '=', code)])
        return account

    def tax(self, xml_id):
        Tax = self.get('account.tax')
        tax, = Tax.search([
                ('company', '=', self.company.id),
                ('template', '=', self.ref('pm_account_cn.' + xml_id))])
        return tax

    def create_fiscal_year(self):
        FiscalYear = self.get('account.fiscalyear')
        Sequence = self.get('ir.sequence.strict')
        fiscal_years = []
        for year in sorted({self.billed.year, self.current.year}):
            if FiscalYear.search([
                        ('company', '=', self.company.id),
                        ('start_date', '=', dt.date(year, 1, 1))]):
                continue
            move_sequence, invoice_sequence = Sequence.create([{
                        'name': f'{year} 记账凭证',
                        'sequence_type': self.ref(
                            'account.sequence_type_account_move'),
                        'company': self.company.id,
                        'prefix': f'JZ{year}-', 'padding': 6,
                        }, {
                        'name': f'{year} 发票',
                        'sequence_type': self.ref(
                            'account_invoice.sequence_type_account_invoice'),
                        'company': self.company.id,
                        'prefix': f'FP{year}-', 'padding': 6,
                        }])
            fiscal_years.extend(FiscalYear.create([{
                            'name': f'{year}年度',
                            'company': self.company.id,
                            'start_date': dt.date(year, 1, 1),
                            'end_date': dt.date(year, 12, 31),
                            'move_sequence': move_sequence.id,
                            'invoice_sequences': [('create', [{
                                            'out_invoice_sequence':
                                                invoice_sequence.id,
                                            'out_credit_note_sequence':
                                                invoice_sequence.id,
                                            'in_invoice_sequence':
                                                invoice_sequence.id,
                                            'in_credit_note_sequence':
                                                invoice_sequence.id,
                                            }])],
                            }]))
        FiscalYear.create_period(fiscal_years)

    # --- charge items and rates ------------------------------------------
    def create_items(self):
        Category = self.get('product.category')
        Template = self.get('product.template')
        Item = self.get('pm.charge.item')
        unit = self.ref('product.uom_unit')
        categories = {}
        for key, (name, code, tax) in CATEGORIES.items():
            categories[key], = Category.create([{
                        'name': name, 'accounting': True,
                        'account_revenue': self.account(code).id,
                        'account_expense': self.account('6401').id,
                        'customer_taxes': [('add', [self.tax(tax).id])],
                        }])
        templates = Template.create([{
                    'name': name, 'type': 'service', 'default_uom': unit,
                    'list_price': Decimal(0),
                    'account_category': categories[category].id,
                    'products': [('create', [{'code': code}])],
                    } for code, name, _, category in ITEMS])
        self.items = {}
        for (code, name, kind, _), template in zip(ITEMS, templates):
            self.items[code], = Item.create([{
                        'company': self.company.id, 'code': code,
                        'name': name, 'category': kind,
                        'product': template.products[0].id,
                        }])
        self.loader.counts['收费项目 charge items'] = len(self.items)

    def create_rates(self):
        Rate = self.get('pm.charge.rate')
        Estate = self.get('pm.estate')
        currency = self.company.currency.id

        def rate(item, name, method, price, **values):
            values.update({
                    'company': self.company.id,
                    'charge_item': self.items[item].id, 'name': name,
                    'method': method, 'unit_price': Decimal(price),
                    'currency': currency})
            return values
        estates = Estate.search([('company', '=', self.company.id)],
            order=[('code', 'ASC')])
        self.estates = estates
        prices = ['2.50', '2.80', '3.20']
        vlist = [rate('WYF', f'{e.name}住宅物业费 {prices[i % 3]}元/㎡·月',
                'chargeable_area', prices[i % 3])
            for i, e in enumerate(estates)]
        vlist += [
            rate('WYF', '商铺物业费 5.00元/㎡·月', 'chargeable_area', '5.00'),
            rate('SF', '居民阶梯水价（月）', 'metered', '3.00',
                meter_type='water', tier_period='month', tiers=[('create', [
                            {'lower': Decimal(lower),
                                'upper': Decimal(upper) if upper else None,
                                'price': Decimal(price)}
                            for lower, upper, price in WATER_TIERS])]),
            rate('DF', '居民电价 0.538元/度', 'metered', '0.538',
                meter_type='electricity', tier_period='month'),
            rate('GTDF', '公摊电费 0.60元/度', 'shared_meter', '0.60',
                meter_type='electricity'),
            rate('CWF', '地下车位管理费 80元/月', 'parking', '80.00'),
            rate('LJF', '商铺垃圾清运费 50元/月', 'fixed', '50.00'),
            ]
        rates = Rate.create(vlist)
        self.estate_rates = dict(zip([e.id for e in estates], rates))
        (self.shop_rate, self.water_rate, self.power_rate, self.shared_rate,
            self.parking_rate, self.garbage_rate) = rates[len(estates):]
        self.loader.counts['收费标准 rates'] = len(rates)

    def assign_rates(self):
        Assignment = self.get('pm.charge.assignment')
        Unit = self.get('pm.unit')
        start = dt.date(self.billed.year, 1, 1)
        count = 0
        for estate in self.estates:
            homes = Unit.search([
                    ('estate', '=', estate.id), ('usage', '=', 'residential')])
            shops = Unit.search([
                    ('estate', '=', estate.id), ('usage', '=', 'shop')])
            parking = Unit.search([
                    ('estate', '=', estate.id), ('usage', '=', 'parking')])
            for rate, units in [
                    (self.estate_rates[estate.id], homes),
                    (self.water_rate, homes), (self.power_rate, homes),
                    (self.shop_rate, shops), (self.garbage_rate, shops),
                    (self.parking_rate, parking)]:
                if units:
                    count += len(Assignment.assign(rate, units, start))
        self.loader.counts['选用收费标准 rate assignments'] = count

    # --- meters and readings ---------------------------------------------
    def create_meters(self):
        Meter = self.get('pm.meter')
        Unit = self.get('pm.unit')
        Building = self.get('pm.building')
        homes = Unit.search([
                ('company', '=', self.company.id),
                ('usage', '=', 'residential'),
                ('delivery_date', '!=', None),
                ('delivery_date', '<', self.billed)],
            order=[('id', 'ASC')])
        vlist = []
        for unit in homes:
            for kind, prefix in [('water', 'S'), ('electricity', 'D')]:
                vlist.append({
                        'code': f'{prefix}-{unit.estate.code}-{unit.code}',
                        'meter_type': kind, 'estate': unit.estate.id,
                        'building': unit.building.id if unit.building
                        else None,
                        'unit': unit.id,
                        'initial_value': Decimal(self.rng.randint(0, 900)),
                        'max_value': Decimal(100000),
                        'install_date': unit.delivery_date,
                        })
        buildings = Building.search([
                ('company', '=', self.company.id),
                ('building_type', '=', 'residential')])
        for building in buildings:
            vlist.append({
                    'code': f'GT-{building.estate.code}-{building.code}',
                    'meter_type': 'electricity',
                    'estate': building.estate.id, 'building': building.id,
                    'allocation_basis': 'chargeable_area',
                    'rate': self.shared_rate.id,
                    'initial_value': Decimal(0),
                    'multiplier': Decimal(1),
                    })
        self.meters = []
        for chunk in chunks(vlist):
            self.meters.extend(Meter.create(chunk))
        self.loader.counts['表具 meters'] = len(self.meters)

    def create_readings(self):
        "Readings at the end of the two months before the current one"
        Reading = self.get('pm.meter.reading')
        first = month_end(month_start(self.today, -2))
        second = month_end(self.billed)
        values = {m.id: m.initial_value for m in self.meters}
        count = 0
        for date, bump in [(first, 1.2), (second, 1.0)]:
            vlist = []
            for meter in self.meters:
                if meter.unit is None:
                    usage = self.rng.randint(1500, 3000)
                elif meter.meter_type == 'water':
                    usage = max(0, int(self.rng.gauss(14, 6) * bump))
                else:
                    usage = max(0, int(self.rng.gauss(210, 80) * bump))
                values[meter.id] += usage
                vlist.append({
                        'meter': meter.id, 'date': date,
                        'value': values[meter.id]})
            for chunk in chunks(vlist, 1000):
                count += len(Reading.create(chunk))
        self.loader.counts['抄表 readings'] = count

    # --- billing runs ----------------------------------------------------
    def create_runs(self):
        Run = self.get('pm.billing.run')
        billed, current = Run.create([{
                    'company': self.company.id,
                    'name': f'{self.billed.year}年{self.billed.month}月收费',
                    'date_start': self.billed,
                    'date_end': month_end(self.billed),
                    }, {
                    'company': self.company.id,
                    'name': f'{self.current.year}年{self.current.month}月收费',
                    'date_start': self.current,
                    'date_end': month_end(self.current),
                    }])
        self.run_ids = [billed.id]
        # queued: the compute tasks run after the commit (after_commit)
        Run.compute([billed])

    def after_commit(self, database):
        """Run the queued compute tasks, post the run through the queue too,
        as trytond-worker would; return a summary line"""
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        from trytond.worker import run_task
        pool = Pool(database)
        Run = pool.get('pm.billing.run')

        def drain(transaction):
            while transaction.tasks:
                run_task(database, transaction.tasks.pop())

        # the tasks queued by the loader's transaction
        Queue = pool.get('ir.queue')
        with Transaction().start(database, 0) as transaction:
            task_ids = [t.id for t in Queue.search(
                    [('dequeued_at', '=', None)])]
        for task_id in task_ids:
            run_task(database, task_id)
        with Transaction().start(database, 0, context={
                    'company': self.company.id}) as transaction:
            runs = Run.browse(self.run_ids)
            Run.post([r for r in runs if r.state == 'computed'])
            transaction.commit()
        drain(transaction)
        self.collect(database)
        with Transaction().start(database, 0, context={
                    'company': self.company.id}) as transaction:
            runs = Run.browse(self.run_ids)
            return [(r.name, r.state, r.bill_count, r.amount) for r in runs]

    def collect(self, database):
        """Payment methods, and receipts for part of the posted month: most
        bills paid in full, some in part, a few overpaid into prepayments"""
        from trytond.pool import Pool
        from trytond.transaction import Transaction, TransactionError
        pool = Pool(database)
        Method = pool.get('pm.payment.method')
        Receipt = pool.get('pm.receipt')
        Bill = pool.get('pm.bill')
        Config = pool.get('pm.configuration')
        context = {'company': self.company.id, 'language': 'zh_CN'}

        def in_transaction(func):
            extras = {}
            while True:
                with Transaction().start(
                        database, 0, context=context, **extras) as t:
                    try:
                        result = func()
                    except TransactionError as exception:
                        t.rollback()
                        exception.fix(extras)
                        continue
                    t.commit()
                    return result

        def setup():
            config = Config(1)
            config.prepayment_account = self.account('220301')
            config.save()
            cash = self.ref('account.journal_cash')
            Method.create([{
                        'company': self.company.id, 'name': name,
                        'code': code, 'sequence': i,
                        'journal': cash, 'account': self.account(code).id,
                        } for i, (name, code) in enumerate([
                            ('现金', '1001'), ('银行卡/POS', '100201'),
                            ('微信', '101201'), ('支付宝', '101202')])])
            transfer, apply_, _ = Method.create([{
                        'company': self.company.id, 'name': '转账',
                        'code': 'ZZ', 'sequence': 9, 'journal': cash,
                        'account': self.account('100201').id,
                        }, {
                        'company': self.company.id, 'name': '预存款冲抵',
                        'code': 'YC', 'sequence': 20, 'kind': 'prepayment',
                        'journal': cash,
                        'account': self.account('220301').id,
                        }, {
                        'company': self.company.id, 'name': '收费减免',
                        'code': 'JM', 'sequence': 30, 'kind': 'waiver',
                        'journal': cash,
                        'account': self.account('600101').id,
                        }])
            config = Config(1)
            config.prepayment_method = apply_
            config.statement_method = transfer
            config.deposit_account = self.account('224101')
            config.deposit_forfeit_account = self.account('6301')
            config.save()
            Layout = pool.get('pm.bank.layout')
            Layout.create([{
                        'name': '工商银行批量代扣（CSV，GBK）',
                        'format': 'csv', 'encoding': 'gbk', 'delimiter': ',',
                        'header': True, 'success_values': '0000',
                        'method': transfer.id,
                        'fields_': [('create', [
                                    {'sequence': i, 'name': n, 'title': t,
                                        'direction': 'export'}
                                    for i, (n, t) in enumerate([
                                            ('reference', '流水号'),
                                            ('account_number', '账号'),
                                            ('holder', '户名'),
                                            ('amount_cents', '金额(分)'),
                                            ])])],
                        'return_fields': [('create', [
                                    {'sequence': i, 'name': n,
                                        'direction': 'return'}
                                    for i, n in enumerate([
                                            'reference', 'amount_cents',
                                            'status', 'reason'])])],
                        }])
        in_transaction(setup)

        rng = self.rng

        def pay(bill_ids):
            methods = Method.search([
                    ('company', '=', self.company.id),
                    ('kind', '=', 'money'),
                    ], order=[('sequence', 'ASC')])[:5]
            weights = [3, 2, 5, 3, 1][:len(methods)]
            receipts = []
            for bill in Bill.browse(bill_ids):
                roll = rng.random()
                if roll < 0.1:
                    amount = (bill.amount / 2).quantize(Decimal('0.01'))
                elif roll < 0.15:
                    amount = bill.amount + Decimal(200)
                else:
                    amount = bill.amount
                day = bill.date_end + dt.timedelta(days=rng.randint(1, 25))
                receipts.append(Receipt(
                        company=self.company, party=bill.party,
                        unit=bill.unit, date=min(day, self.today),
                        method=rng.choices(methods, weights)[0],
                        currency=bill.currency, amount=amount))
            Receipt.save(receipts)
            # taken at the desk by the property administrator (the receipt
            # prints its cashier), not by root
            User = pool.get('res.user')
            cashiers = User.search([('login', '=', 'wuye')], limit=1)
            with Transaction().set_user(
                    cashiers[0].id if cashiers else Transaction().user):
                Receipt.post(receipts)
            return len(receipts)

        with Transaction().start(database, 0, context=context):
            bills = Bill.search([
                    ('run', 'in', self.run_ids), ('state', '=', 'posted')],
                order=[('id', 'ASC')])
            bill_ids = [b.id for b in bills if rng.random() < 0.65]
        count = 0
        for chunk in chunks(bill_ids, 200):
            count += in_transaction(lambda: pay(chunk))
        self.loader.counts['收据 receipts'] = count
