# This file is part of the pm suite (物业管理系统). See README.md.
import datetime as dt
import re
import unittest
from contextlib import contextmanager
from decimal import Decimal

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.pm_iso9000.document import (
    add_months, domain_fields_error, format_number)
from trytond.modules.pm_iso9000.exceptions import (
    AttachmentError, CapaError, CapaValidationError, DocumentError,
    DocumentModifyError, NonconformityError, RecordDomainError)
from trytond.modules.pm_iso9000.library import (
    LibraryFormatError, parse_document, parse_domain, sort_key,
    starter_documents)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

TODAY = dt.date.today()
DAY = dt.timedelta(days=1)

PROCEDURE_SECTIONS = ['目的', '适用范围', '职责', '工作程序', '相关记录', '附则']


@contextmanager
def savepoint():
    "Undo the database changes of a failing operation"
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    cursor.execute('SAVEPOINT pm_iso9000_test')
    try:
        yield
    except Exception:
        cursor.execute('ROLLBACK TO SAVEPOINT pm_iso9000_test')
        transaction.cache.clear()
        raise
    else:
        cursor.execute('RELEASE SAVEPOINT pm_iso9000_test')


class StarterLibraryTestCase(unittest.TestCase):
    "The texts of the starter library"

    @classmethod
    def setUpClass(cls):
        cls.documents = starter_documents()
        cls.by_code = {d['code']: d for d in cls.documents}

    def test_count_and_types(self):
        "At least 25 documents of every type, a long quality manual"
        self.assertGreaterEqual(len(self.documents), 25)
        types = {d['type'] for d in self.documents}
        self.assertEqual(types, {
                'manual', 'procedure', 'instruction', 'form', 'external',
                'company', 'regulation'})
        manual = self.by_code['QM-01']
        self.assertEqual(manual['type'], 'manual')
        self.assertGreater(len(manual['body']), 6000)
        self.assertIn('质量方针', manual['body'])
        self.assertIn('质量目标', manual['body'])

    def test_required_procedures(self):
        "The procedures the issue lists are in the library"
        titles = ' '.join(
            d['title'] for d in self.documents
            if d['type'] in {'procedure', 'instruction'})
        for topic in ['报修', '投诉', '收费', '巡更', '设备', '电梯', '消防',
                '清洁', '绿化', '装修', '入伙', '档案', '满意度', '内部审核',
                '纠正措施']:
            with self.subTest(topic=topic):
                self.assertIn(topic, titles)

    def test_procedure_structure(self):
        "Each procedure has its sections and time limits in its steps"
        procedures = [d for d in self.documents if d['type'] == 'procedure']
        self.assertGreaterEqual(len(procedures), 15)
        for document in procedures:
            with self.subTest(code=document['code']):
                self.assertTrue(document['code'].startswith('QP-'))
                position = -1
                for section in PROCEDURE_SECTIONS:
                    found = document['body'].find(section, position + 1)
                    self.assertGreater(found, position, section)
                    position = found
                self.assertTrue(document['department'])
        repair = self.by_code['QP-8.5-01']['body']
        self.assertIn('30 分钟内', repair)
        self.assertIn('24 小时内', repair)

    def test_instructions_have_steps(self):
        for document in self.documents:
            if document['type'] != 'instruction':
                continue
            with self.subTest(code=document['code']):
                self.assertTrue(document['code'].startswith('WI-'))
                self.assertRegex(document['body'], r'步骤 1|3\.1|1\. ')

    def test_evidences(self):
        "Procedures name their evidence models with valid domains"
        repair = self.by_code['QP-8.5-01']
        self.assertEqual(
            [e[0] for e in repair['evidences']],
            ['pm.work_order', 'pm.complaint'])
        capa = self.by_code['QP-10.2-01']
        self.assertEqual(
            [e[0] for e in capa['evidences']],
            ['pm.iso.nonconformity', 'pm.iso.capa'])
        for document in self.documents:
            for model, label, domain in document['evidences']:
                self.assertRegex(model, r'^[a-z_]+(\.[a-z_]+)+$')
                self.assertTrue(label)
                self.assertIsInstance(parse_domain(domain), list)

    def test_codes_order(self):
        codes = [d['code'] for d in self.documents]
        self.assertEqual(codes[0], 'QM-01')
        self.assertLess(codes.index('QP-8.5-10'), codes.index('QP-9.1-01'))
        self.assertLess(codes.index('QP-9.3-01'), codes.index('QP-10.2-01'))
        self.assertLess(sort_key('QP-8.5-02'), sort_key('QP-8.5-10'))
        self.assertLess(sort_key('QP-10.2-01'), sort_key('WI-AB-01'))

    def test_parse_errors(self):
        with self.assertRaises(LibraryFormatError):
            parse_document('# no header')
        with self.assertRaises(LibraryFormatError):
            parse_document('---\ncode: X\ntitle: Y\n---\nbody')
        with self.assertRaises(LibraryFormatError):
            parse_document('---\ncode: X\ntitle: Y\ntype: novel\n---\n')
        with self.assertRaises(LibraryFormatError):
            parse_document('---\ncode: X\ncolour: red\n---\n')
        document = parse_document(
            '---\ncode: X-1\ntitle: 测试\ntype: form\n'
            'evidence: pm.iso.capa\n---\n正文\n')
        self.assertEqual(document['evidences'], [
                ('pm.iso.capa', 'pm.iso.capa', '')])
        self.assertEqual(document['review_months'], 12)
        self.assertEqual(document['body'], '正文\n')

    def test_parse_domain(self):
        self.assertEqual(parse_domain(''), [])
        self.assertEqual(
            parse_domain("[('state', '=', 'done')]"),
            [('state', '=', 'done')])
        self.assertEqual(
            parse_domain("('state', '=', 'done')"),
            [('state', '=', 'done')])
        self.assertEqual(
            parse_domain("['OR', ('a', '=', 1), [('b', '>', 2)]]"),
            ['OR', ('a', '=', 1), [('b', '>', 2)]])
        for text in ["__import__('os')", "[('a',)]", "{'a': 1}",
                "[('a', '=', 1)", "[1, 2]"]:
            with self.subTest(text=text):
                with self.assertRaises(ValueError):
                    parse_domain(text)

    def test_format_number(self):
        self.assertEqual(format_number(Decimal('50.00')), '50')
        self.assertEqual(format_number(Decimal('66.666')), '66.67')
        self.assertEqual(format_number(Decimal('1.50')), '1.5')
        self.assertEqual(format_number(None), '-')

    def test_add_months(self):
        self.assertEqual(
            add_months(dt.date(2026, 1, 31), 1), dt.date(2026, 2, 28))
        self.assertEqual(
            add_months(dt.date(2026, 3, 15), 12), dt.date(2027, 3, 15))
        self.assertIsNone(add_months(None, 12))


class PmIso9000TestCase(CompanyTestMixin, ModuleTestCase):
    "Test pm_iso9000 module"
    module = 'pm_iso9000'

    def _employee(self, company, name, department=None):
        pool = Pool()
        Party = pool.get('party.party')
        Employee = pool.get('company.employee')
        party, = Party.create([{'name': name}])
        employee, = Employee.create([{
                    'party': party.id,
                    'company': company.id,
                    'department': department.id if department else None,
                    }])
        return employee

    @with_transaction()
    def test_load_starter_library(self):
        "The library loads once, with evidences of the models present"
        pool = Pool()
        Document = pool.get('pm.iso.document')
        Department = pool.get('pm.department')
        company = create_company()
        with set_company(company):
            quality, = Department.create([{
                        'name': "品质部", 'code': 'PZ',
                        'company': company.id}])
            created = Document.load_starter_library()
            count = len(starter_documents())
            self.assertEqual(len(created), count)
            self.assertTrue(all(d.state == 'published' for d in created))
            self.assertEqual(Document.load_starter_library(), [])
            self.assertEqual(
                Document.search([], count=True), count)

            manual, = Document.search([('code', '=', 'QM-01')])
            self.assertEqual(manual.department, quality)
            self.assertEqual(manual.version, 1)
            self.assertEqual(manual.next_review_date, add_months(TODAY, 12))
            capa_procedure, = Document.search([('code', '=', 'QP-10.2-01')])
            self.assertEqual(
                [r.model.name for r in capa_procedure.records],
                ['pm.iso.nonconformity', 'pm.iso.capa'])
            # the indicators of pm_hr (a dependency) are read too
            review, = Document.search([('code', '=', 'QP-9.3-01')])
            meeting, = [r for r in review.records
                if r.model.name == 'pm.hr.meeting.action']
            self.assertTrue(meeting.has_kpis)
            # pm_maintenance is not activated: no evidence, no failure
            repair, = Document.search([('code', '=', 'QP-8.5-01')])
            self.assertEqual(repair.records, ())
            self.assertIsNone(repair.kpi_text)
            self.assertIn('纠正措施', capa_procedure.kpi_text)

            # A deleted document comes back, the others are not duplicated
            Document.write([repair], {'state': 'draft'})
            Document.delete([repair])
            again = Document.load_starter_library(state='draft')
            self.assertEqual([d.code for d in again], ['QP-8.5-01'])
            self.assertEqual(again[0].state, 'draft')

    @with_transaction()
    def test_document_versions(self):
        "A new version supersedes the published one, which becomes frozen"
        pool = Pool()
        Document = pool.get('pm.iso.document')
        Attachment = pool.get('ir.attachment')
        company = create_company()
        with set_company(company):
            author = self._employee(company, "作者")
            reviewer = self._employee(company, "审核人")
            approver = self._employee(company, "批准人")
            document, = Document.create([{
                        'type': 'procedure',
                        'code': 'QP-T-01',
                        'title': "测试程序",
                        'body': "正文",
                        'author': author.id,
                        'review_months': 6,
                        }])
            self.assertEqual(document.rec_name, 'QP-T-01 测试程序 (V1)')
            with self.assertRaises(DocumentError), savepoint():
                Document.submit([document])
            document = Document(document.id)
            Document.write([document], {
                    'reviewers': [('add', [reviewer.id])],
                    'approver': approver.id,
                    })
            Attachment.create([{
                        'name': '程序.docx', 'resource': str(document),
                        'data': b'docx'}])
            with self.assertRaises(AttachmentError), savepoint():
                Attachment.create([{
                            'name': 'tool.exe', 'resource': str(document),
                            'data': b'exe'}])
            document = Document(document.id)
            Document.submit([document])
            Document.approve([document])
            self.assertEqual(document.approved_by, approver)
            Document.publish([document])
            self.assertEqual(document.state, 'published')
            self.assertEqual(document.effective_date, TODAY)
            self.assertEqual(document.next_review_date, add_months(TODAY, 6))
            self.assertEqual(document.attachment_count, 1)

            with self.assertRaises(DocumentModifyError), savepoint():
                Document.write([document], {'body': "改动"})
            with self.assertRaises(DocumentModifyError), savepoint():
                Document.delete([document])
            document = Document(document.id)

            second, = Document.create_new_versions([document])
            self.assertEqual(second.version, 2)
            self.assertEqual(second.state, 'draft')
            self.assertEqual(second.previous_version, document)
            self.assertEqual(second.reviewers, (reviewer,))
            self.assertEqual(second.attachment_count, 1)
            with self.assertRaises(DocumentError), savepoint():
                Document.create_new_versions([document])
            document, second = Document.browse([document.id, second.id])
            Document.write([second], {'body': "第二版正文"})
            Document.submit([second])
            Document.approve([second])
            Document.publish([second])
            document = Document(document.id)
            self.assertEqual(document.state, 'obsolete')
            self.assertEqual(document.superseded_by, second)
            self.assertEqual(document.obsolete_date, TODAY)
            self.assertEqual(
                list(second.revisions), [second, document])
            self.assertEqual(
                Document.search([
                        ('code', '=', 'QP-T-01'),
                        ('state', '=', 'published')]),
                [second])

            # duplicating gives a document of its own
            copy, = Document.copy([second])
            self.assertEqual(
                (copy.code, copy.version, copy.state),
                ('QP-T-01-COPY', 1, 'draft'))

    @with_transaction()
    def test_check_review(self):
        "The daily task flags the documents due for their periodic review"
        pool = Pool()
        Document = pool.get('pm.iso.document')
        company = create_company()
        with set_company(company):
            soon, later = Document.create([{
                        'code': 'A', 'title': "A", 'state': 'published',
                        'next_review_date': TODAY + 20 * DAY,
                        }, {
                        'code': 'B', 'title': "B", 'state': 'published',
                        'next_review_date': TODAY + 40 * DAY,
                        }])
            self.assertEqual(Document.check_review(TODAY), [soon])
            self.assertTrue(soon.review_due)
            self.assertFalse(later.review_due)
            Document.check_review(TODAY + 15 * DAY)
            self.assertTrue(Document(later.id).review_due)
            Document.confirm_review([soon])
            soon = Document(soon.id)
            self.assertFalse(soon.review_due)
            self.assertEqual(soon.next_review_date, add_months(TODAY, 12))
            Document.check_review(TODAY)
            self.assertFalse(Document(soon.id).review_due)
            self.assertFalse(Document(later.id).review_due)

    @with_transaction()
    def test_capa_kpis_and_overdue(self):
        "The on-time rate of corrective actions and the overdue flag"
        pool = Pool()
        Nonconformity = pool.get('pm.iso.nonconformity')
        Capa = pool.get('pm.iso.capa')
        company = create_company()
        with set_company(company):
            owner = self._employee(company, "责任人")
            nc, = Nonconformity.create([{
                        'date': TODAY - 30 * DAY,
                        'description': "巡更漏巡",
                        'cause': "排班不足",
                        }])
            self.assertTrue(nc.number.startswith('NC'))
            with self.assertRaises(CapaValidationError), savepoint():
                Capa.create([{
                            'nonconformity': nc.id,
                            'description': "x", 'owner': owner.id,
                            'due_date': TODAY - 40 * DAY}])
            on_time, late, open_ = Capa.create([{
                        'nonconformity': nc.id, 'description': "补充人员",
                        'owner': owner.id, 'due_date': TODAY - 10 * DAY,
                        }, {
                        'nonconformity': nc.id, 'description': "培训",
                        'owner': owner.id, 'due_date': TODAY - 5 * DAY,
                        }, {
                        'nonconformity': nc.id, 'description': "考核",
                        'owner': owner.id, 'due_date': TODAY - 1 * DAY,
                        }])
            Capa.confirm([on_time, late, open_])
            with self.assertRaises(CapaError), savepoint():
                Capa.complete([on_time])
            on_time, late, open_ = Capa.browse([on_time, late, open_])
            Capa.write([on_time], {
                    'result': "已补充", 'done_date': TODAY - 12 * DAY})
            Capa.write([late], {'result': "已培训"})
            Capa.complete([on_time, late])
            self.assertEqual(late.done_date, TODAY)
            self.assertEqual(late.days_overdue, 5)

            def kpis():
                return {k['code']: k for k in Capa.iso_kpis(
                        TODAY - 365 * DAY, TODAY)}
            values = kpis()
            self.assertEqual(values['capa_count']['value'], 3)
            self.assertEqual(
                values['capa_on_time_rate']['value'], Decimal('33.33'))
            self.assertEqual(values['capa_on_time_rate']['count'], 3)
            self.assertEqual(values['capa_overdue']['value'], 1)
            self.assertIsNone(values['capa_effective_rate']['value'])

            self.assertEqual(Capa.check_overdue(TODAY), [open_])
            self.assertTrue(open_.overdue)
            self.assertFalse(late.overdue)
            # seen from a week earlier, nothing was overdue yet
            Capa.check_overdue(TODAY - 7 * DAY)
            self.assertFalse(Capa(open_.id).overdue)

            with self.assertRaises(NonconformityError), savepoint():
                Nonconformity.close([nc])
            on_time, late, open_ = Capa.browse([on_time, late, open_])
            Capa.verify([on_time, late])
            Capa.cancel([open_])
            self.assertEqual(Nonconformity(nc.id).state, 'open')
            values = kpis()
            self.assertEqual(
                values['capa_effective_rate']['value'], Decimal(100))
            # the last action verified closes the nonconformity
            Capa.draft([open_])
            Capa.confirm([open_])
            Capa.write([open_], {'result': "已考核"})
            Capa.complete([open_])
            Capa.verify([open_])
            self.assertEqual(Nonconformity(nc.id).state, 'closed')
            self.assertEqual(
                {k['code']: k['value'] for k in Nonconformity.iso_kpis(
                        TODAY - 365 * DAY, TODAY)}[
                    'nonconformity_closure_rate'],
                Decimal(100))

    @with_transaction()
    def test_record_domain(self):
        "The filter of a quality record is a valid domain of its model"
        pool = Pool()
        Document = pool.get('pm.iso.document')
        Record = pool.get('pm.iso.record')
        IrModel = pool.get('ir.model')
        Capa = pool.get('pm.iso.capa')
        company = create_company()
        with set_company(company):
            document, = Document.create([{'code': 'R', 'title': "R"}])
            model, = IrModel.search([('name', '=', 'pm.iso.capa')])
            record, = Record.create([{
                        'document': document.id, 'label': "纠正措施",
                        'model': model.id,
                        'domain': "[('state', '=', 'open')]"}])
            self.assertEqual(record.record_count, 0)
            self.assertTrue(record.has_kpis)
            for domain in ["[('colour', '=', 'red')]", "[('state' '=')]"]:
                with self.subTest(domain=domain):
                    with self.assertRaises(RecordDomainError), savepoint():
                        Record.write([record], {'domain': domain})
            record = Record(record.id)
            self.assertEqual(
                domain_fields_error(Capa, [('owner.name', '=', 'x')]), None)
            self.assertEqual(
                domain_fields_error(Capa, ['OR', [('foo', '=', 1)]]), 'foo')
            action = record.get_action({})
            self.assertEqual(action['res_model'], 'pm.iso.capa')
            self.assertIn('open', action['pyson_domain'])
            self.assertTrue(re.match(r'纠正措施 \(R\)', action['name']))


del ModuleTestCase
