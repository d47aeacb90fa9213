"""Demo data of pm_iso9000 (质量管理): the starter library and its use.

Called by demo/load.py inside the demo transaction, after the HR demo (which
creates the departments), with the company and zh_CN in the context:

* the departments the library names and HR does not create (品质部, 财务部);
* the starter library (标准文件库: quality manual, procedures, work
  instructions, forms, regulations) published half a year ago, so that the
  periodic review of some documents (法规清单, reviewed every 6 months) is
  due — the daily reminder is run once;
* a revision: 报修处理程序 version 2 published a month ago supersedes
  version 1 (obsolete, read-only), and version 2 of 收费管理程序 in review;
* the distribution of the new repair procedure to the customer service and
  engineering departments: most employees confirmed they read it, the
  others are the list of who has not (some past the reading date);
* an internal audit done two months ago (checklist from the procedures,
  findings turned into nonconformities) and the next one planned;
* nonconformities and corrective actions: closed on time, to verify, in
  progress and overdue — the daily overdue check is run once.
"""
import datetime as dt

DAY = dt.timedelta(days=1)

# departments named by the library that the HR demo does not create
DEPARTMENTS = [('PZ', '品质部'), ('CW', '财务部')]

REPAIR_V2_NOTE = """

## 附：第 2 版修订说明

1. 4.1.1 增加业主线上平台（小程序）报修渠道，线上报修由系统自动生成工单；
2. 4.2 紧急报修夜间到场时限由 30 分钟缩短为 20 分钟；
3. 4.5.1 回访可采用线上评价方式，业主线上评价视同回访；
4. 4.6 增加"同一房屋 30 天内重复报修"统计，由系统每日提示。
"""

BILLING_V2_NOTE = """

## 附：第 2 版修订说明（审核中）

1. 4.4.1 增加银行托收和线上缴费的对账要求：每日核对到账明细；
2. 4.5 催缴增加线上提醒，欠费满 15 日自动推送缴费通知。
"""


class IsoLoader:

    def __init__(self, loader):
        self.loader = loader
        self.rng = loader.rng
        self.today = loader.today
        self.company = loader.company

    def get(self, name):
        return self.loader.get(name)

    def run(self):
        for step in [self.create_departments, self.load_library,
                self.revise_documents, self.distribute, self.audit,
                self.corrective_actions]:
            timed = getattr(self.loader, 'timed', None)
            if timed:
                timed(step)
            else:
                step()

    # --- helpers -------------------------------------------------------
    def employees(self):
        "The employees of the company by name"
        Employee = self.get('company.employee')
        result = {}
        for employee in Employee.search([
                    ('company', '=', self.company.id)],
                order=[('id', 'ASC')]):
            result.setdefault(employee.party.name, employee)
        return result

    def employee(self, name, fallback=0):
        employees = self.staff
        if name in employees:
            return employees[name]
        values = list(employees.values())
        return values[fallback % len(values)] if values else None

    def department(self, code):
        Department = self.get('pm.department')
        departments = Department.search([
                ('company', '=', self.company.id), ('code', '=', code)])
        return departments[0] if departments else None

    # --- steps ---------------------------------------------------------
    def create_departments(self):
        Department = self.get('pm.department')
        root = self.department('JH')
        to_create = []
        for code, name in DEPARTMENTS:
            if self.department(code):
                continue
            to_create.append({
                    'company': self.company.id,
                    'code': code,
                    'name': name,
                    'parent': root.id if root else None,
                    })
        if to_create:
            Department.create(to_create)
        self.staff = self.employees()

    def load_library(self):
        Document = self.get('pm.iso.document')
        published = self.today - 180 * DAY
        self.library = Document.load_starter_library(
            state='published', company=self.company.id, date=published)
        manager = self.employee('李秀英')
        if manager and self.library:
            Document.write(self.library, {
                    'approved_by': manager.id,
                    'published_by': manager.id,
                    })
        due = Document.check_review(self.today)
        self.loader.counts['受控文件 controlled documents'] = len(
            self.library)
        self.loader.counts['  - review due'] = len(due)

    def revise_documents(self):
        Document = self.get('pm.iso.document')
        manager = self.employee('李秀英')
        engineer = self.employee('张建国', 1)
        service = self.employee('陈静', 2)
        finance = self.employee('周敏', 3)
        by_code = {d.code: d for d in Document.search([
                    ('company', '=', self.company.id),
                    ('state', '=', 'published'),
                    ('code', 'in', ['QP-8.5-01', 'QP-8.5-02']),
                    ])}
        self.repair = by_code.get('QP-8.5-01')
        if self.repair and manager and engineer:
            v1 = self.repair
            v2, = Document.create_new_versions([v1])
            Document.write([v2], {
                    'body': v2.body + REPAIR_V2_NOTE,
                    'author': service.id if service else None,
                    'reviewers': [('add', [engineer.id])],
                    'approver': manager.id,
                    })
            Document.submit([v2])
            Document.approve([v2])
            Document.publish([v2])
            published = self.today - 30 * DAY
            Document.write([v2], {
                    'approved_date': published - 2 * DAY,
                    'published_date': published,
                    'published_by': manager.id,
                    'effective_date': published,
                    'last_review_date': published,
                    'next_review_date': published.replace(
                        year=published.year + 1),
                    })
            Document.write([Document(v1.id)], {'obsolete_date': published})
            self.repair = Document(v2.id)
        billing = by_code.get('QP-8.5-02')
        if billing and manager and finance:
            v2, = Document.create_new_versions([billing])
            Document.write([v2], {
                    'body': v2.body + BILLING_V2_NOTE,
                    'author': finance.id,
                    'reviewers': [('add', [
                                e.id for e in [service, engineer]
                                if e and e != manager])],
                    'approver': manager.id,
                    'review_comment': "4.5 自动推送前应先确认账单无争议。",
                    })
            Document.submit([v2])
        self.loader.counts['  - new versions'] = 2

    def distribute(self):
        Distribution = self.get('pm.iso.distribution')
        Ack = self.get('pm.iso.acknowledgement')
        if not self.repair:
            return
        departments = [d for d in [self.department('KF'),
                self.department('GC')] if d]
        if not departments:
            return
        sent = self.today - 10 * DAY
        distribution, = Distribution.create([{
                    'company': self.company.id,
                    'document': self.repair.id,
                    'date': sent,
                    'due_date': sent + 3 * DAY,
                    'departments': [('add', [d.id for d in departments])],
                    'include_subdepartments': True,
                    'note': "请各岗位人员认真学习第 2 版修订内容。",
                    }])
        Distribution.send([distribution])
        acks = Ack.search([('distribution', '=', distribution.id)],
            order=[('id', 'ASC')])
        to_write = []
        for ack in acks:
            if self.rng.random() < 0.7:
                read = dt.datetime.combine(
                    sent + self.rng.randint(0, 5) * DAY,
                    dt.time(self.rng.randint(8, 18), self.rng.randint(0, 59)))
                to_write.extend([[ack], {'state': 'read', 'read_date': read}])
        if to_write:
            Ack.write(*to_write)
        unread = Ack.search([
                ('distribution', '=', distribution.id),
                ('state', '=', 'pending')], count=True)
        self.loader.counts['阅读确认 acknowledgements'] = len(acks)
        self.loader.counts['  - not read'] = unread

    def audit(self):
        Audit = self.get('pm.iso.audit')
        Line = self.get('pm.iso.audit.line')
        lead = self.employee('周敏', 3)
        auditor = self.employee('刘洋', 5)
        departments = [d for d in [self.department('KF'),
                self.department('GC')] if d]
        if not lead:
            return
        done, planned = Audit.create([{
                    'company': self.company.id,
                    'name': f'{(self.today - 60 * DAY).year} 年度第一次内部审核',
                    'planned_date': self.today - 60 * DAY,
                    'scope': "客服中心、工程部的报修、投诉、装修、入伙、"
                    "设备维护保养过程",
                    'lead_auditor': lead.id,
                    'auditors': [('add', [auditor.id])] if auditor else [],
                    'departments': [('add', [d.id for d in departments])],
                    }, {
                    'company': self.company.id,
                    'name': f'{(self.today + 30 * DAY).year} 年度第二次内部审核',
                    'planned_date': self.today + 30 * DAY,
                    'scope': "全部部门、全部条款",
                    'lead_auditor': lead.id,
                    }])
        Audit.fill_checklist([done])
        Audit.start([done])
        lines = Line.search([('audit', '=', done.id)],
            order=[('sequence', 'ASC'), ('id', 'ASC')])
        findings = {
            'QP-8.5-01': ('minor',
                "抽查 20 张报修工单，3 张超过 30 分钟才派工，"
                "夜间值班人员不足。"),
            'QP-8.5-09': ('minor',
                "2 户装修未见防水闭水试验记录。"),
            'WI-KF-02': ('observation',
                "投诉回访记录中满意度栏填写不完整。"),
            }
        to_write = []
        for line in lines:
            result, evidence = findings.get(
                line.clause, ('conform', "查阅系统记录和现场询问，符合要求。"))
            to_write.extend([[line], {'result': result, 'evidence': evidence}])
        if to_write:
            Line.write(*to_write)
        Audit.done([done])
        date = self.today - 58 * DAY
        Audit.write([done], {
                'start_date': self.today - 60 * DAY,
                'done_date': date,
                'conclusion': "质量管理体系基本符合标准要求并有效运行；"
                "报修响应和装修过程控制需要改进。",
                })
        nonconformities = list(Audit(done.id).nonconformities)
        if nonconformities:
            self.get('pm.iso.nonconformity').write(
                nonconformities, {'date': date})
        self.audit_nonconformities = nonconformities
        self.loader.counts['内部审核 internal audits'] = 2

    def corrective_actions(self):
        Nonconformity = self.get('pm.iso.nonconformity')
        Capa = self.get('pm.iso.capa')
        engineer = self.employee('张建国', 1)
        service = self.employee('陈静', 2)
        quality = self.employee('周敏', 3)
        guard = self.employee('刘洋', 5)
        if not (engineer and service):
            return
        complaint, = Nonconformity.create([{
                    'company': self.company.id,
                    'date': self.today - 25 * DAY,
                    'source': 'complaint',
                    'severity': 'minor',
                    'department': (self.department('ZX').id
                        if self.department('ZX') else None),
                    'description': "业主投诉地下车库夜间巡更漏巡，"
                    "车辆被刮未及时发现。",
                    'correction': "调取监控，联系车主说明情况并致歉。",
                    'cause': "夜班巡更路线过长，单人无法按时完成。",
                    }])
        findings = {n.clause: n for n in getattr(
                self, 'audit_nonconformities', [])}
        repair = findings.get('QP-8.5-01')
        decoration = findings.get('QP-8.5-09')
        observation = findings.get('WI-KF-02')
        capas = []
        if repair:
            Nonconformity.write([repair], {
                    'cause': "夜间只安排 1 名值班电工，"
                    "同时发生两处报修时无法兼顾。"})
            capas += [{
                    'nonconformity': repair.id,
                    'description': "夜间增设 1 名值班维修工，修订排班表。",
                    'owner': engineer.id,
                    'due_date': self.today - 40 * DAY,
                    'done_date': self.today - 45 * DAY,
                    'result': "已增设，排班表已更新并公示。",
                    '_state': 'verified',
                    }, {
                    'nonconformity': repair.id,
                    'description': "修订报修处理程序，缩短夜间到场时限。",
                    'owner': service.id,
                    'due_date': self.today - 28 * DAY,
                    'done_date': self.today - 30 * DAY,
                    'result': "QP-8.5-01 第 2 版已发布。",
                    '_state': 'verified',
                    }]
        if decoration:
            Nonconformity.write([decoration], {
                    'cause': "装修巡查作业指导书未规定闭水试验的检查节点。"})
            capas += [{
                    'nonconformity': decoration.id,
                    'description': "装修巡查表增加闭水试验检查项，"
                    "对在装修户逐户复查。",
                    'owner': engineer.id,
                    'due_date': self.today - 10 * DAY,
                    'done_date': self.today - 3 * DAY,
                    'result': "已复查 12 户，补做闭水试验 2 户。",
                    '_state': 'done',
                    }]
        if observation:
            Nonconformity.close([observation])
        capas += [{
                'nonconformity': complaint.id,
                'description': "地下车库巡更路线拆分为两条，夜班增加 1 人。",
                'owner': (guard or service).id,
                'due_date': self.today - 5 * DAY,
                '_state': 'open',
                }, {
                'nonconformity': complaint.id,
                'description': "车库补装 4 个监控摄像头，消除盲区。",
                'owner': engineer.id,
                'due_date': self.today + 20 * DAY,
                '_state': 'open',
                }]
        states = [c.pop('_state') for c in capas]
        records = Capa.create([dict(c, company=self.company.id)
                for c in capas])
        Capa.confirm(records)
        to_complete = [r for r, s in zip(records, states)
            if s in {'done', 'verified'}]
        Capa.complete(to_complete)
        to_verify = [r for r, s in zip(records, states) if s == 'verified']
        if to_verify and quality:
            Capa.verify(to_verify)
            Capa.write(to_verify, {
                    'verified_by': quality.id,
                    'verification_date': self.today - 20 * DAY,
                    'verification_note': "抽查近两周夜间报修，"
                    "均在 30 分钟内派工，措施有效。",
                    })
        overdue = Capa.check_overdue(self.today)
        self.loader.counts['不合格项 nonconformities'] = Nonconformity.search(
            [('company', '=', self.company.id)], count=True)
        self.loader.counts['纠正措施 corrective actions'] = len(records)
        self.loader.counts['  - overdue'] = len(overdue)
        kpis = {k['code']: k for k in Capa.iso_kpis(
                self.today - 365 * DAY, self.today)}
        rate = kpis['capa_on_time_rate']['value']
        if rate is not None:
            self.loader.notes.append(
                f'QP-10.2-01 纠正措施按期完成率 {rate}%'
                f'（{kpis["capa_on_time_rate"]["count"]} 项到期）')


def load(loader):
    IsoLoader(loader).run()
