"""Demo data of pm_maintenance: repairs and work orders, complaints,
equipment and preventive plans, decoration permits, violations, cleaning
and greening.

Called by demo/load.py inside the demo transaction, after the billing demo,
with the company and language zh_CN in the context:

* technicians with skills, the service levels, the repair charge items;
* materials received into the warehouse and issued to the repairs;
* repairs of the last 30 days in every state (done with a return visit,
  waiting for the visit, in progress, dispatched, pending, cancelled),
  some paid on the next bill, some late and escalated to the supervisor;
* complaints (closed after confirmation or timeout, answered, in progress);
* the equipment of the estates, their maintenance plans and the work
  orders generated from them (done, upcoming, one overdue);
* decoration permits waiting for review or for their deposit, violations;
* cleaning and greening crews, areas, schedules, two weeks of tasks and
  inspections.
"""
import datetime as dt
from decimal import Decimal

D = Decimal

TECHNICIANS = [
    # name, skill codes
    ('孙建军', ['PLUMBING', 'CIVIL']),
    ('刘德明', ['ELEVATOR']),
    ('赵立新', ['FIRE', 'LOW_VOLTAGE']),
    ('钱海波', ['PLUMBING', 'HVAC']),
    ]
REPAIRS = {
    'PLUMBING': [
        '卫生间水龙头漏水', '厨房下水管堵塞', '马桶水箱不停流水',
        '客厅插座没电', '卫生间灯不亮', '跳闸无法合闸', '热水器进水阀漏水'],
    'CIVIL': ['阳台墙面渗水', '卫生间地砖空鼓', '楼梯扶手松动'],
    'DOOR_WINDOW': ['入户门锁芯损坏', '窗户关不严漏风', '单元门闭门器失灵'],
    'ELEVATOR': ['电梯按钮失灵', '电梯运行异响', '电梯门开关缓慢'],
    'FIRE': ['楼道应急灯不亮', '消防栓箱门损坏'],
    'PUBLIC': ['小区路灯不亮', '单元门禁读卡失灵', '健身器材损坏'],
    }
COMMON_AREAS = ['1栋大堂', '2栋电梯厅', '地下车库B区', '中心花园', '小区东门岗亭']
WORK_DONE = {
    'PLUMBING': '更换配件，试水试电正常',
    'CIVIL': '清理基层后重新修补，已恢复',
    'DOOR_WINDOW': '更换五金件，开关顺畅',
    'ELEVATOR': '调整并润滑，试运行正常',
    'FIRE': '更换损坏部件，功能测试正常',
    'PUBLIC': '维修完成，已恢复使用',
    }
MATERIALS = [
    # name, cost, price, quantity received
    ('水龙头', '35.00', '60.00', 40),
    ('角阀', '12.00', '25.00', 60),
    ('LED灯管', '18.00', '30.00', 80),
    ('空气开关', '26.00', '45.00', 30),
    ('生料带', '1.50', '3.00', 200),
    ('门锁芯', '45.00', '80.00', 20),
    ]
COMPLAINTS = [
    ('SANITATION', '楼道垃圾未及时清运', '连续两天楼道垃圾无人清理，有异味。'),
    ('NOISE', '楼上夜间装修噪音', '晚上十点后楼上仍在施工，影响休息。'),
    ('PARKING', '车位被他人占用', '本人固定车位多次被外来车辆占用。'),
    ('SERVICE', '客服电话无人接听', '晚上报修电话多次无人接听。'),
    ('REPAIR', '维修后再次漏水', '上周修好的水管又开始漏水。'),
    ('SECURITY', '外来人员随意进出', '单元门禁常开，陌生人随意进出。'),
    ('FEE', '物业费账单有疑问', '本月账单金额比上月多，要求解释。'),
    ('NEIGHBOUR', '邻居宠物扰民', '邻居家犬只经常吠叫。'),
    ]
VIOLATIONS = [
    ('construction', '屋顶平台擅自搭建阳光房', 'deposit'),
    ('common_area', '楼道堆放杂物、自行车', 'none'),
    ('parking', '消防通道违规停车', 'charge'),
    ('common_area', '地下室占用公共区域堆放装修材料', 'none'),
    ('pets', '大型犬未牵绳在小区内活动', 'none'),
    ]
AREAS = [
    # name, kind, schedules (task, frequency, weekday)
    ('大堂及电梯厅', 'cleaning', [('地面清扫拖洗', 'daily', None),
            ('玻璃门擦拭', 'weekly', '0')]),
    ('楼道及楼梯', 'cleaning', [('楼道清扫', 'daily', None),
            ('扶手消毒', 'weekly', '2')]),
    ('地下车库', 'cleaning', [('车库巡扫', 'daily', None)]),
    ('中心花园', 'greening', [('草坪修剪', 'weekly', '1'),
            ('绿化浇灌', 'daily', None)]),
    ]


def load(loader):
    "Load the maintenance demo data (called by demo/load.py)"
    MaintenanceLoader(loader).run()


class MaintenanceLoader:

    def __init__(self, loader):
        self.loader = loader
        self.rng = loader.rng
        self.today = loader.today
        self.company = loader.company
        self.counts = loader.counts
        self.now = dt.datetime.combine(self.today, dt.time(
                dt.datetime.now().hour, dt.datetime.now().minute))

    def get(self, name):
        return self.loader.get(name)

    def run(self):
        self.setup()
        if not self.units or not self.estates:
            self.loader.notes.append(
                'pm_maintenance: no estate or unit with a billing party, '
                'no maintenance demo data')
            return
        self.create_materials()
        self.create_equipment()
        self.create_repairs()
        self.create_plans()
        self.create_complaints()
        self.create_decorations()
        self.create_violations()
        self.create_environment()

    # -- configuration -------------------------------------------------
    def setup(self):
        Estate = self.get('pm.estate')
        Unit = self.get('pm.unit')
        Party = self.get('party.party')
        Employee = self.get('company.employee')
        Skill = self.get('pm.skill')
        SLA = self.get('pm.work_order.sla')
        Category = self.get('pm.work_order.category')
        Config = self.get('pm.configuration')
        Item = self.get('pm.charge.item')

        self.estates = Estate.search([('company', '=', self.company.id)])
        units = Unit.search([
                ('company', '=', self.company.id),
                ('usage', '=', 'residential'),
                ('billing_party', '!=', None),
                ])
        self.units = units
        self.categories = {c.code: c for c in Category.search([])}
        skills = {s.code: s for s in Skill.search([])}

        parties = Party.create([{'name': n} for n, _ in TECHNICIANS])
        technicians = Employee.create([{
                    'party': p.id, 'company': self.company.id,
                    'start_date': dt.date(2019, 4, 1),
                    'skills': [('add', [skills[c].id for c in codes])],
                    } for p, (_, codes) in zip(parties, TECHNICIANS)])
        staff = {e.party.name: e for e in Employee.search([
                    ('company', '=', self.company.id)])}
        self.supervisor = staff.get('张建国') or technicians[0]
        self.service = staff.get('陈静') or self.supervisor
        self.inspector = staff.get('刘洋') or self.supervisor
        engineer = staff.get('王海涛')
        if engineer:
            Employee.write([engineer], {'skills': [('add', [
                                skills['PLUMBING'].id, skills['CIVIL'].id,
                                skills['FIRE'].id])]})
            technicians.append(engineer)
        self.technicians = technicians
        Category.write(list(self.categories.values()), {
                'supervisor': self.supervisor.id})

        SLA.create([{
                    'company': self.company.id, 'category': category,
                    'urgency': urgency, 'response_hours': D(response),
                    'completion_hours': D(completion),
                    } for category, urgency, response, completion in [
                    (None, 'normal', '2', '48'),
                    (None, 'urgent', '1', '8'),
                    (None, 'critical', '0.5', '4'),
                    (self.categories['PLUMBING'].id, 'urgent', '0.5', '4'),
                    (self.categories['ELEVATOR'].id, 'critical',
                        '0.25', '2'),
                    ]])

        base = Item.search([
                ('company', '=', self.company.id), ('code', '=', 'WYF')])
        other = Item.search([
                ('company', '=', self.company.id), ('code', '=', 'LJF')])
        config = Config(1)
        config.work_order_supervisor = self.supervisor
        config.labour_hour_cost = D('35.00')
        config.decoration_deposit = D('3000.00')
        if base:
            product = base[0].product
            plain = other[0].product if other else product
            labour, material, fine = Item.create([{
                        'company': self.company.id, 'code': code,
                        'name': name, 'category': 'other',
                        'product': prod.id,
                        } for code, name, prod in [
                        ('WXRG', '维修人工费', product),
                        ('WXCL', '维修材料费', plain),
                        ('WZFK', '违章罚款', plain)]])
            config.labour_charge_item = labour
            config.material_charge_item = material
            config.fine_charge_item = fine
        config.save()
        self.paid_possible = bool(base)

    # -- materials -----------------------------------------------------
    def create_materials(self):
        Template = self.get('product.template')
        Location = self.get('stock.location')
        Move = self.get('stock.move')
        unit = self.loader.ref('product.uom_unit')
        templates = Template.create([{
                    'name': name, 'type': 'goods', 'default_uom': unit,
                    'list_price': D(price),
                    'products': [('create', [{'cost_price': D(cost)}])],
                    } for name, cost, price, _ in MATERIALS])
        self.materials = [t.products[0] for t in templates]
        self.warehouse = Location.search([('type', '=', 'warehouse')])[0]
        supplier = Location.search([('type', '=', 'supplier')])[0]
        date = self.today - dt.timedelta(days=45)
        moves = Move.create([{
                    'product': product.id, 'unit': unit,
                    'quantity': quantity,
                    'from_location': supplier.id,
                    'to_location': self.warehouse.storage_location.id,
                    'unit_price': D(cost), 'currency': self.company.currency.id,
                    'company': self.company.id,
                    'planned_date': date, 'effective_date': date,
                    } for product, (_, cost, _, quantity) in zip(
                    self.materials, MATERIALS)])
        Move.do(moves)

    # -- equipment -----------------------------------------------------
    def create_equipment(self):
        Building = self.get('pm.building')
        Category = self.get('pm.equipment.category')
        Equipment = self.get('pm.equipment')
        Party = self.get('party.party')
        categories = {c.code: c for c in Category.search([])}
        otis, pumps_maker = Party.create([
                {'name': '奥的斯电梯（中国）有限公司'},
                {'name': '上海连成泵业有限公司'}])
        rng = self.rng
        values = []
        for estate in self.estates:
            code = estate.code
            installed = estate.delivery_date or dt.date(2015, 1, 1)
            buildings = Building.search([
                    ('estate', '=', estate.id),
                    ('building_type', '=', 'residential')])
            for building in buildings:
                for i in range(1, min(building.elevators or 0, 2) + 1):
                    values.append({
                            'code': f'{code}-DT-{building.code}-{i}',
                            'name': f'{building.name}{i}号电梯',
                            'category': categories['ELEVATOR'].id,
                            'estate': estate.id, 'building': building.id,
                            'location': f'{building.name}{i}单元',
                            'model': 'GeN2-MR 1000kg',
                            'manufacturer': '奥的斯', 'supplier': otis.id,
                            'maintainer': otis.id,
                            'serial_number': f'OT{installed.year}'
                            f'{rng.randint(10000, 99999)}',
                            'install_date': installed,
                            'warranty_end': installed.replace(
                                year=installed.year + 2),
                            })
            for i in (1, 2):
                values.append({
                        'code': f'{code}-XF-{i}',
                        'name': f'消防喷淋泵{i}号',
                        'category': categories['FIRE_PUMP'].id,
                        'estate': estate.id, 'location': '地下一层消防泵房',
                        'model': 'XBD8/30-L', 'manufacturer': '连成',
                        'supplier': pumps_maker.id,
                        'install_date': installed,
                        'status': 'in_use' if i == 1 else 'standby',
                        })
            for key, name, location, model in [
                    ('WATER', '生活水泵', '地下一层生活水泵房', 'CDLF8-60'),
                    ('POWER', '1号变压器', '配电房', 'SCB13-800kVA'),
                    ('CCTV', '监控中心硬盘录像机', '监控中心', 'DS-9664N'),
                    ('ACCESS', '东门人行门禁', '小区东门', 'DS-K5604'),
                    ('FIRE_ALARM', '火灾报警控制器', '消防控制室',
                        'JB-QB-GST200'),
                    ('GARDEN', '草坪修剪机', '绿化工具间', 'HRX537')]:
                values.append({
                        'code': f'{code}-{key}', 'name': name,
                        'category': categories[key].id,
                        'estate': estate.id, 'location': location,
                        'model': model, 'install_date': installed,
                        })
        self.equipment = Equipment.create(values)
        self.counts['设备 equipment'] = len(self.equipment)

    # -- repairs -------------------------------------------------------
    def create_repairs(self):
        WorkOrder = self.get('pm.work_order')
        Material = self.get('pm.work_order.material')
        rng = self.rng
        count = self.loader.scaled(60, 12)
        codes = list(REPAIRS)
        weights = [6, 2, 2, 2, 1, 2]
        plan = []
        for i in range(count):
            code = rng.choices(codes, weights)[0]
            age = rng.uniform(0.1, 30)
            reported = self.now - dt.timedelta(days=age)
            reported = reported.replace(second=0, microsecond=0)
            common = code in {'PUBLIC', 'ELEVATOR', 'FIRE'}
            unit = None if common else rng.choice(self.units)
            if age > 4:
                state = rng.choices(['done', 'visit', 'cancelled'],
                    [85, 10, 5])[0]
            else:
                state = rng.choice(
                    ['done', 'visit', 'processing', 'dispatched', 'draft'])
            plan.append((code, unit, reported, state, age))
        orders = WorkOrder.create([{
                    'estate': (unit.estate.id if unit
                        else rng.choice(self.estates).id),
                    'building': unit.building.id if unit else None,
                    'unit': unit.id if unit else None,
                    'location': None if unit else rng.choice(COMMON_AREAS),
                    'category': self.categories[code].id,
                    'urgency': rng.choices(
                        ['normal', 'urgent', 'critical'], [7, 2, 1])[0],
                    'source': ('inspection' if not unit else rng.choices(
                            ['portal', 'phone', 'walk_in'], [4, 5, 1])[0]),
                    'description': rng.choice(REPAIRS[code]),
                    'contact': (unit.billing_party.id if unit else None),
                    'contact_name': (unit.billing_party.name if unit
                        else None),
                    'reported_at': reported,
                    'warehouse': self.warehouse.id,
                    } for code, unit, reported, _, _ in plan])
        by_state = {}
        for order, (code, unit, reported, state, age) in zip(orders, plan):
            by_state.setdefault(state, []).append((order, code, reported))
        self.repairs = orders

        cancelled = [o for o, _, _ in by_state.get('cancelled', [])]
        if cancelled:
            WorkOrder.write(cancelled, {'cancel_reason': '业主自行处理，撤销报修'})
            WorkOrder.cancel(cancelled)

        dispatched = [(o, c, r) for s in ['dispatched', 'processing',
                'visit', 'done'] for o, c, r in by_state.get(s, [])]
        by_technician = {}
        for order, code, _ in dispatched:
            order = WorkOrder(order.id)
            candidates = WorkOrder.suggest_technicians(order, limit=2)
            technician = rng.choice(candidates or self.technicians)
            by_technician.setdefault(technician, []).append(order)
        for technician, t_orders in by_technician.items():
            WorkOrder.dispatch_to(t_orders, technician)

        started = [(o, c, r) for s in ['processing', 'visit', 'done']
            for o, c, r in by_state.get(s, [])]
        args = []
        finish = []
        for order, code, reported in started:
            arrival = reported + dt.timedelta(minutes=rng.randint(10, 150))
            arrival = min(arrival, self.now)
            values = {'started_at': arrival}
            if (order, code, reported) not in by_state.get('processing', []):
                done = arrival + dt.timedelta(
                    minutes=rng.randint(30, 60 * 30))
                values.update({
                        'finished_at': min(done, self.now),
                        'work_done': WORK_DONE[code],
                        'labour_hours': D(rng.choice(
                                ['0.5', '1', '1.5', '2', '3'])),
                        })
                finish.append(order)
            args.extend([[order], values])
        if args:
            WorkOrder.write(*args)
        WorkOrder.start([o for o, _, _ in started])

        # materials of the plumbing repairs, a third of them paid
        lines, paid = [], []
        for order in finish:
            if order.category.code != 'PLUMBING' or rng.random() < 0.4:
                continue
            product = rng.choice(self.materials[:4])
            lines.append({'work_order': order.id, 'product': product.id,
                    'quantity': 1, 'unit': product.default_uom.id,
                    'unit_price': product.list_price_used})
            if order.unit and self.paid_possible and rng.random() < 0.35:
                paid.append(order)
        Material.create(lines)
        if paid:
            WorkOrder.write(paid, {
                    'paid': True, 'payment': 'bill',
                    'labour_amount': D('30.00')})
        WorkOrder.finish(finish)

        closed = [o for o, _, _ in by_state.get('done', [])]
        scores = {}
        for order in closed:
            score = rng.choices(['5', '4', '3', '2'], [55, 30, 10, 5])[0]
            scores.setdefault(score, []).append(order)
        comments = {'5': '师傅很专业，及时解决', '4': '满意', '3': '一般，等待较久',
            '2': '上门太慢'}
        for score, s_orders in scores.items():
            WorkOrder.record_visit(s_orders, score, comments[score])

        escalations = WorkOrder.check_sla()
        self.counts['工单 work orders'] = len(orders)
        for state in ['done', 'visit', 'processing', 'dispatched', 'draft',
                'cancelled']:
            self.counts[f'  - work orders {state}'] = len(
                by_state.get(state, []))
        self.counts['  - paid repairs (on the next bill)'] = len(paid)
        self.counts['  - SLA escalations'] = len(escalations)

    # -- preventive maintenance ----------------------------------------
    def create_plans(self):
        Plan = self.get('pm.maintenance.plan')
        WorkOrder = self.get('pm.work_order')
        Category = self.get('pm.equipment.category')
        equipment_categories = {c.code: c for c in Category.search([])}
        elevator_tech = [t for t in self.technicians
            if any(s.code == 'ELEVATOR' for s in t.skills)]
        start = self.today - dt.timedelta(days=44)
        values = []
        for estate in self.estates:
            values.extend([{
                        'name': f'{estate.name}电梯半月保',
                        'estate': estate.id,
                        'equipment_category':
                            equipment_categories['ELEVATOR'].id,
                        'category': self.categories['ELEVATOR'].id,
                        'interval_number': 15, 'interval_unit': 'day',
                        'start_date': start, 'lead_days': 3,
                        'technician': (elevator_tech[0].id
                            if elevator_tech else None),
                        'checks': [('create', [
                                    {'sequence': 1, 'name': '曳引机及制动器',
                                        'standard': '运转平稳无异响'},
                                    {'sequence': 2, 'name': '门机及门锁联锁',
                                        'standard': '开关门顺畅，联锁可靠'},
                                    {'sequence': 3, 'name': '轿厢应急照明及对讲',
                                        'standard': '正常'}])],
                        }, {
                        'name': f'{estate.name}消防泵月度保养',
                        'estate': estate.id,
                        'equipment_category':
                            equipment_categories['FIRE_PUMP'].id,
                        'category': self.categories['FIRE'].id,
                        'interval_number': 1, 'interval_unit': 'month',
                        'start_date': start + dt.timedelta(days=4),
                        'lead_days': 5,
                        'checks': [('create', [
                                    {'sequence': 1, 'name': '手动启泵试运行',
                                        'standard': '启动正常，压力达标'},
                                    {'sequence': 2, 'name': '阀门及管道',
                                        'standard': '无渗漏'}])],
                        }, {
                        'name': f'{estate.name}生活水泵季度保养',
                        'estate': estate.id,
                        'equipment_category':
                            equipment_categories['WATER'].id,
                        'category': self.categories['PLUMBING'].id,
                        'interval_number': 3, 'interval_unit': 'month',
                        'start_date': self.today + dt.timedelta(days=20),
                        'lead_days': 7,
                        }])
        plans = Plan.create(values)
        # the daily task ran over the last weeks
        orders = []
        for days in [44, 30, 16, 2, 0]:
            orders.extend(Plan.generate_work_orders(
                    self.today - dt.timedelta(days=days)))
        # reported by the task, some days before their date
        args = []
        for order in orders:
            reported = dt.datetime.combine(
                order.planned_date - dt.timedelta(days=3), dt.time(8))
            args.extend([[order], {'reported_at': min(reported, self.now)}])
        if args:
            WorkOrder.write(*args)
        # all past occurrences done but one overdue elevator maintenance
        past = [o for o in WorkOrder.browse([o.id for o in orders])
            if o.planned_date < self.today]
        overdue = past[-1:] if past else []
        to_do = [o for o in past if o not in overdue]
        undispatched = [o for o in to_do if o.state == 'draft']
        if undispatched and self.technicians:
            WorkOrder.dispatch_to(undispatched, self.technicians[-1])
        to_do = WorkOrder.browse([o.id for o in to_do])
        args = []
        for order in to_do:
            moment = dt.datetime.combine(order.planned_date, dt.time(9))
            args.extend([[order], {
                        'started_at': max(moment, order.reported_at),
                        'finished_at': max(moment, order.reported_at)
                        + dt.timedelta(hours=2),
                        'work_done': '按计划完成保养',
                        'labour_hours': D(2),
                        }])
        if args:
            WorkOrder.write(*args)
        Check = self.get('pm.work_order.check')
        Check.write([c for o in to_do for c in o.checks], {'result': 'ok'})
        WorkOrder.start(to_do)
        WorkOrder.finish(to_do)
        self.counts['保养计划 maintenance plans'] = len(plans)
        self.counts['  - plan work orders'] = len(orders)

    # -- complaints ----------------------------------------------------
    def create_complaints(self):
        Complaint = self.get('pm.complaint')
        Category = self.get('pm.complaint.category')
        categories = {c.code: c for c in Category.search([])}
        rng = self.rng
        count = self.loader.scaled(16, 6)
        values, ages = [], []
        for i in range(count):
            code, subject, description = COMPLAINTS[i % len(COMPLAINTS)]
            unit = rng.choice(self.units)
            age = rng.uniform(0.2, 25)
            received = self.now - dt.timedelta(days=age)
            ages.append(age)
            values.append({
                    'estate': unit.estate.id, 'unit': unit.id,
                    'complainant': unit.billing_party.id,
                    'complainant_name': unit.billing_party.name,
                    'source': rng.choice(['phone', 'portal', 'walk_in']),
                    'category': categories[code].id,
                    'subject': subject, 'description': description,
                    'handler': self.service.id,
                    'received_at': received.replace(microsecond=0),
                    'deadline': (received + dt.timedelta(days=3)).replace(
                        microsecond=0),
                    })
        complaints = Complaint.create(values)
        processing = [c for c, a in zip(complaints, ages) if a > 0.5]
        Complaint.process(processing)
        Reply = self.get('pm.complaint.reply')
        Reply.create([{
                    'complaint': c.id, 'direction': 'out',
                    'date': c.received_at + dt.timedelta(hours=2),
                    'text': '您好，已收到您的反映，已安排相关人员跟进处理。',
                    } for c in processing])
        answered = [c for c, a in zip(complaints, ages) if a > 2]
        Complaint.write(answered, {
                'resolution': '已核实并处理完毕，已电话告知投诉人处理结果。'})
        Complaint.resolve(answered)
        args = []
        for complaint, age in zip(complaints, ages):
            if complaint in answered:
                args.extend([[complaint], {
                            'resolved_at': (complaint.received_at
                                + dt.timedelta(days=min(age - 1, 2)))}])
        if args:
            Complaint.write(*args)
        confirmed = [c for c, a in zip(complaints, ages)
            if c in answered and a > 8]
        Complaint.write(confirmed, {
                'satisfaction': '4', 'confirmation_note': '电话回访，投诉人表示满意'})
        Complaint.confirm(confirmed)
        timed_out = Complaint.close_timeout()
        self.counts['投诉 complaints'] = len(complaints)
        self.counts['  - complaints closed'] = len(confirmed) + len(timed_out)

    # -- decoration permits and violations -----------------------------
    def create_decorations(self):
        Decoration = self.get('pm.decoration')
        rng = self.rng
        drafts = [u for u in rng.sample(self.units, min(3, len(self.units)))]
        if not drafts:
            return
        permits = Decoration.create([{
                    'unit': unit.id, 'applicant': unit.billing_party.id,
                    'description': description,
                    'start_date': self.today + dt.timedelta(days=days),
                    'planned_end_date': self.today + dt.timedelta(
                        days=days + 75),
                    'contractor': contractor,
                    'contractor_phone': '0571-8' + str(rng.randint(
                            1000000, 9999999)),
                    'workers': rng.randint(3, 8),
                    } for unit, (description, contractor, days) in zip(drafts, [
                        ('厨卫翻新、更换地板', '杭州美家装饰工程有限公司', 7),
                        ('阳台封窗、墙面翻新', '浙江居然装饰有限公司', 3),
                        ('全屋翻新', '杭州业之峰装饰有限公司', 10)])])
        Decoration.submit(permits)
        approved = permits[1:2]
        Decoration.approve(approved)
        rejected = permits[2:3]
        Decoration.write(rejected, {
                'review_note': '方案涉及拆改承重墙，请修改后重新申请'})
        Decoration.reject(rejected)
        self.loader.notes.append(
            '装修许可：1 待审核、1 已批准待收押金（收银台收取后可开工）、1 已驳回')
        self.counts['装修许可 decoration permits'] = len(permits)

    def create_violations(self):
        Violation = self.get('pm.violation')
        Config = self.get('pm.configuration')
        rng = self.rng
        fine_item = Config(1).fine_charge_item
        values = []
        for kind, description, fine in VIOLATIONS:
            if fine == 'deposit':
                fine = 'none'
            if fine == 'charge' and not fine_item:
                fine = 'none'
            unit = rng.choice(self.units)
            values.append({
                    'estate': unit.estate.id, 'unit': unit.id,
                    'party': unit.billing_party.id, 'kind': kind,
                    'description': description,
                    'found_at': (self.now - dt.timedelta(
                            days=rng.randint(1, 20))).replace(microsecond=0),
                    'found_by': self.inspector.id,
                    'deadline': self.today + dt.timedelta(
                        days=rng.randint(3, 10)),
                    'fine_method': fine,
                    'fine_amount': D('200.00') if fine != 'none' else None,
                    })
        violations = Violation.create(values)
        notified = violations[:4]
        Violation.notify(notified)
        FollowUp = self.get('pm.violation.followup')
        FollowUp.create([{
                    'violation': v.id, 'employee': self.inspector.id,
                    'result': 'partial', 'note': '已上门告知，当事人承诺整改',
                    } for v in notified])
        resolved = notified[1:3]
        Violation.write(resolved, {'resolution': '已整改完毕，复查合格'})
        Violation.resolve(resolved)
        self.counts['违章 violations'] = len(violations)

    # -- cleaning and greening -----------------------------------------
    def create_environment(self):
        Employee = self.get('company.employee')
        Party = self.get('party.party')
        Crew = self.get('pm.environment.crew')
        Area = self.get('pm.environment.area')
        Schedule = self.get('pm.environment.schedule')
        Task = self.get('pm.environment.task')
        Inspection = self.get('pm.environment.inspection')
        rng = self.rng
        names = ['周丽', '吴芳', '郑桂兰', '冯秀珍', '陈志强', '褚建华']
        parties = Party.create([{'name': n} for n in names])
        workers = Employee.create([{
                    'party': p.id, 'company': self.company.id,
                    'start_date': dt.date(2020, 3, 1)} for p in parties])
        cleaning, greening = Crew.create([{
                    'name': '保洁一组', 'kind': 'cleaning',
                    'company': self.company.id, 'leader': workers[0].id,
                    'members': [('add', [w.id for w in workers[:4]])],
                    }, {
                    'name': '绿化组', 'kind': 'greening',
                    'company': self.company.id, 'leader': workers[4].id,
                    'members': [('add', [w.id for w in workers[4:]])],
                    }])
        area_values, schedule_specs = [], []
        for estate in self.estates:
            for name, kind, schedules in AREAS:
                area_values.append({
                        'name': name, 'estate': estate.id, 'kind': kind,
                        'crew': (cleaning if kind == 'cleaning'
                            else greening).id,
                        })
                schedule_specs.append(schedules)
        areas = Area.create(area_values)
        Schedule.create([{
                    'area': area.id, 'name': task, 'frequency': frequency,
                    'weekday': weekday,
                    'start_date': self.today - dt.timedelta(days=60),
                    } for area, specs in zip(areas, schedule_specs)
                for task, frequency, weekday in specs])
        start = self.today - dt.timedelta(days=13)
        Schedule.generate_tasks(start, 14)
        tasks = Task.search([('company', '=', self.company.id)])
        done = [t for t in tasks if t.date < self.today
            and rng.random() < 0.93]
        Task.write(done, {'done_by': workers[0].id})
        Task.do(done)
        # the daily task marks the rest of the past days as missed
        Schedule.generate_tasks(self.today, 1)
        inspections = []
        for area in areas:
            for days in [12, 9, 5, 2]:
                inspections.append({
                        'area': area.id,
                        'date': self.today - dt.timedelta(days=days),
                        'inspector': self.inspector.id,
                        'score': rng.choice([95, 92, 90, 88, 85, 80, 72]),
                        'remark': rng.choice([
                                '整洁', '地面有水渍', '垃圾桶周边需清理',
                                '草坪边缘待修剪', '良好']),
                        })
        Inspection.create(inspections)
        self.counts['保洁绿化任务 environment tasks'] = len(
            Task.search([('company', '=', self.company.id)]))
        self.counts['  - environment inspections'] = len(inspections)
