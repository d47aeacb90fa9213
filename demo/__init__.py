"""Demo data of the property-management suite (物业管理系统).

`python -m demo.load -c trytond.conf -d pm_demo [--scale 1.0]` fills an
activated database; `scripts/create_db.py` builds one from scratch.
"""

DATABASE = 'pm_demo'
ADMIN_LOGIN = 'admin'
ADMIN_PASSWORD = 'jinhua2026'

# login, name, password, groups (XML ids), employee key (see load.STAFF)
USERS = [
    ('wuye', '物业管理员 李秀英', 'wuye2026',
        ['pm_estate.group_pm_admin', 'pm_estate.group_pm_personal_data'],
        'li_xiuying'),
    ('kefu', '客服 陈静', 'kefu2026',
        ['pm_estate.group_pm_service'], 'chen_jing'),
    ('chakan', '只读查看 周敏', 'chakan2026',
        ['pm_estate.group_pm_readonly'], 'zhou_min'),
    ]


def credentials():
    "Return [(login, password, role)] of the demo users"
    roles = {
        'wuye': '物业管理员（含个人信息查看）',
        'kefu': '客服',
        'chakan': '只读',
        }
    return [(ADMIN_LOGIN, ADMIN_PASSWORD, '系统管理员')] + [
        (login, password, roles.get(login, ''))
        for login, _, password, _, _ in USERS]
