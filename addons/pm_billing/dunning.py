# This file is part of the pm suite (物业管理系统). See README.md.
"""Dunning 催缴 through Tryton's account_dunning.

The receivable line of a posted bill carries the party and the due date as
maturity date, so Tryton's dunning procedures work on bills as they are:
"Create Dunnings" gives a dunning per overdue bill and level (催缴通知,
二次催缴, 律师函 …). Each level has the wording of its notice; the notice
prints one page per party and unit with the bills owed and the total in
Chinese capitals, and processing the dunnings e-mails the notice to the
parties with an e-mail address when the level says so.
"""
import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal
from email.message import EmailMessage

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.report import Report
from trytond.sendmail import sendmail_transactional
from trytond.config import config
from trytond.transaction import Transaction

logger = logging.getLogger(__name__)
ZERO = Decimal(0)


class Level(metaclass=PoolMeta):
    __name__ = 'account.dunning.level'

    pm_name = fields.Char(
        "Notice Title", translate=True,
        help="The title of the notice (催缴通知单, 律师函 …).")
    pm_notice = fields.Text(
        "Notice Text", translate=True,
        help="The wording of the dunning notice of this level "
        "(催缴通知, 律师函 …).")
    pm_email = fields.Boolean(
        "Send by E-mail",
        help="Processing a dunning of this level e-mails the notice to "
        "the party when it has an e-mail address.")


class Dunning(metaclass=PoolMeta):
    __name__ = 'account.dunning'

    pm_bill = fields.Function(
        fields.Many2One('pm.bill', "Bill"), 'get_pm_bill')
    pm_unit = fields.Function(
        fields.Many2One('pm.unit', "Unit"), 'get_pm_unit')
    pm_emailed = fields.DateTime("E-mailed", readonly=True)

    def get_pm_bill(self, name):
        Bill = Pool().get('pm.bill')
        origin = self.line.origin if self.line else None
        if isinstance(origin, Bill):
            return origin.id
        move_origin = self.line.move.origin if self.line else None
        if isinstance(move_origin, Bill):
            return move_origin.id

    def get_pm_unit(self, name):
        return self.pm_bill.unit.id if self.pm_bill else None

    @classmethod
    def process(cls, dunnings):
        super().process(dunnings)
        cls.pm_send_emails([d for d in dunnings
                if d.state == 'waiting' and d.level.pm_email
                and not d.pm_emailed])

    @classmethod
    def pm_send_emails(cls, dunnings):
        "E-mail one notice per party, unit and level; return the dunnings"
        pool = Pool()
        Notice = pool.get('pm.dunning.notice', type='report')
        groups = defaultdict(list)
        for dunning in dunnings:
            email = dunning.party.email if dunning.party else None
            if email:
                groups[(dunning.party, dunning.pm_unit, dunning.level)
                    ].append(dunning)
        sent = []
        from_ = config.get('email', 'from')
        for (party, unit, level), group in groups.items():
            msg = EmailMessage()
            msg['From'] = from_
            msg['To'] = party.email
            msg['Subject'] = gettext('pm_billing.msg_dunning_email_subject',
                level=level.pm_name or level.rec_name,
                unit=unit.rec_name if unit else party.rec_name)
            msg.set_content(Notice.render_text(group))
            sendmail_transactional(from_, [party.email], msg)
            sent.extend(group)
        if sent:
            cls.write(sent, {'pm_emailed': dt.datetime.now()})
        return sent


class DunningNotice(Report):
    "Dunning Notice"
    __name__ = 'pm.dunning.notice'

    @classmethod
    def groups(cls, dunnings):
        """[(party, unit, level, [(bill, unpaid)], total)] of the dunnings,
        one per party and unit at the highest level"""
        pool = Pool()
        Bill = pool.get('pm.bill')
        by_key = defaultdict(list)
        for dunning in dunnings:
            by_key[(dunning.party, dunning.pm_unit)].append(dunning)
        result = []
        for (party, unit), group in by_key.items():
            bills = [d.pm_bill for d in group if d.pm_bill]
            unpaid = Bill.get_unpaid_amount(bills) if bills else {}
            level = max((d.level for d in group),
                key=lambda l: l.sequence or 0)
            lines = [(b, unpaid[b.id]) for b in sorted(
                    bills, key=lambda b: (b.date_start, b.id))]
            if not bills:
                lines = [(None, d.amount) for d in group]
            result.append((party, unit, level, lines,
                    sum((a for _, a in lines), ZERO)))
        return result

    @classmethod
    def render_text(cls, dunnings):
        "The notice as plain text (e-mail)"
        from .words import amount_in_words
        lines = []
        for party, unit, level, bills, total in cls.groups(dunnings):
            lines.append('%s %s' % (party.rec_name,
                    unit.rec_name if unit else ''))
            lines.append(level.pm_name or level.rec_name)
            lines.append(level.pm_notice or '')
            for bill, amount in bills:
                if bill:
                    lines.append('  %s  %s ~ %s  %s' % (
                            bill.number, bill.date_start, bill.date_end,
                            amount))
            lines.append('%s (%s)' % (total, amount_in_words(total)))
        return '\n'.join(lines)

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        from .words import amount_in_words
        context = super().get_context(records, header, data)
        context['groups'] = cls.groups(records)
        context['words'] = amount_in_words
        context['today'] = pool.get('ir.date').today()
        company_id = Transaction().context.get('company')
        context['company'] = (pool.get('company.company')(company_id)
            if company_id is not None and company_id >= 0 else None)
        return context
