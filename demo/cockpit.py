# This file is part of the pm suite (物业管理系统). See README.md.
"""Demo of the management cockpit (数据分析, addon pm_cockpit).

Nothing is invented here: the figures of the last 12 months and of the
current month are computed from the demo data of the other addons (bills
and receipts, occupants, work orders, complaints, patrol rounds, parking
spaces), and the monthly report gets its recipients. A manager opens
物业管理 › 数据分析 › 总经理看板 (or 项目经理看板, 财务看板, 客服看板)."""
import time

from trytond.modules.pm_cockpit.figure import add_months


def load(loader):
    Figure = loader.get('pm.cockpit.figure')
    Configuration = loader.get('pm.configuration')
    start = time.monotonic()
    date_from = add_months(loader.today, -12)
    figures = Figure.compute(date_from, loader.today)
    configuration = Configuration(1)
    configuration.cockpit_recipients = (
        'zongjingli@jinhua-wuye.example, caiwu@jinhua-wuye.example')
    configuration.save()
    loader.counts['经营指标 management figures'] = len(figures)
    loader.notes.append(
        '数据分析: 13 months of figures computed in %.1fs; open '
        '物业管理 › 数据分析 › 总经理看板 / 项目经理看板 / 财务看板 / 客服看板; '
        'monthly reports: 数据分析 › 生成月度经营报告 (e-mailed on the 1st '
        'by the scheduled job)' % (time.monotonic() - start))
