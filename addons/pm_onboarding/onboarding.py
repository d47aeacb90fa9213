# This file is part of the pm suite (物业管理系统). See README.md.
"""Onboarding batches 数据导入记录, the import wizard and the estate export."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import fileio, legacy
from .export import export_estate, history_sheets
from .importer import Importer
from .sheets import SHEETS

SOURCES = [
    ('xlsx', "Excel Workbook"),
    ('dbf', "Legacy DBF Tables"),
    ('archive', "Estate Archive (zip)"),
    ]


def read_source(source, data, mapping=None):
    "Return (rows, errors) of the file"
    if source == 'dbf':
        return legacy.read_tables(data, mapping)
    if source == 'archive':
        rows, errors, _ = fileio.read_archive(data)
        return rows, errors
    return fileio.read_workbook(data)


class Batch(ModelSQL, ModelView):
    __name__ = 'pm.onboarding.batch'
    __string__ = "Onboarding Batch"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    date = fields.Date("Opening Date", required=True, readonly=True,
        help="The accounting date of the opening balances.")
    source = fields.Selection(SOURCES, "Source", required=True,
        readonly=True)
    filename = fields.Char("File Name", readonly=True)
    file_ = fields.Binary("File", filename='filename', readonly=True)
    mapping = fields.Text("Mapping", readonly=True)
    state = fields.Selection([
            ('failed', "Failed"),
            ('done', "Done"),
            ], "State", required=True, readonly=True, sort=False)
    error_count = fields.Integer("Errors", readonly=True)
    error_report = fields.Binary(
        "Error Report", filename='error_report_name', readonly=True)
    error_report_name = fields.Char("Error Report Name", readonly=True)
    summary = fields.Text("Summary", readonly=True)
    created = fields.Integer("Created", readonly=True)
    updated = fields.Integer("Updated", readonly=True)
    unchanged = fields.Integer("Unchanged", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return '%s %s' % (self.filename or self.source, self.date)

    @classmethod
    def run(cls, company, source, data, date, filename=None, mapping=None):
        """Import the file; return the batch (failed with its error report
        when any row is wrong: then nothing else is written)"""
        rows, errors = read_source(source, data, mapping)
        batch = cls(company=company, source=source, date=date,
            filename=filename, file_=data, mapping=mapping)
        importer = Importer(company, date)
        if not errors:
            importer.validate(rows)
            errors = importer.errors
        if errors:
            batch.state = 'failed'
            batch.error_count = len(errors)
            batch.error_report = fileio.error_report(errors)
            batch.error_report_name = "导入错误报告.xlsx"
            batch.summary = '\n'.join(
                '%s %s %s: %s' % row for row in fileio.describe(errors[:200]))
            batch.save()
            return batch
        batch.state = 'done'
        batch.error_count = 0
        batch.save()
        importer.batch = batch
        importer.apply()
        lines, totals = [], [0, 0, 0]
        titles = {s.key: s.title for s in SHEETS}
        for key, (created, updated, unchanged) in importer.stats.items():
            if created or updated or unchanged:
                lines.append(gettext('pm_onboarding.msg_summary_line',
                        sheet=titles[key], created=created, updated=updated,
                        unchanged=unchanged))
            totals[0] += created
            totals[1] += updated
            totals[2] += unchanged
        batch.created, batch.updated, batch.unchanged = totals
        batch.summary = '\n'.join(lines)
        batch.save()
        return batch


class Configuration(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    opening_method = fields.Many2One(
        'pm.payment.method', "Opening Balance Method",
        domain=[('kind', '=', 'money')],
        help="The method (journal and account) the opening balances "
        "(期初) are posted with: its account is the opening-balance "
        "account, credited for arrears and debited for prepayments and "
        "deposits.")


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['pm.onboarding.batch']


class Deposit(metaclass=PoolMeta):
    __name__ = 'pm.deposit'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['pm.onboarding.batch']


class ImportStart(ModelView):
    __name__ = 'pm.onboarding.import.start'
    __string__ = "Import Data"

    company = fields.Many2One('company.company', "Company", readonly=True)
    source = fields.Selection(SOURCES, "Source", required=True)
    file_ = fields.Binary("File", required=True, filename='filename',
        help="The filled Excel template, a zip of the legacy DBF tables, or "
        "an estate archive.")
    filename = fields.Char("File Name")
    mapping = fields.Text("Mapping",
        states={
            'invisible': Eval('source') != 'dbf',
            'required': Eval('source') == 'dbf',
            },
        help="TOML: which legacy table and field feeds which sheet and "
        "column.")
    date = fields.Date("Opening Date", required=True,
        help="The accounting date of the opening balances (期初).")
    template = fields.Binary("Template", readonly=True,
        filename='template_name',
        help="Download the empty workbook, fill it and import it.")
    template_name = fields.Char("Template Name", readonly=True)


class ImportResult(ModelView):
    __name__ = 'pm.onboarding.import.result'
    __string__ = "Import Data Result"

    batch = fields.Many2One('pm.onboarding.batch', "Batch", readonly=True)
    state = fields.Selection([
            ('failed', "Failed"),
            ('done', "Done"),
            ], "State", readonly=True)
    summary = fields.Text("Summary", readonly=True)
    error_report = fields.Binary(
        "Error Report", filename='error_report_name', readonly=True)
    error_report_name = fields.Char("Error Report Name", readonly=True)


class Import(Wizard):
    __name__ = 'pm.onboarding.import'
    __string__ = "Import Data"

    start = StateView('pm.onboarding.import.start',
        'pm_onboarding.import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    result = StateView('pm.onboarding.import.result',
        'pm_onboarding.import_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        Date = Pool().get('ir.date')
        return {
            'company': Transaction().context.get('company'),
            'source': 'xlsx',
            'date': Date.today(),
            'template': fileio.template(),
            'template_name': "数据导入模板.xlsx",
            'mapping': legacy_example(),
            }

    def transition_import_(self):
        pool = Pool()
        Batch = pool.get('pm.onboarding.batch')
        Company = pool.get('company.company')
        company = self.start.company or Company(
            Transaction().context['company'])
        self.result.batch = Batch.run(company, self.start.source,
            self.start.file_, self.start.date,
            filename=self.start.filename, mapping=self.start.mapping)
        return 'result'

    def default_result(self, fields):
        batch = self.result.batch
        return {
            'batch': batch.id,
            'state': batch.state,
            'summary': batch.summary,
            'error_report': batch.error_report,
            'error_report_name': batch.error_report_name,
            }


def legacy_example():
    import os
    path = os.path.join(os.path.dirname(__file__), 'legacy',
        'siyuan_example.toml')
    with open(path, encoding='utf-8') as file_:
        return file_.read()


class ExportStart(ModelView):
    __name__ = 'pm.onboarding.export.start'
    __string__ = "Export Estate"

    company = fields.Many2One('company.company', "Company", readonly=True)
    estate = fields.Many2One('pm.estate', "Estate", required=True,
        domain=[('company', '=', Eval('company', -1))])


class ExportResult(ModelView):
    __name__ = 'pm.onboarding.export.result'
    __string__ = "Export Estate Result"

    estate = fields.Many2One('pm.estate', "Estate", readonly=True)
    workbook = fields.Binary("Excel", filename='workbook_name',
        readonly=True)
    workbook_name = fields.Char("Excel Name", readonly=True)
    archive = fields.Binary("Archive", filename='archive_name',
        readonly=True,
        help="A zip of JSON files that imports into another database.")
    archive_name = fields.Char("Archive Name", readonly=True)
    summary = fields.Text("Summary", readonly=True)


class Export(Wizard):
    __name__ = 'pm.onboarding.export'
    __string__ = "Export Estate"

    start = StateView('pm.onboarding.export.start',
        'pm_onboarding.export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'result', 'tryton-ok', default=True),
            ])
    result = StateView('pm.onboarding.export.result',
        'pm_onboarding.export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        context = Transaction().context
        values = {'company': context.get('company')}
        if context.get('active_model') == 'pm.estate' and context.get(
                'active_id'):
            values['estate'] = context['active_id']
        return values

    def default_result(self, fields):
        estate = self.start.estate
        workbook, archive, manifest = export_files(estate)
        stamp = dt.date.today().strftime('%Y%m%d')
        titles = {s.key: s.title for s in SHEETS}
        summary = [f'{titles[k]}: {v}'
            for k, v in manifest['counts'].items()]
        summary += [f'{titles[k]}: {v}'
            for k, v in manifest['balances'].items()]
        return {
            'estate': estate.id,
            'workbook': workbook,
            'workbook_name': f'{estate.code}-{stamp}.xlsx',
            'archive': archive,
            'archive_name': f'{estate.code}-{stamp}.zip',
            'summary': '\n'.join(summary),
            }


def export_files(estate):
    "Return (Excel bytes, archive bytes, manifest) of the estate"
    data, history, manifest = export_estate(estate)
    workbook = fileio.write_workbook(data, extra=history_sheets(history))
    archive = fileio.write_archive(data, manifest, extra=history)
    return workbook, archive, manifest

