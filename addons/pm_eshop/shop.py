# This file is part of the pm suite (物业管理系统). See README.md.
"""The community shop 社区商城: Tryton web shops of type "pm_eshop" with
the estates they deliver to, time slots and merchants 商户."""
import datetime as dt
from decimal import Decimal

from sql import Null
from sql.aggregate import Count

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .exceptions import MerchantValidationError, TimeSlotError


class Shop(metaclass=PoolMeta):
    __name__ = 'web.shop'

    pm_estates = fields.Many2Many(
        'web.shop-pm.estate', 'shop', 'estate', "Estates",
        domain=[('company', '=', Eval('company', -1))],
        states={'invisible': Eval('type') != 'pm_eshop'},
        help="The delivery area: residents of the units of these estates "
        "order in this shop.")
    pm_account_charge = fields.Boolean(
        "Charge to Property Account",
        states={'invisible': Eval('type') != 'pm_eshop'},
        help="Residents may put their orders on the next property bill.")
    pm_charge_item = fields.Many2One(
        'pm.charge.item', "Charge Item",
        domain=[('company', '=', Eval('company', -1))],
        states={
            'invisible': ~Eval('pm_account_charge', False),
            'required': Bool(Eval('pm_account_charge', False)),
            },
        help="The charge item of the orders put on the bill "
        "(use an item without tax: the order prices include it).")
    pm_auto_confirm = fields.Boolean(
        "Confirm Paid Orders",
        states={'invisible': Eval('type') != 'pm_eshop'},
        help="Confirm the orders as soon as they are paid online.")
    pm_phone = fields.Char(
        "Service Phone", states={'invisible': Eval('type') != 'pm_eshop'})
    pm_time_slots = fields.One2Many(
        'pm.eshop.time_slot', 'shop', "Time Slots",
        states={'invisible': Eval('type') != 'pm_eshop'})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        selection = ('pm_eshop', "Community Shop")
        if selection not in cls.type.selection:
            cls.type.selection.append(selection)

    @staticmethod
    def default_pm_account_charge():
        return False

    @staticmethod
    def default_pm_auto_confirm():
        return False

    @classmethod
    def pm_shops_for_unit(cls, unit):
        "Return the active community shops delivering to the unit"
        return cls.search([
                ('type', '=', 'pm_eshop'),
                ('pm_estates', '=', unit.estate.id),
                ('company', '=', unit.company.id),
                ])

    def pm_delivers_to(self, unit):
        return bool(unit) and unit.estate in self.pm_estates


class Shop_Estate(ModelSQL):
    __name__ = 'web.shop-pm.estate'
    __string__ = "Web Shop - Estate"

    shop = fields.Many2One(
        'web.shop', "Shop", ondelete='CASCADE', required=True)
    estate = fields.Many2One(
        'pm.estate', "Estate", ondelete='CASCADE', required=True)


class TimeSlot(sequence_ordered(), DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.eshop.time_slot'
    __string__ = "Shop Time Slot"

    shop = fields.Many2One(
        'web.shop', "Shop", required=True, ondelete='CASCADE',
        domain=[('type', '=', 'pm_eshop')])
    company = fields.Many2One('company.company', "Company", readonly=True)
    name = fields.Char("Name", help="For example 上午 09:00-11:00.")
    start_time = fields.Time("Start", required=True, format='%H:%M')
    end_time = fields.Time(
        "End", required=True, format='%H:%M',
        domain=[('end_time', '>', Eval('start_time'))])
    capacity = fields.Integer(
        "Capacity", required=True,
        domain=[('capacity', '>=', 0)],
        help="Orders per day in this slot (0: no limit).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('shop')
        cls._order = [('shop', 'ASC'), ('sequence', 'ASC NULLS FIRST'),
            ('start_time', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_capacity():
        return 0

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Shop = pool.get('web.shop')
        values = super().preprocess_values(mode, values)
        if values.get('shop'):
            values['company'] = Shop(values['shop']).company.id
        return values

    def get_rec_name(self, name):
        times = '%s-%s' % (
            self.start_time.strftime('%H:%M') if self.start_time else '',
            self.end_time.strftime('%H:%M') if self.end_time else '')
        if self.name:
            return '%s %s' % (self.name, times)
        return times

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('name',) + tuple(clause[1:])]

    @classmethod
    def booked(cls, slots, date, exclude=None):
        "Return the number of live orders per slot id on the date"
        pool = Pool()
        Sale = pool.get('sale.sale')
        sale = Sale.__table__()
        cursor = Transaction().connection.cursor()
        result = {s.id: 0 for s in slots}
        if not slots:
            return result
        where = (sale.eshop_time_slot.in_([s.id for s in slots])
            & (sale.eshop_date == date)
            & ~sale.eshop_state.in_(['cancelled', 'refunded']))
        if exclude:
            where &= ~sale.id.in_(list(exclude))
        cursor.execute(*sale.select(
                sale.eshop_time_slot, Count(),
                where=where, group_by=[sale.eshop_time_slot]))
        result.update(dict(cursor))
        return result

    def available(self, date, exclude=None):
        "Return the places left on the date (None: no limit)"
        if not self.capacity:
            return None
        booked = self.booked([self], date, exclude=exclude)[self.id]
        return max(self.capacity - booked, 0)

    @classmethod
    def check_booking(cls, sales):
        "Check that the time slots of the sales are not over-booked"
        by_key = {}
        for sale in sales:
            if sale.eshop_time_slot and sale.eshop_date:
                by_key.setdefault(
                    (sale.eshop_time_slot, sale.eshop_date), []).append(sale)
        # two residents booking the last place at once: the slots are
        # locked (the transaction restarts holding the lock, so it counts
        # the orders the other one committed)
        cls.lock(list({slot for slot, _ in by_key if slot.capacity}))
        for (slot, date), s_sales in by_key.items():
            if not slot.capacity:
                continue
            booked = cls.booked(
                [slot], date, exclude=[s.id for s in s_sales])[slot.id]
            if booked + len(s_sales) > slot.capacity:
                raise TimeSlotError(gettext(
                        'pm_eshop.msg_time_slot_full',
                        slot=slot.rec_name, date=date.isoformat()))

    def is_open(self, date, now=None):
        "The slot of the date can still be booked at now"
        now = now or dt.datetime.now()
        return dt.datetime.combine(date, self.start_time) > now


class Merchant(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.eshop.merchant'
    __string__ = "Merchant"
    _rec_name = 'name'

    company = fields.Many2One(
        'company.company', "Company", required=True)
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The supplier party paid by the merchant settlements.")
    name = fields.Char("Name", required=True)
    phone = fields.Char("Phone")
    description = fields.Text("Description")
    commission_rate = fields.Numeric(
        "Commission Rate", digits=(16, 4), required=True,
        domain=[('commission_rate', '>=', 0), ('commission_rate', '<=', 1)],
        help="The platform commission on the merchant's net sales, "
        "for example 0.08 for 8 %.")
    templates = fields.One2Many(
        'product.template', 'eshop_merchant', "Products", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    rating = fields.Function(
        fields.Numeric("Rating", digits=(16, 1)), 'get_rating')
    rating_count = fields.Function(
        fields.Integer("Ratings"), 'get_rating')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('party_company_unique', Unique(t, t.company, t.party),
                'pm_eshop.msg_merchant_party_unique'),
            ]
        cls._order = [('name', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_commission_rate():
        return Decimal(0)

    @fields.depends('party', '_parent_party.name', 'name')
    def on_change_party(self):
        if self.party and not self.name:
            self.name = self.party.name

    @classmethod
    def get_rating(cls, merchants, names):
        "Average rating of the rated orders with products of the merchant"
        pool = Pool()
        Sale = pool.get('sale.sale')
        Line = pool.get('sale.line')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        from sql.aggregate import Avg
        sale, line = Sale.__table__(), Line.__table__()
        product, template = Product.__table__(), Template.__table__()
        cursor = Transaction().connection.cursor()
        ratings = {m.id: None for m in merchants}
        counts = {m.id: 0 for m in merchants}
        ids = [m.id for m in merchants]
        # one row per (merchant, sale), then average per merchant
        pairs = line.join(sale, condition=line.sale == sale.id
            ).join(product, condition=line.product == product.id
            ).join(template, condition=product.template == template.id
            ).select(template.eshop_merchant.as_('merchant'),
                sale.id.as_('sale'), sale.eshop_rating.as_('rating'),
                where=template.eshop_merchant.in_(ids)
                & (sale.eshop_rating != Null),
                group_by=[template.eshop_merchant, sale.id,
                    sale.eshop_rating])
        cursor.execute(*pairs.select(
                pairs.merchant, Avg(pairs.rating), Count(),
                group_by=[pairs.merchant]))
        for merchant, avg, count in cursor:
            ratings[merchant] = Decimal(str(avg)).quantize(Decimal('0.1'))
            counts[merchant] = count
        result = {}
        if 'rating' in names:
            result['rating'] = ratings
        if 'rating_count' in names:
            result['rating_count'] = counts
        return result

    @classmethod
    def validate_fields(cls, merchants, field_names):
        super().validate_fields(merchants, field_names)
        if field_names and 'commission_rate' not in field_names:
            return
        for merchant in merchants:
            if not (0 <= (merchant.commission_rate or 0) <= 1):
                raise MerchantValidationError(gettext(
                        'pm_eshop.msg_merchant_commission_rate',
                        merchant=merchant.rec_name))
