# This file is part of the pm suite (物业管理系统). See README.md.
"""Portal pages of the community shop (pm_portal framework, see its API.md):
browse and search, cart, checkout (unit, date, time slot, notes, payment),
online payment, my orders with their status, cancel, rate."""
import datetime as dt
import os

from werkzeug.wrappers import Response

from trytond.i18n import gettext
from trytond.modules.pm_portal.web import PortalError, portal_route

DAYS_AHEAD = 7
#: the status as the resident reads it (the portal is Chinese first)
LABELS = {
    'ordered': '已下单', 'confirmed': '已确认', 'delivering': '配送中',
    'delivered': '已送达', 'cancelled': '已取消', 'refunded': '已退款',
    }
PAYMENTS = {'online': '在线支付', 'account': '记入物业账单'}
WEEKDAYS = '一二三四五六日'


def _units(portal):
    Unit = portal.pool.get('pm.unit')
    return Unit.browse(portal.unit_ids)


def _shops(portal):
    "The community shops delivering to the party's units"
    Shop = portal.pool.get('web.shop')
    estates = {u.estate.id for u in _units(portal)}
    if not estates:
        return []
    return Shop.search([
            ('type', '=', 'pm_eshop'),
            ('pm_estates', 'in', list(estates)),
            ], order=[('name', 'ASC'), ('id', 'ASC')])


def _shop(portal, shop_id):
    shops = _shops(portal)
    for shop in shops:
        if shop.id == shop_id:
            return shop
    portal.not_found()


def _order(portal, order_id):
    return portal.get('sale.sale', order_id, [
            ('party', '=', portal.party.id),
            ('eshop_state', '!=', None),
            ])


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _catalogue(portal, shop):
    "Published products with prices and the stock of goods"
    pool = portal.pool
    Product = pool.get('product.product')
    products, prices, taxes = shop.get_products()
    goods = [p for p in products if not p.eshop_is_service()]
    stock = {}
    if goods:
        from trytond.transaction import Transaction
        with Transaction().set_context(**shop.get_context()):
            stock = {p.id: p.forecast_quantity for p in Product.browse(goods)}
    return products, prices, taxes, stock


@portal_route('/shop/eshop.css', login=False)
def stylesheet(request, portal):
    "The shop pages' stylesheet (the portal's CSP forbids inline styles)"
    path = os.path.join(os.path.dirname(__file__), 'static', 'eshop.css')
    with open(path, 'rb') as fp:
        return Response(fp.read(), mimetype='text/css',
            headers={'Cache-Control': 'public, max-age=3600'})


@portal_route('/shop')
def shops(request, portal):
    shops = _shops(portal)
    if len(shops) == 1:
        return portal.redirect(f'/shop/{shops[0].id}')
    return portal.render('pm_eshop/shops.html', shops=shops,
        title='社区商城')


@portal_route('/shop/<int:shop_id>')
def catalogue(request, portal, shop_id):
    shop = _shop(portal, shop_id)
    CartLine = portal.pool.get('pm.eshop.cart.line')
    products, prices, taxes, stock = _catalogue(portal, shop)
    query = (request.args.get('q') or '').strip()[:50]
    category_id = _int(request.args.get('category'))
    categories = shop.get_categories()
    if category_id:
        products = [p for p in products
            if category_id in {c.id for c in p.categories_all}]
    if query:
        q = query.lower()
        products = [p for p in products if q in p.name.lower()
            or q in (p.template.web_shop_description or '').lower()
            or (p.template.eshop_merchant
                and q in p.template.eshop_merchant.name.lower())]
    cart = CartLine.lines_of(portal.web_user, shop)
    return portal.render('pm_eshop/catalogue.html', shop=shop,
        products=products, prices=prices, taxes=taxes, stock=stock,
        categories=categories, category_id=category_id, query=query,
        cart_count=sum(l.quantity for l in cart), title=shop.name)


@portal_route('/shop/image/<int:template_id>')
def image(request, portal, template_id):
    "The image of a product published in a shop of the party"
    shop_ids = [s.id for s in _shops(portal)]
    template = portal.get('product.template', template_id, [
            ('products.web_shops', 'in', shop_ids or [-1]),
            ])
    data = template.eshop_image
    if not data:
        portal.not_found()
    data = bytes(data)
    mimetype = 'image/png' if data.startswith(b'\x89PNG') else 'image/jpeg'
    return Response(data, mimetype=mimetype,
        headers={'Cache-Control': 'private, max-age=3600'})


@portal_route('/shop/<int:shop_id>/cart/add', methods=['POST'])
def cart_add(request, portal, shop_id):
    shop = _shop(portal, shop_id)
    CartLine = portal.pool.get('pm.eshop.cart.line')
    product = portal.get('product.product',
        _int(request.form.get('product')),
        [('web_shops', '=', shop.id), ('salable', '=', True)])
    quantity = max(min(_int(request.form.get('quantity'), 1), 99), 1)
    CartLine.add(portal.web_user, shop, product, quantity)
    portal.flash('已加入购物车：%s × %d' % (product.name, quantity))
    back = request.form.get('back') or ''
    if back.startswith('/shop/'):
        return portal.redirect(back)
    return portal.redirect(f'/shop/{shop.id}')


@portal_route('/shop/<int:shop_id>/cart', methods=['GET', 'POST'])
def cart(request, portal, shop_id):
    shop = _shop(portal, shop_id)
    pool = portal.pool
    CartLine = pool.get('pm.eshop.cart.line')
    Slot = pool.get('pm.eshop.time_slot')
    Date = pool.get('ir.date')
    if request.method == 'POST':
        quantities = {}
        for key, value in request.form.items():
            if key.startswith('qty-'):
                quantities[_int(key[4:])] = max(min(_int(value), 99), 0)
        CartLine.set_quantities(portal.web_user, shop, quantities)
        portal.flash('购物车已更新')
        return portal.redirect(f'/shop/{shop.id}/cart')
    lines = CartLine.lines_of(portal.web_user, shop)
    products, prices, taxes, stock = _catalogue(portal, shop)
    published = set(products)
    lines = [l for l in lines if l.product in published]
    total = CartLine.total(lines, prices)
    units = [u for u in _units(portal) if u.estate in shop.pm_estates]
    today = Date.today()
    now = dt.datetime.now()
    slots = [s for s in shop.pm_time_slots if s.active]
    days = []
    for offset in range(DAYS_AHEAD):
        day = today + dt.timedelta(days=offset)
        booked = Slot.booked(slots, day)
        options = []
        for slot in slots:
            left = (None if not slot.capacity
                else max(slot.capacity - booked[slot.id], 0))
            if slot.is_open(day, now=now) and left != 0:
                options.append((slot, left))
        if options:
            days.append((day, '%s 周%s' % (
                        day.strftime('%m-%d'), WEEKDAYS[day.weekday()]),
                    options))
    providers = []
    try:
        Provider = pool.get('pm.portal.provider')
        providers = Provider.search([('company', '=', shop.company.id)])
    except KeyError:
        pass
    return portal.render('pm_eshop/cart.html', shop=shop, lines=lines,
        prices=prices, stock=stock, total=total, units=units, days=days,
        providers=providers, title='购物车')


@portal_route('/shop/<int:shop_id>/checkout', methods=['POST'])
def checkout(request, portal, shop_id):
    shop = _shop(portal, shop_id)
    pool = portal.pool
    CartLine = pool.get('pm.eshop.cart.line')
    Sale = pool.get('sale.sale')
    lines = CartLine.lines_of(portal.web_user, shop)
    if not lines:
        raise PortalError(gettext('pm_eshop.msg_checkout_empty'))
    unit = portal.get('pm.unit', _int(request.form.get('unit')),
        [('id', 'in', portal.unit_ids)])
    choice = request.form.get('slot') or ''
    day, _, slot_id = choice.partition('|')
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise PortalError(gettext('pm_eshop.msg_checkout_slot'))
    slot = portal.get('pm.eshop.time_slot', _int(slot_id),
        [('shop', '=', shop.id)])
    payment = request.form.get('payment') or ''
    account = None
    if payment.startswith('online:'):
        account = portal.get('pm.portal.provider', _int(payment[7:]),
            [('company', '=', shop.company.id)])
        payment = 'online'
    notes = (request.form.get('notes') or '').strip()[:500] or None
    sale = Sale.eshop_checkout(shop, portal.party, unit,
        [(l.product, l.quantity) for l in lines], date, slot,
        payment=payment, notes=notes)
    CartLine.clear(portal.web_user, shop)
    if payment == 'online':
        return _pay(portal, sale, account)
    portal.flash('下单成功，订单号 %s' % sale.number)
    return portal.redirect(f'/shop/orders/{sale.id}')


def _pay(portal, sale, account):
    Payment = portal.pool.get('pm.portal.payment')
    payment, = Payment.create([{
                'company': sale.company.id,
                'party': portal.party.id,
                'web_user': portal.web_user.id,
                'provider': account.provider,
                'account': account.id,
                'amount': sale.total_amount,
                'currency': sale.currency.id,
                'description': '商城订单 %s' % sale.number,
                'origin': str(sale),
                'return_path': f'/shop/orders/{sale.id}',
                }])
    url = Payment.start([payment], portal.base_url)[payment.id]
    return portal.redirect_external(url)


@portal_route('/shop/orders')
def orders(request, portal):
    Sale = portal.pool.get('sale.sale')
    orders = Sale.search([
            ('party', '=', portal.party.id),
            ('eshop_state', '!=', None),
            ], order=[('create_date', 'DESC'), ('id', 'DESC')], limit=50)
    return portal.render('pm_eshop/orders.html', orders=orders,
        labels=LABELS, title='我的订单')


@portal_route('/shop/orders/<int:order_id>')
def order(request, portal, order_id):
    sale = _order(portal, order_id)
    providers = []
    if (sale.eshop_payment == 'online' and not sale.eshop_paid
            and sale.eshop_state == 'ordered'):
        try:
            Provider = portal.pool.get('pm.portal.provider')
            providers = Provider.search(
                [('company', '=', sale.company.id)])
        except KeyError:
            pass
    steps = ['ordered', 'confirmed', 'delivering', 'delivered']
    return portal.render('pm_eshop/order.html', order=sale,
        steps=steps, providers=providers, labels=LABELS, payments=PAYMENTS,
        title='订单 %s' % sale.number)


@portal_route('/shop/orders/<int:order_id>/pay', methods=['POST'])
def order_pay(request, portal, order_id):
    sale = _order(portal, order_id)
    if (sale.eshop_payment != 'online' or sale.eshop_paid
            or sale.eshop_state != 'ordered'):
        return portal.redirect(f'/shop/orders/{sale.id}')
    account = portal.get('pm.portal.provider',
        _int(request.form.get('account')),
        [('company', '=', sale.company.id)])
    return _pay(portal, sale, account)


@portal_route('/shop/orders/<int:order_id>/cancel', methods=['POST'])
def order_cancel(request, portal, order_id):
    Sale = portal.pool.get('sale.sale')
    sale = _order(portal, order_id)
    reason = (request.form.get('reason') or '').strip()[:100] or '住户取消'
    Sale.eshop_cancel([sale], reason=reason)
    portal.flash('订单已取消' + ('，款项将原路退回' if sale.eshop_paid else ''))
    return portal.redirect(f'/shop/orders/{sale.id}')


@portal_route('/shop/orders/<int:order_id>/rate', methods=['POST'])
def order_rate(request, portal, order_id):
    Sale = portal.pool.get('sale.sale')
    sale = _order(portal, order_id)
    Sale.eshop_rate([sale], _int(request.form.get('rating')),
        (request.form.get('comment') or '').strip()[:500])
    portal.flash('感谢您的评价')
    return portal.redirect(f'/shop/orders/{sale.id}')
