# This file is part of the pm suite (物业管理系统). See README.md.
"""Orders of the community shop are Tryton sales.

The resident-facing status ``eshop_state`` (已下单 → 已确认 → 配送中 →
已送达, or 已取消 / 已退款) is stored and recomputed from the sale and its
shipments after every transition, so that the portal and the staff filters
read one column.  Money comes in either online (``pm.portal.payment`` with
the sale as origin) or on the property bill (``pm.charge.extra`` with the
sale as origin); refunds go back the same way.
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from .exceptions import (
    CheckoutError, OrderCancelError, OrderStateError, RatingError)

ESHOP_STATES = [
    (None, ""),
    ('ordered', "Ordered"),
    ('confirmed', "Confirmed"),
    ('delivering', "Delivering"),
    ('delivered', "Delivered"),
    ('cancelled', "Cancelled"),
    ('refunded', "Refunded"),
    ]
# shipments from this state on are being prepared: no more cancellation
PREPARED = {'picked', 'packed', 'shipped', 'done'}


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    _eshop_readonly = {
        'readonly': ~Eval('state').in_(['draft', 'quotation']),
        'invisible': ~Eval('eshop_state'),
        }

    pm_unit = fields.Many2One(
        'pm.unit', "Delivery Unit", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states=_eshop_readonly,
        help="The unit the order is delivered to (or the service done at).")
    pm_estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_pm_estate', searcher='search_pm_estate')
    eshop_date = fields.Date(
        "Delivery Date", states=_eshop_readonly)
    eshop_time_slot = fields.Many2One(
        'pm.eshop.time_slot', "Time Slot", ondelete='RESTRICT',
        domain=[('shop', '=', Eval('web_shop', -1))],
        states=_eshop_readonly)
    eshop_notes = fields.Text("Order Notes", states=_eshop_readonly)
    eshop_payment = fields.Selection([
            (None, ""),
            ('online', "Online Payment"),
            ('account', "Property Account"),
            ], "Payment", states=_eshop_readonly)
    eshop_state = fields.Selection(
        ESHOP_STATES, "Order Status", readonly=True, sort=False,
        help="The status the resident sees in the portal.")
    eshop_paid = fields.Boolean(
        "Paid Online", readonly=True,
        states={'invisible': Eval('eshop_payment') != 'online'})
    eshop_refunded = fields.Boolean(
        "Refunded", readonly=True,
        states={'invisible': ~Eval('eshop_state')})
    eshop_delivering_date = fields.DateTime(
        "Delivery Started", readonly=True,
        states={'invisible': ~Eval('eshop_state')})
    eshop_delivered_date = fields.DateTime(
        "Delivered", readonly=True,
        states={'invisible': ~Eval('eshop_state')})
    eshop_extra = fields.Many2One(
        'pm.charge.extra', "Extra Charge", readonly=True,
        ondelete='RESTRICT',
        states={'invisible': Eval('eshop_payment') != 'account'})
    eshop_payment_move = fields.Many2One(
        'account.move', "Payment Move", readonly=True, ondelete='RESTRICT',
        states={'invisible': ~Eval('eshop_payment_move')},
        help="The posted move of the money received online (debit of the "
        "payment method's account, credit of the customer's receivable).")
    eshop_refund_move = fields.Many2One(
        'account.move', "Refund Move", readonly=True, ondelete='RESTRICT',
        states={'invisible': ~Eval('eshop_refund_move')},
        help="The posted move of the money sent back online.")
    eshop_credit_note = fields.Many2One(
        'account.invoice', "Credit Note", readonly=True, ondelete='RESTRICT',
        states={'invisible': ~Eval('eshop_credit_note')})
    eshop_cancel_reason = fields.Char(
        "Cancellation Reason", readonly=True,
        states={'invisible': ~Eval('eshop_cancel_reason')})
    eshop_rating = fields.Integer(
        "Rating", readonly=True,
        domain=[If(Bool(Eval('eshop_rating')),
                [('eshop_rating', '>=', 1), ('eshop_rating', '<=', 5)],
                [])],
        states={'invisible': Eval('eshop_state') != 'delivered'},
        help="1 to 5 stars given by the resident.")
    eshop_rating_comment = fields.Text(
        "Rating Comment", readonly=True,
        states={'invisible': ~Eval('eshop_rating')})

    del _eshop_readonly

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'eshop_deliver': {
                    'invisible': Eval('eshop_state') != 'confirmed',
                    'icon': 'tryton-forward',
                    'depends': ['eshop_state'],
                    },
                'eshop_done': {
                    'invisible': Eval('eshop_state') != 'delivering',
                    'icon': 'tryton-ok',
                    'depends': ['eshop_state'],
                    },
                'eshop_cancel': {
                    'invisible': ~Eval('eshop_state').in_(
                        ['ordered', 'confirmed']),
                    'icon': 'tryton-cancel',
                    'depends': ['eshop_state'],
                    },
                'eshop_refund': {
                    'invisible': Eval('eshop_state') != 'delivered',
                    'icon': 'tryton-undo',
                    'depends': ['eshop_state'],
                    },
                })

    @staticmethod
    def default_eshop_paid():
        return False

    @staticmethod
    def default_eshop_refunded():
        return False

    @property
    def is_eshop(self):
        return bool(self.web_shop and self.web_shop.type == 'pm_eshop')

    @fields.depends('pm_unit')
    def on_change_with_pm_estate(self, name=None):
        return self.pm_unit.estate if self.pm_unit else None

    @classmethod
    def search_pm_estate(cls, name, clause):
        nested = clause[0][len(name):]
        return [('pm_unit.estate' + nested, *clause[1:])]

    @classmethod
    def copy(cls, sales, default=None):
        default = default.copy() if default is not None else {}
        for name in ['eshop_state', 'eshop_extra', 'eshop_rating',
                'eshop_rating_comment', 'eshop_delivering_date',
                'eshop_delivered_date', 'eshop_cancel_reason',
                'eshop_payment_move', 'eshop_refund_move',
                'eshop_credit_note']:
            default.setdefault(name, None)
        default.setdefault('eshop_paid', False)
        default.setdefault('eshop_refunded', False)
        return super().copy(sales, default=default)

    # --- checkout ---------------------------------------------------------

    @classmethod
    def eshop_checkout(cls, shop, party, unit, lines, date, time_slot,
            payment='online', notes=None, now=None):
        """Create the order of the party in the shop, quoted (已下单).

        lines: list of (product, quantity).  The party must live in the unit
        (a current occupancy), the unit must be in the shop's delivery area,
        the goods in stock and the time slot open with places left."""
        pool = Pool()
        Line = pool.get('sale.line')
        Occupancy = pool.get('pm.occupancy')
        Product = pool.get('product.product')
        Slot = pool.get('pm.eshop.time_slot')
        Date = pool.get('ir.date')
        now = now or dt.datetime.now()
        with Transaction().set_context(company=shop.company.id):
            today = Date.today()

        if shop.type != 'pm_eshop' or not shop.active:
            raise CheckoutError(gettext('pm_eshop.msg_checkout_shop'))
        if not shop.pm_delivers_to(unit):
            raise CheckoutError(gettext(
                    'pm_eshop.msg_checkout_unit_area',
                    unit=unit.rec_name, shop=shop.rec_name))
        if not Occupancy.search([
                    ('unit', '=', unit.id),
                    ('party', '=', party.id),
                    ('start_date', '<=', today),
                    ['OR', ('end_date', '=', None),
                        ('end_date', '>=', today)],
                    ], limit=1):
            raise CheckoutError(gettext(
                    'pm_eshop.msg_checkout_not_occupant',
                    party=party.rec_name, unit=unit.rec_name))
        if payment not in {'online', 'account'}:
            raise CheckoutError(gettext('pm_eshop.msg_checkout_payment'))
        if payment == 'account' and not shop.pm_account_charge:
            raise CheckoutError(gettext(
                    'pm_eshop.msg_checkout_no_account_charge',
                    shop=shop.rec_name))
        lines = [(p, Decimal(str(q))) for p, q in lines if q]
        if not lines:
            raise CheckoutError(gettext('pm_eshop.msg_checkout_empty'))
        if not time_slot or not date:
            raise CheckoutError(gettext('pm_eshop.msg_checkout_slot'))
        if time_slot.shop != shop or not time_slot.active:
            raise CheckoutError(gettext('pm_eshop.msg_checkout_slot'))
        if date < today or not time_slot.is_open(date, now=now):
            raise CheckoutError(gettext(
                    'pm_eshop.msg_checkout_slot_past',
                    slot=time_slot.rec_name, date=date.isoformat()))
        published = set(shop.products)
        quantities = {}
        goods = [p for p, _ in lines if not p.eshop_is_service()]
        if goods:
            with Transaction().set_context(**shop.get_context()):
                quantities = {p.id: p.forecast_quantity
                    for p in Product.browse(goods)}
        for product, quantity in lines:
            if product not in published or not product.salable:
                raise CheckoutError(gettext(
                        'pm_eshop.msg_checkout_product',
                        product=product.rec_name))
            if quantity <= 0 or (product.eshop_is_service()
                    and quantity != int(quantity)):
                raise CheckoutError(gettext(
                        'pm_eshop.msg_checkout_quantity',
                        product=product.rec_name))
            if product.id in quantities and quantities[product.id] < quantity:
                raise CheckoutError(gettext(
                        'pm_eshop.msg_checkout_stock',
                        product=product.rec_name,
                        quantity=max(quantities[product.id], 0)))

        sale = shop.get_sale(party)
        sale.shipment_address = sale.invoice_address = \
            cls._eshop_address(party, unit)
        # paid online: the customer invoice is created and posted when the
        # order is confirmed, and reconciled with the money received; on
        # the property account the bill carries the revenue
        sale.invoice_method = 'order' if payment == 'online' else 'manual'
        sale.shipment_method = 'order'
        sale.pm_unit = unit
        if time_slot and time_slot.capacity:
            # before any work: a restart to take the lock redoes nothing
            Slot.lock([time_slot])
        sale.eshop_date = date
        sale.eshop_time_slot = time_slot
        sale.eshop_notes = notes
        sale.eshop_payment = payment
        sale.eshop_state = 'ordered'
        sale.description = gettext(
            'pm_eshop.msg_order_description',
            unit=unit.rec_name, date=date.isoformat(),
            slot=time_slot.rec_name)
        sale_lines = []
        with Transaction().set_context(**shop.get_context()):
            for product, quantity in lines:
                line = Line(sale=sale, type='line', product=product,
                    quantity=float(quantity))
                line.on_change_product()
                line.quantity = float(quantity)
                line.on_change_quantity()
                line.eshop_merchant = product.template.eshop_merchant
                sale_lines.append(line)
        sale.lines = sale_lines
        sale.save()
        Slot.check_booking([sale])
        cls.quote([sale])
        return sale

    @classmethod
    def _eshop_address(cls, party, unit):
        "The party's delivery address of the unit (created once)"
        pool = Pool()
        Address = pool.get('party.address')
        street = cls._eshop_street(unit)
        addresses = Address.search([
                ('party', '=', party.id), ('street', '=', street)], limit=1)
        if addresses:
            return addresses[0]
        address = Address(party=party, street=street,
            city=unit.estate.city or None)
        address.save()
        return address

    @staticmethod
    def _eshop_street(unit):
        return unit.rec_name

    # --- status -----------------------------------------------------------

    def _eshop_services(self):
        return [l for l in self.line_lines
            if l.product and l.product.eshop_is_service()]

    def eshop_compute_state(self):
        "Return the resident-facing status of the order"
        if self.eshop_refunded:
            return 'refunded'
        if self.state == 'cancelled':
            return 'cancelled'
        if self.state in {'draft', 'quotation'}:
            return 'ordered'
        if self.eshop_delivered_date:
            return 'delivered'
        shipments = [s for s in self.shipments if s.state != 'cancelled']
        if (self.eshop_delivering_date
                or any(s.state in PREPARED for s in shipments)):
            return 'delivering'
        return 'confirmed'

    def is_done(self):
        done = super().is_done()
        if (not done and self.is_eshop and self.invoice_method == 'manual'
                and self.eshop_delivered_date):
            # the money came online or through the bill, not by invoice
            return (self.shipment_state == 'sent'
                or (self.shipment_state == 'none'
                    and all(l.moves_progress >= 1 for l in self.line_lines
                        if l.moves_progress is not None)))
        return done

    @classmethod
    def eshop_update_state(cls, sales):
        "Store the status (and the delivery time of shipped goods)"
        now = dt.datetime.now()
        to_write = defaultdict(list)
        for sale in cls.browse([s for s in sales if s.is_eshop]):
            values = {}
            shipments = [s for s in sale.shipments if s.state != 'cancelled']
            if (sale.state in {'processing', 'done'}
                    and not sale.eshop_delivered_date
                    and not sale.eshop_refunded
                    and shipments and all(s.state == 'done' for s in shipments)
                    and not sale._eshop_services()):
                values['eshop_delivered_date'] = now
                sale.eshop_delivered_date = now
            state = sale.eshop_compute_state()
            if state != sale.eshop_state:
                values['eshop_state'] = state
            if values:
                to_write[tuple(sorted(values.items()))].append(sale)
        args = []
        delivered = []
        for values, s_sales in to_write.items():
            args.extend((s_sales, dict(values)))
            if 'eshop_delivered_date' in dict(values):
                delivered.extend(s_sales)
        if args:
            cls.write(*args)
        if delivered:
            # shipped through the shipment views: the sale is done now
            cls.process(delivered)

    @classmethod
    @ModelView.button
    @Workflow.transition('quotation')
    def quote(cls, sales):
        super().quote(sales)
        cls.eshop_update_state(sales)

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, sales):
        for sale in sales:
            if (sale.is_eshop and sale.eshop_payment == 'online'
                    and not sale.eshop_paid):
                raise OrderStateError(gettext(
                        'pm_eshop.msg_order_not_paid', sale=sale.rec_name))
        super().confirm(sales)
        cls._eshop_charge_account([s for s in sales
                if s.is_eshop and s.eshop_payment == 'account'
                and not s.eshop_extra])
        cls.eshop_update_state(sales)

    @classmethod
    @ModelView.button
    def process(cls, sales):
        super().process(sales)
        cls.eshop_update_state(sales)

    @classmethod
    def _eshop_charge_account(cls, sales):
        "Put the orders on the unit's next bill (其他收费)"
        pool = Pool()
        Extra = pool.get('pm.charge.extra')
        Date = pool.get('ir.date')
        if not sales:
            return
        vlist = []
        for sale in sales:
            with Transaction().set_context(company=sale.company.id):
                today = Date.today()
            vlist.append({
                    'company': sale.company.id,
                    'unit': sale.pm_unit.id,
                    'party': sale.party.id,
                    'charge_item': sale.web_shop.pm_charge_item.id,
                    'date': sale.sale_date or today,
                    'description': gettext(
                        'pm_eshop.msg_extra_description',
                        number=sale.number or '', shop=sale.web_shop.name),
                    'quantity': Decimal(1),
                    'unit_price': sale.total_amount,
                    'origin': str(sale),
                    })
        extras = Extra.create(vlist)
        args = []
        for sale, extra in zip(sales, extras):
            args.extend(([sale], {'eshop_extra': extra.id}))
        cls.write(*args)

    # --- fulfilment by the shop manager -----------------------------------

    @classmethod
    @ModelView.button
    def eshop_deliver(cls, sales):
        """Start the delivery (配送中): pick, pack and ship the goods; a
        service is on its way"""
        pool = Pool()
        Shipment = pool.get('stock.shipment.out')
        for sale in sales:
            if sale.eshop_state != 'confirmed':
                raise OrderStateError(gettext(
                        'pm_eshop.msg_order_state', sale=sale.rec_name))
        shipments = [s for sale in sales for s in sale.shipments
            if s.state in {'draft', 'waiting', 'assigned'}]
        if shipments:
            Shipment.wait([s for s in shipments if s.state == 'draft'])
            waiting = [s for s in shipments if s.state == 'waiting']
            if waiting:
                Shipment.assign_try(waiting)
                waiting = Shipment.browse(waiting)
                missing = [s for s in waiting if s.state == 'waiting']
                if missing:
                    products = {m.product.rec_name for s in missing
                        for m in s.assign_moves if m.state != 'assigned'}
                    raise OrderStateError(gettext(
                            'pm_eshop.msg_order_stock',
                            products=', '.join(sorted(products))))
            shipments = Shipment.browse(shipments)
            Shipment.pick(shipments)
            Shipment.pack(shipments)
            Shipment.ship(shipments)
        cls.write(list(sales), {'eshop_delivering_date': dt.datetime.now()})
        cls.eshop_update_state(sales)

    @classmethod
    @ModelView.button
    def eshop_done(cls, sales):
        "The order is delivered (已送达): the goods leave the stock"
        pool = Pool()
        Shipment = pool.get('stock.shipment.out')
        for sale in sales:
            if sale.eshop_state != 'delivering':
                raise OrderStateError(gettext(
                        'pm_eshop.msg_order_state', sale=sale.rec_name))
        shipments = [s for sale in sales for s in sale.shipments
            if s.state in {'packed', 'shipped'}]
        if shipments:
            Shipment.do(shipments)
        cls.write(list(sales), {'eshop_delivered_date': dt.datetime.now()})
        cls.process(sales)
        cls.eshop_update_state(sales)

    # --- cancellation and refunds -----------------------------------------

    def eshop_cancellable(self):
        "Cancellable before the preparation (no shipment picked)"
        return (self.eshop_state in {'ordered', 'confirmed'}
            and not any(s.state in PREPARED for s in self.shipments))

    @classmethod
    @ModelView.button
    def eshop_cancel(cls, sales, reason=None):
        """Cancel the orders before their preparation and refund them the
        way the money came"""
        pool = Pool()
        Shipment = pool.get('stock.shipment.out')
        for sale in sales:
            if not sale.eshop_cancellable():
                raise OrderCancelError(gettext(
                        'pm_eshop.msg_order_cancel_prepared',
                        sale=sale.rec_name))
        cls._eshop_check_refundable(sales)
        shipments = [s for sale in sales for s in sale.shipments
            if s.state in {'draft', 'waiting', 'assigned'}]
        if shipments:
            Shipment.cancel(shipments)
        quoted = [s for s in sales if s.state in {'draft', 'quotation'}]
        confirmed = [s for s in sales if s.state not in {
                'draft', 'quotation', 'cancelled'}]
        if quoted:
            cls.cancel(quoted)
        if confirmed:
            # a confirmed order has no cancel transition in Tryton: its
            # shipments are cancelled above, nothing was invoiced
            cls.write(confirmed, {'state': 'cancelled'})
            cls.log(confirmed, 'transition', 'state:cancelled')
        if reason:
            cls.write(list(sales), {'eshop_cancel_reason': reason})
        cls._eshop_refund(sales)
        cls.eshop_update_state(sales)

    @classmethod
    @ModelView.button
    def eshop_refund(cls, sales):
        "Refund delivered orders (after-sales) the way the money came"
        for sale in sales:
            if sale.eshop_state != 'delivered':
                raise OrderStateError(gettext(
                        'pm_eshop.msg_order_state', sale=sale.rec_name))
        cls._eshop_check_refundable(sales)
        cls._eshop_refund(sales)
        cls.eshop_update_state(sales)

    @classmethod
    def _eshop_check_refundable(cls, sales):
        for sale in sales:
            if sale.eshop_extra and sale.eshop_extra.state == 'billed':
                raise OrderCancelError(gettext(
                        'pm_eshop.msg_order_charge_billed',
                        sale=sale.rec_name,
                        bill=sale.eshop_extra.bill.rec_name))

    @classmethod
    def _eshop_refund(cls, sales):
        pool = Pool()
        Extra = pool.get('pm.charge.extra')
        extras = [s.eshop_extra for s in sales
            if s.eshop_extra and s.eshop_extra.state == 'pending']
        if extras:
            Extra.cancel(extras)
            # the charge is withdrawn from the bill: nothing was paid yet
            cls.write([s for s in sales if s.eshop_extra in extras
                    and s.eshop_state == 'delivered'],
                {'eshop_refunded': True})
        online = [s for s in sales if s.eshop_paid and not s.eshop_refunded]
        if online:
            cls._eshop_refund_online(online)

    @classmethod
    def _eshop_refund_online(cls, sales):
        "Refund the online payments (pm_portal calls portal_payment_refunded)"
        pool = Pool()
        try:
            Payment = pool.get('pm.portal.payment')
        except KeyError:
            raise OrderCancelError(gettext(
                    'pm_eshop.msg_order_refund_no_portal'))
        payments = Payment.search([
                ('origin', 'in', [str(s) for s in sales]),
                ('state', '=', 'paid'),
                ])
        if payments:
            Payment.refund(payments)

    @classmethod
    def eshop_payments_paid(cls, sales):
        "Mark the orders paid; confirm them when their shop says so"
        sales = [s for s in sales if s.is_eshop and not s.eshop_paid]
        if not sales:
            return
        cls.write(sales, {'eshop_paid': True})
        late = [s for s in sales if s.state == 'cancelled']
        if late:
            # paid after the order was cancelled: the money goes back
            cls._eshop_refund_online(late)
        auto = [s for s in sales
            if s.web_shop.pm_auto_confirm and s.state == 'quotation']
        if auto:
            cls.confirm(auto)

    @classmethod
    def eshop_payments_refunded(cls, sales):
        sales = [s for s in sales if s.is_eshop and not s.eshop_refunded]
        if sales:
            cls.write(sales, {'eshop_refunded': True})
            cls.eshop_update_state(sales)

    @classmethod
    def portal_payment_paid(cls, payments):
        "pm_portal: the online payments of the orders arrived"
        cls._eshop_post_payments(payments)
        cls.eshop_payments_paid(cls.browse(
                list({p.origin.id for p in payments if p.origin})))

    @classmethod
    def portal_payment_refunded(cls, payments):
        "pm_portal: the online payments of the orders went back"
        cls._eshop_post_refunds(payments)
        cls.eshop_payments_refunded(cls.browse(
                list({p.origin.id for p in payments if p.origin})))

    # --- accounting of the online payments --------------------------------

    @classmethod
    def _eshop_money_move(cls, sale, payment, amount, refund=False):
        """Return the (unsaved) move of the money of the payment: debit the
        method's account and credit the receivable of the customer, or the
        reverse for a refund"""
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        Period = pool.get('account.period')
        Date = pool.get('ir.date')
        method = payment.account.payment_method
        with Transaction().set_context(company=sale.company.id):
            date = Date.today()
        party = sale.invoice_party or sale.party
        amount = sale.company.currency.round(amount)
        zero = Decimal(0)
        money = Line(account=method.account,
            debit=zero if refund else amount,
            credit=amount if refund else zero)
        if method.account.party_required:
            money.party = party
        receivable = Line(account=party.account_receivable_used,
            party=party,
            debit=amount if refund else zero,
            credit=zero if refund else amount)
        return Move(
            company=sale.company,
            journal=method.journal,
            period=Period.find(sale.company, date=date),
            date=date,
            origin=payment,
            description=gettext(
                'pm_eshop.msg_refund_move' if refund
                else 'pm_eshop.msg_payment_move',
                number=sale.number or '', reference=payment.reference),
            lines=[money, receivable])

    @staticmethod
    def _eshop_receivable_line(move):
        for line in move.lines:
            if line.party and line.account.type.receivable:
                return line

    @classmethod
    def _eshop_reconcile(cls, groups):
        "Reconcile each group of lines that is unreconciled and balanced"
        pool = Pool()
        Line = pool.get('account.move.line')
        to_reconcile = []
        for lines in groups:
            lines = [l for l in lines if l and not l.reconciliation]
            if (len(lines) > 1
                    and sum(l.debit - l.credit for l in lines) == 0
                    and len({l.account for l in lines}) == 1):
                to_reconcile.append(lines)
        if to_reconcile:
            Line.reconcile(*to_reconcile)

    @classmethod
    def _eshop_post_payments(cls, payments):
        "Post the money received online for the shop orders"
        pool = Pool()
        Move = pool.get('account.move')
        moves, sales = [], []
        for payment in payments:
            sale = payment.origin
            if (not sale or sale.__name__ != cls.__name__
                    or not sale.is_eshop or sale.eshop_payment_move
                    or payment.state != 'paid' or not payment.account):
                continue
            moves.append(cls._eshop_money_move(sale, payment, payment.amount))
            sales.append(sale)
        if not moves:
            return
        Move.save(moves)
        Move.post(moves)
        cls.write(*sum((([s], {'eshop_payment_move': m.id})
                    for s, m in zip(sales, moves)), ()))

    @classmethod
    def _eshop_invoices(cls, sales, states):
        "Return the customer invoices (not credit notes) of the sales by id"
        pool = Pool()
        InvoiceLine = pool.get('account.invoice.line')
        lines = InvoiceLine.search([
                ('origin.sale', 'in', [s.id for s in sales], 'sale.line'),
                ('invoice.state', 'in', states),
                ('invoice.type', '=', 'out'),
                ])
        invoices = defaultdict(set)
        for line in lines:
            invoices[line.origin.sale.id].add(line.invoice)
        return invoices

    @classmethod
    def _process_invoice(cls, sales):
        super()._process_invoice(sales)
        cls._eshop_post_invoices(sales)

    @classmethod
    def _eshop_post_invoices(cls, sales):
        """Post the invoices of the orders paid online and reconcile them
        with the money received (the invoices are then paid)"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        sales = [s for s in sales if s.is_eshop and s.eshop_payment_move
            and s.invoice_method != 'manual']
        if not sales:
            return
        drafts = cls._eshop_invoices(sales, ['draft', 'validated'])
        invoices = [i for s in sales for i in drafts.get(s.id, [])]
        if not invoices:
            return
        Invoice.post(invoices)
        groups = []
        for sale in sales:
            s_invoices = Invoice.browse(
                [i.id for i in drafts.get(sale.id, [])])
            if not s_invoices:
                continue
            groups.append([l for i in s_invoices for l in i.lines_to_pay]
                + [cls._eshop_receivable_line(sale.eshop_payment_move)])
        cls._eshop_reconcile(groups)

    @classmethod
    def _eshop_post_refunds(cls, payments):
        """Post the money sent back online: a credit note of the refunded
        amount for the invoiced orders and the move debiting the receivable
        and crediting the method's account, reconciled"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Move = pool.get('account.move')
        todo = []
        for payment in payments:
            sale = payment.origin
            if (not sale or sale.__name__ != cls.__name__
                    or not sale.is_eshop or not sale.eshop_payment_move
                    or sale.eshop_refund_move or not payment.refunded_amount
                    or not payment.account):
                continue
            todo.append((sale, payment))
        if not todo:
            return
        sales = [s for s, _ in todo]
        drafts = cls._eshop_invoices(sales, ['draft', 'validated'])
        draft_invoices = [i for s in sales for i in drafts.get(s.id, [])]
        if draft_invoices:
            # not posted: nothing was invoiced
            Invoice.cancel(draft_invoices)
        posted = cls._eshop_invoices(sales, ['posted', 'paid'])
        credit_notes, moves = {}, []
        for sale, payment in todo:
            invoices = sorted(posted.get(sale.id, []), key=lambda i: i.id)
            if invoices:
                credit_notes[sale] = cls._eshop_credit_note(
                    invoices, payment.refunded_amount)
            moves.append(cls._eshop_money_move(
                    sale, payment, payment.refunded_amount, refund=True))
        notes = [n for n in credit_notes.values() if n]
        if notes:
            Invoice.save(notes)
            Invoice.post(notes)
        Move.save(moves)
        Move.post(moves)
        groups, args = [], []
        for (sale, payment), move in zip(todo, moves):
            refund_line = cls._eshop_receivable_line(move)
            note = credit_notes.get(sale)
            values = {'eshop_refund_move': move.id}
            if note:
                note = Invoice(note.id)
                values['eshop_credit_note'] = note.id
                groups.append(list(note.lines_to_pay) + [refund_line])
            else:
                # refunded before invoicing: the money in and out match
                groups.append([
                        cls._eshop_receivable_line(sale.eshop_payment_move),
                        refund_line])
            args.extend(([sale], values))
        cls._eshop_reconcile(groups)
        cls.write(*args)

    @classmethod
    def _eshop_credit_note(cls, invoices, amount):
        """Return the (unsaved) credit note of the amount refunded on the
        invoices: all their lines when the whole is refunded, else the lines
        scaled to the amount"""
        invoice = invoices[0]
        note = invoice._credit()
        note.lines = [l for i in invoices for l in i._credit().lines]
        total = sum((i.total_amount for i in invoices), Decimal(0))
        if total and amount != total:
            # partial refund: the credit note may differ by a rounding of
            # the taxes, it is then left to reconcile by hand
            ratio = amount / total
            for line in note.lines:
                if line.unit_price is not None:
                    line.unit_price = (line.unit_price * ratio).quantize(
                        Decimal('0.0001'))
        return note

    @classmethod
    def eshop_cancel_unpaid(cls, hours=2):
        """Cron: cancel the orders to be paid online that are still unpaid
        after the hours"""
        limit = dt.datetime.now() - dt.timedelta(hours=hours)
        sales = cls.search([
                ('eshop_state', '=', 'ordered'),
                ('eshop_payment', '=', 'online'),
                ('eshop_paid', '=', False),
                ('create_date', '<', limit),
                ])
        if sales:
            cls.eshop_cancel(sales, reason=gettext(
                    'pm_eshop.msg_order_unpaid_cancelled'))
        return sales

    # --- ratings ------------------------------------------------------------

    @classmethod
    def eshop_rate(cls, sales, rating, comment=None):
        "The resident rates delivered orders from 1 to 5 stars, once"
        for sale in sales:
            if sale.eshop_state != 'delivered':
                raise RatingError(gettext(
                        'pm_eshop.msg_rating_not_delivered',
                        sale=sale.rec_name))
            if sale.eshop_rating:
                raise RatingError(gettext(
                        'pm_eshop.msg_rating_done', sale=sale.rec_name))
        if not isinstance(rating, int) or not 1 <= rating <= 5:
            raise RatingError(gettext('pm_eshop.msg_rating_value'))
        cls.write(list(sales), {
                'eshop_rating': rating,
                'eshop_rating_comment': comment or None,
                })


class SaleLine(metaclass=PoolMeta):
    __name__ = 'sale.line'

    eshop_merchant = fields.Many2One(
        'pm.eshop.merchant', "Merchant", ondelete='RESTRICT',
        states={
            'readonly': Eval('sale_state') != 'draft',
            'invisible': Eval('type') != 'line',
            },
        help="The merchant of the product when it was sold.")

    @fields.depends('product')
    def on_change_product(self):
        super().on_change_product()
        if self.product:
            self.eshop_merchant = self.product.template.eshop_merchant
