"""Demo data of the residents' portal (module pm_portal): the sandbox
payment channel, an activation code per unit, a few activated residents
with known passwords, a technician and a guard on the staff pages,
notices 通知公告 with reads, and community activities 社区活动 with sign-ups.

`load(loader)` runs inside the demo transaction (company and zh_CN in the
context); everything random comes from loader.rng, every time is relative
to now.
"""
import datetime as dt

#: (e-mail, phone, password) of the demo residents (units with unpaid bills)
RESIDENTS = [
    ('yezhu1@example.com', '13800000001', 'zhuhu2026'),
    ('yezhu2@example.com', '13800000002', 'zhuhu2026'),
    ('yezhu3@example.com', '13800000003', 'zhuhu2026'),
    ]
TECHNICIAN = ('jishi@example.com', '13900000001', 'jishi2026')
GUARD = ('baoan@example.com', '13900000002', 'baoan2026')

NOTICES = [
    # title, category, body, pinned, days ago, scope ('all', 'estate')
    ('关于2026年冬季供暖调试的通知', 'notice',
        '各位业主：\n本小区将于12月1日起进行供暖管道调试，'
        '期间请家中留人并检查暖气阀门，发现漏水请立即拨打物业服务中心电话。',
        True, 1, 'all'),
    ('电梯年度检验安排', 'notice',
        '1栋、2栋电梯将于本周四9:00-17:00进行年度检验，检验期间每部电梯'
        '停运约1小时，请合理安排出行。', False, 3, 'estate'),
    ('物业费缴费提醒', 'announcement',
        '本月账单已出，可在住户服务“账单缴费”中在线缴纳，'
        '也可到物业服务中心缴费。逾期将按合同计收滞纳金。', False, 5, 'all'),
    ('垃圾分类宣传周', 'news',
        '本周六上午在中心广场举办垃圾分类宣传活动，现场可兑换环保礼品。',
        False, 8, 'estate'),
    ('寒潮预警：注意防冻', 'warning',
        '气象台发布寒潮蓝色预警，请关好门窗，室外水管注意防冻保温。',
        False, 0, 'all'),
    ]
ACTIVITIES = [
    # title, description, location, days from now, hours, capacity, state
    ('亲子手工坊：圣诞花环', '儿童需家长陪同，材料由物业提供。', '会所二楼活动室',
        9, 2, 20, 'open'),
    ('社区义诊', '社区卫生服务中心医生提供血压、血糖检测和健康咨询。',
        '中心广场', 4, 3, 0, 'open'),
    ('业主羽毛球友谊赛', '自带球拍，报名后分组。', '小区羽毛球馆', 15, 4, 16,
        'open'),
    ('国庆游园会', '猜灯谜、套圈等游园项目。', '中心花园', -50, 3, 200,
        'closed'),
    ]


def load(loader):
    WebUser = loader.get('web.user')
    Bill = loader.get('pm.bill')
    Activation = loader.get('pm.portal.activation')
    Method = loader.get('pm.payment.method')
    Channel = loader.get('pm.portal.provider')
    Employee = loader.get('company.employee')
    Estate = loader.get('pm.estate')
    Notice = loader.get('pm.portal.notice')
    Read = loader.get('pm.portal.notice.read')
    Activity = loader.get('pm.portal.activity')
    Registration = loader.get('pm.portal.activity.registration')
    rng = loader.rng
    company = loader.company
    now = dt.datetime.now().replace(minute=0, second=0, microsecond=0)

    # the sandbox channel with a payment method of its own: the cash
    # journal and the account of 微信 (the billing demo makes its counter
    # methods only after the commit)
    methods = Method.search([('company', '=', company.id)],
        order=[('sequence', 'ASC')])
    like = [m for m in methods if m.name == '微信'] or methods
    journal = like[0].journal.id if like else loader.ref(
        'account.journal_cash')
    account = like[0].account if like else (
        loader.billing.account('101201') if loader.billing else None)
    if account:
        method, = Method.create([{
                    'company': company.id, 'name': '在线支付（沙箱）',
                    'code': 'ONLINE', 'sequence': 90,
                    'journal': journal, 'account': account.id,
                    }])
        Channel.create([{
                    'company': company.id, 'name': '在线支付（沙箱演示）',
                    'provider': 'sandbox', 'payment_method': method.id,
                    'sequence': 1,
                    }])
        loader.counts['在线支付渠道 payment channels'] = 1
    else:
        loader.notes.append('portal: no payment account, no online payment')

    # an activation code for every unit with a billing party
    codes = Activation.issue_missing()
    loader.counts['住户激活码 activation codes'] = codes

    # residents: the billing parties of units with unpaid posted bills
    bills = Bill.search([
            ('company', '=', company.id),
            ('state', '=', 'posted'),
            ('unpaid_amount', '>', 0),
            ], order=[('unit', 'ASC')], limit=200)
    parties, chosen = set(), []
    for bill in bills:
        if bill.party.id not in parties:
            parties.add(bill.party.id)
            chosen.append(bill)
        if len(chosen) == len(RESIDENTS):
            break
    if len(chosen) < len(RESIDENTS):
        # no unpaid bill visible yet: the billing parties of some units
        Unit = loader.get('pm.unit')
        for unit in Unit.search([
                    ('company', '=', company.id),
                    ('billing_party', '!=', None),
                    ], order=[('id', 'ASC')], limit=200):
            if unit.billing_party.id not in parties:
                parties.add(unit.billing_party.id)
                chosen.append(type('Row', (), {
                            'unit': unit, 'party': unit.billing_party}))
            if len(chosen) == len(RESIDENTS):
                break
    users = []
    for (email, phone, password), bill in zip(RESIDENTS, chosen):
        activation, = Activation.search([
                ('unit', '=', bill.unit.id), ('state', '=', 'valid')],
            limit=1) or [None]
        user, = WebUser.create([{
                    'email': email, 'phone': phone,
                    'party': bill.party.id,
                    'portal_company': company.id,
                    'activation': activation.id if activation else None,
                    }])
        user.password = password
        user.save()
        if activation:
            Activation.write([activation], {'state': 'used'})
        users.append(user)
        loader.notes.append(
            f'portal resident {phone} / {email} password {password}: '
            f'{bill.party.name}, {bill.unit.rec_name}')

    # staff: a technician (most open work orders) and a guard
    staff = 0
    for (email, phone, password), names in [
            (TECHNICIAN, ['pm.work_order']), (GUARD, ['pm.patrol.round'])]:
        employee = None
        try:
            Model = loader.get(names[0])
        except KeyError:
            continue
        field = 'technician' if names[0] == 'pm.work_order' else 'guard'
        records = Model.search([(field, '!=', None)], limit=1,
            order=[('id', 'DESC')])
        if records:
            employee = getattr(records[0], field)
        if not employee:
            employees = Employee.search([('company', '=', company.id)],
                limit=1)
            employee = employees[0] if employees else None
        if not employee or WebUser.search([('email', '=', email)]):
            continue
        user, = WebUser.create([{
                    'email': email, 'phone': phone,
                    'portal_company': company.id,
                    'portal_employee': employee.id,
                    }])
        user.password = password
        user.save()
        staff += 1
        loader.notes.append(
            f'portal staff {phone} / {email} password {password}: '
            f'{employee.rec_name}')
    loader.counts['住户门户用户 portal web users'] = len(users) + staff

    # notices
    estates = Estate.search([('company', '=', company.id)])
    to_create = []
    for title, category, body, pinned, days, scope in NOTICES:
        values = {
            'company': company.id, 'title': title, 'category': category,
            'body': body, 'pinned': pinned,
            }
        if scope == 'estate' and estates:
            values['estates'] = [('add', [rng.choice(estates).id])]
        to_create.append((values, now - dt.timedelta(days=days)))
    notices = Notice.create([v for v, _ in to_create])
    Notice.publish(notices)
    Notice.write(*[x for n, (_, date) in zip(notices, to_create)
            for x in ([n], {'published_at': date})])
    reads = []
    for user in users[1:]:
        for notice in notices:
            if rng.random() < 0.6:
                reads.append({'notice': notice.id, 'web_user': user.id,
                        'party': user.party.id,
                        'date': now - dt.timedelta(hours=rng.randint(1, 48))})
    if reads:
        Read.create(reads)
    loader.counts['通知公告 notices'] = len(notices)

    # activities
    estate = estates[0] if estates else None
    activities = Activity.create([{
                'company': company.id, 'title': title,
                'description': description, 'location': location,
                'estate': estate.id if estate else None,
                'start': now + dt.timedelta(days=days),
                'end': now + dt.timedelta(days=days, hours=hours),
                'signup_deadline': now + dt.timedelta(days=days - 1),
                'capacity': capacity, 'max_persons': 4,
                } for (title, description, location, days, hours, capacity,
                _) in ACTIVITIES])
    Activity.open(activities)
    Activity.close([a for a, row in zip(activities, ACTIVITIES)
            if row[-1] == 'closed'])
    registrations = []
    for activity in activities[:2]:
        for user in users[1:]:
            registrations.append({'activity': activity.id,
                    'party': user.party.id, 'web_user': user.id,
                    'persons': rng.randint(1, 3), 'state': 'registered',
                    'date': now - dt.timedelta(hours=rng.randint(1, 72))})
    if registrations:
        Registration.create(registrations)
    loader.counts['社区活动 activities'] = len(activities)
