"""Demo data of pm_eshop (社区商城): merchants 商户, a catalogue of goods and
services with stock, one community shop per estate with its time slots, and
residents' orders at every status (some charged to the property account,
some paid online through the portal's sandbox when pm_portal is there),
ratings, and this month's draft merchant settlements.

`load(loader)` runs inside the demo transaction (company and zh_CN in the
context); everything random comes from loader.rng.
"""
import datetime as dt
from decimal import Decimal

MERCHANTS = [
    # key, name, commission rate, phone
    ('water', '清泉水站', '0.10', '0571-88001001'),
    ('fresh', '鲜果园生鲜', '0.12', '0571-88001002'),
    ('clean', '好帮手家政', '0.08', '0571-88001003'),
    ('laundry', '洁净洗衣', '0.10', '0571-88001004'),
    ('repair', '安居维修', '0.05', '0571-88001005'),
    ('move', '顺心搬家', '0.06', '0571-88001006'),
    ]
CATEGORIES = ['饮用水', '生鲜', '日用品', '家政保洁', '洗衣', '维修上门', '搬家']
PRODUCTS = [
    # name, type, price, merchant key (None: the property company), category,
    # stock, description
    ('桶装水 18.9L', 'goods', '20.00', 'water', '饮用水', 200,
        '每日配送，空桶回收。'),
    ('矿泉水 5L×4', 'goods', '45.00', 'water', '饮用水', 80, None),
    ('时令水果礼盒', 'goods', '68.00', 'fresh', '生鲜', 30,
        '当季水果 3 公斤装。'),
    ('新鲜蔬菜套餐', 'goods', '39.00', 'fresh', '生鲜', 40,
        '5 种当日蔬菜，约 3 公斤。'),
    ('土鸡蛋 30枚', 'goods', '36.00', 'fresh', '生鲜', 50, None),
    ('抽纸 10包', 'goods', '29.90', None, '日用品', 120, '物业便民超市自营。'),
    ('洗衣液 3kg', 'goods', '39.90', None, '日用品', 60, '物业便民超市自营。'),
    ('垃圾袋 100只', 'goods', '12.00', None, '日用品', 150, None),
    ('家政保洁 2小时', 'service', '120.00', 'clean', '家政保洁', 0,
        '日常保洁，自带工具。'),
    ('深度保洁 4小时', 'service', '260.00', 'clean', '家政保洁', 0,
        '厨房、卫生间深度清洁。'),
    ('空调清洗（挂机）', 'service', '150.00', 'clean', '家政保洁', 0, None),
    ('洗衣（件）', 'service', '15.00', 'laundry', '洗衣', 0,
        '上门取送，48 小时内送回。'),
    ('干洗大衣', 'service', '35.00', 'laundry', '洗衣', 0, None),
    ('维修上门（上门费）', 'service', '50.00', 'repair', '维修上门', 0,
        '水电、门锁、家具小修，材料另计。'),
    ('小型搬家', 'service', '300.00', 'move', '搬家', 0,
        '一车两人，3 小时内。'),
    ]
SLOTS = [('上午', 9, 11, 20), ('下午', 14, 16, 20), ('晚上', 18, 20, 10)]
COMMENTS = ['送货很快', '师傅很专业', '服务周到', '水果新鲜', '准时上门',
    '还不错', None]


def load(loader):
    get = loader.get
    company = loader.company
    Party = get('party.party')
    Merchant = get('pm.eshop.merchant')
    Category = get('product.category')
    Template = get('product.template')
    Account = get('account.account')
    Item = get('pm.charge.item')
    Location = get('stock.location')
    Move = get('stock.move')
    Estate = get('pm.estate')
    Shop = get('web.shop')
    Slot = get('pm.eshop.time_slot')
    Configuration = get('pm.configuration')

    def account(code):
        accounts = Account.search([
                ('company', '=', company.id), ('code', '=', code)], limit=1)
        return accounts[0] if accounts else None

    revenue, expense = account('600103'), account('6401')
    if not revenue or not expense:
        loader.notes.append('eshop: no chart of accounts, no shop')
        return
    unit = loader.ref('product.uom_unit')

    # merchants (supplier parties)
    parties = Party.create([{'name': name} for _, name, _, _ in MERCHANTS])
    merchants = dict(zip([m[0] for m in MERCHANTS], Merchant.create([{
                        'company': company.id, 'party': party.id,
                        'name': name, 'phone': phone,
                        'commission_rate': Decimal(rate),
                        } for party, (_, name, rate, phone)
                    in zip(parties, MERCHANTS)])))
    loader.counts['商户 merchants'] = len(merchants)

    # catalogue
    account_category, = Category.create([{
                'name': '社区商城', 'accounting': True,
                'account_revenue': revenue.id,
                'account_expense': expense.id,
                }])
    categories = dict(zip(CATEGORIES, Category.create(
                [{'name': name} for name in CATEGORIES])))
    templates = Template.create([{
                'name': name, 'type': type_, 'default_uom': unit,
                'sale_uom': unit,
                'list_price': Decimal(price), 'salable': True,
                'account_category': account_category.id,
                'categories': [('add', [categories[category].id])],
                'eshop_merchant': merchants[key].id if key else None,
                'web_shop_description': description,
                'products': [('create', [{}])],
                } for name, type_, price, key, category, _, description
            in PRODUCTS])
    products = [t.products[0] for t in templates]
    loader.counts['商城商品 shop products'] = len(products)

    # the charge item of orders put on the bill (tax-free: prices include it)
    charge_template, = Template.create([{
                'name': '社区商城消费', 'type': 'service', 'default_uom': unit,
                'list_price': Decimal(0),
                'account_category': account_category.id,
                'products': [('create', [{'code': 'SC'}])],
                }])
    item, = Item.create([{
                'company': company.id, 'code': 'SC', 'name': '社区商城消费',
                'category': 'other',
                'product': charge_template.products[0].id,
                }])

    # stock of the goods in the warehouse
    warehouse = Location.search([('type', '=', 'warehouse')], limit=1)[0]
    supplier = Location.search([('type', '=', 'supplier')], limit=1)[0]
    moves = Move.create([{
                'company': company.id, 'product': product.id,
                'quantity': float(stock), 'unit': unit,
                'from_location': supplier.id,
                'to_location': warehouse.storage_location.id,
                'unit_price': (Decimal(price) * Decimal('0.6')).quantize(
                    Decimal('0.01')),
                'currency': company.currency.id,
                'effective_date': loader.today - dt.timedelta(days=15),
                } for product, (_, type_, price, _, _, stock, _)
            in zip(products, PRODUCTS) if type_ == 'goods'])
    Move.do(moves)

    # one shop per estate
    estates = Estate.search([('company', '=', company.id)],
        order=[('code', 'ASC')])
    shops = Shop.create([{
                'name': f'{estate.name}社区商城',
                'type': 'pm_eshop', 'company': company.id,
                'currency': company.currency.id,
                'warehouses': [('add', [warehouse.id])],
                'pm_estates': [('add', [estate.id])],
                'pm_account_charge': True, 'pm_charge_item': item.id,
                'pm_phone': estate.phone or '0571-88000000',
                'products': [('add', [p.id for p in products])],
                'categories': [('add', [c.id for c in categories.values()])],
                } for estate in estates])
    Slot.create([{
                'shop': shop.id, 'name': name, 'sequence': i,
                'start_time': dt.time(start), 'end_time': dt.time(end),
                'capacity': capacity,
                } for shop in shops
            for i, (name, start, end, capacity) in enumerate(SLOTS)])
    loader.counts['社区商城 shops'] = len(shops)

    config = Configuration(1)
    config.eshop_settlement_account = expense
    config.eshop_commission_account = expense
    config.save()

    orders(loader, shops, products)

    Settlement = get('pm.eshop.settlement')
    settlements = Settlement.create_for_period(
        loader.today.replace(day=1), loader.today, loader.today)
    loader.counts['商户结算 merchant settlements'] = len(settlements)


def orders(loader, shops, products):
    "Residents' orders at every status"
    get = loader.get
    rng = loader.rng
    Occupancy = get('pm.occupancy')
    Sale = get('sale.sale')
    today = loader.today
    tomorrow = today + dt.timedelta(days=1)
    try:
        Channel = get('pm.portal.provider')
        Payment = get('pm.portal.payment')
        channels = Channel.search([
                ('company', '=', loader.company.id),
                ('provider', '=', 'sandbox')], limit=1)
    except KeyError:
        channels = []
    by_shop = {}
    for shop in shops:
        occupancies = Occupancy.search([
                ('unit.estate', 'in', [e.id for e in shop.pm_estates]),
                ('start_date', '<=', today),
                ('end_date', '=', None),
                ], limit=40, order=[('id', 'ASC')])
        if occupancies:
            by_shop[shop] = occupancies
    if not by_shop:
        loader.notes.append('eshop: no residents, no orders')
        return
    goods = [p for p in products if not p.eshop_is_service()]
    services = [p for p in products if p.eshop_is_service()]
    count = loader.scaled(24, minimum=8)
    steps = ['ordered', 'confirmed', 'delivering', 'delivered',
        'delivered', 'delivered', 'cancelled']
    made = []
    for i in range(count):
        shop = rng.choice(list(by_shop))
        occupancy = rng.choice(by_shop[shop])
        if rng.random() < 0.6:
            lines = [(p, rng.randint(1, 3))
                for p in rng.sample(goods, rng.randint(1, 2))]
        else:
            lines = [(rng.choice(services), 1)]
        online = bool(channels) and rng.random() < 0.4
        slot = rng.choice([s for s in shop.pm_time_slots])
        sale = Sale.eshop_checkout(shop, occupancy.party, occupancy.unit,
            lines, tomorrow, slot,
            payment='online' if online else 'account',
            notes=rng.choice([None, '放门口即可', '上门前请电话联系']))
        if online:
            payment, = Payment.create([{
                        'company': sale.company.id,
                        'party': sale.party.id,
                        'provider': 'sandbox', 'account': channels[0].id,
                        'amount': sale.total_amount,
                        'currency': sale.currency.id,
                        'description': '商城订单 %s' % sale.number,
                        'origin': str(sale),
                        }])
            Payment.paid([payment])
        made.append((sale, steps[i % len(steps)]))
    rated = 0
    for sale, step in made:
        sale = Sale(sale.id)
        if step == 'cancelled':
            Sale.eshop_cancel([sale], reason='住户取消')
            continue
        if step == 'ordered':
            continue
        Sale.confirm([sale])
        Sale.process([sale])
        if step in {'delivering', 'delivered'}:
            Sale.eshop_deliver([Sale(sale.id)])
        if step == 'delivered':
            Sale.eshop_done([Sale(sale.id)])
            if rng.random() < 0.7:
                Sale.eshop_rate([Sale(sale.id)], rng.choice([4, 5, 5, 5, 3]),
                    rng.choice(COMMENTS))
                rated += 1
    loader.counts['商城订单 shop orders'] = len(made)
    loader.counts['订单评价 order ratings'] = rated
