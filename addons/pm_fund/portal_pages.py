# This file is part of the pm suite (物业管理系统). See README.md.
"""Portal pages of the fund: the published disclosures 维修资金公示 of the
estates where the web user's party has a unit (pm_portal is an extra: the
pages answer 404 where pm_fund is not activated)."""
from trytond.modules.pm_portal.web import portal_route


def _model(portal, name):
    try:
        return portal.pool.get(name)
    except KeyError:
        portal.not_found()


def _domain(portal):
    Unit = portal.pool.get('pm.unit')
    estates = list({u.estate.id for u in Unit.browse(portal.unit_ids)})
    return [('state', '=', 'published'), ('fund.estate', 'in', estates or [-1])]


@portal_route('/fund')
def disclosures(request, portal):
    Disclosure = _model(portal, 'pm.fund.disclosure')
    records = Disclosure.search(_domain(portal),
        order=[('date_to', 'DESC'), ('id', 'DESC')], limit=20)
    Fund = portal.pool.get('pm.fund')
    balances = Fund.unit_balances(list(portal.unit_ids))
    Unit = portal.pool.get('pm.unit')
    units = [(u, balances[u.id]) for u in Unit.browse(portal.unit_ids)]
    return portal.render('pm_fund/disclosures.html', disclosures=records,
        units=units, title='维修资金公示')


@portal_route('/fund/<int:disclosure_id>')
def disclosure(request, portal, disclosure_id):
    _model(portal, 'pm.fund.disclosure')
    record = portal.get('pm.fund.disclosure', disclosure_id, _domain(portal))
    mine = set(portal.unit_ids)
    return portal.render('pm_fund/disclosure.html', d=record, mine=mine,
        title='维修资金公示')
