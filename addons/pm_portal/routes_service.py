# This file is part of the pm suite (物业管理系统). See README.md.
"""Repairs 报修 and complaints 投诉 of residents; the technicians' queue."""
import datetime as dt
from decimal import Decimal, InvalidOperation

from werkzeug.wrappers import Response

from trytond.i18n import gettext
from trytond.transaction import Transaction

from .web import MAX_REQUEST, PortalError, portal_route

OPEN = ['draft', 'dispatched', 'processing']


def _text(request, name, size=2000, required=False):
    value = (request.form.get(name) or '').strip()[:size]
    if required and not value:
        raise PortalError(gettext('pm_portal.msg_field_required'))
    return value or None


def _my_unit(portal, unit_id):
    if not unit_id:
        raise PortalError(gettext('pm_portal.msg_field_required'))
    return portal.get('pm.unit', unit_id, [('id', 'in', portal.unit_ids)])


# ------------------------------------------------------------------ repairs

def _my_order(portal, order_id):
    return portal.get('pm.work_order', order_id,
        [('contact', '=', portal.party.id)])


@portal_route('/repairs')
def repairs(request, portal):
    WorkOrder = portal.pool.get('pm.work_order')
    orders = WorkOrder.search([('contact', '=', portal.party.id)],
        order=[('reported_at', 'DESC'), ('id', 'DESC')], limit=100)
    return portal.render('pm_portal/repairs.html', orders=orders,
        title='报修')


@portal_route('/repairs/new', methods=['GET', 'POST'], max_size=MAX_REQUEST)
def repair_new(request, portal):
    pool = portal.pool
    WorkOrder = pool.get('pm.work_order')
    Category = pool.get('pm.work_order.category')
    Unit = pool.get('pm.unit')
    units = Unit.browse(portal.unit_ids)
    categories = Category.search([])
    if request.method == 'POST':
        unit = _my_unit(portal, request.form.get('unit'))
        category = portal.get('pm.work_order.category',
            request.form.get('category'))
        urgency = request.form.get('urgency', 'normal')
        if urgency not in {'normal', 'urgent'}:
            urgency = 'normal'
        description = _text(request, 'description', required=True)
        images = portal.images('photos')
        with Transaction().set_context(company=unit.company.id):
            order, = WorkOrder.create([{
                        'estate': unit.estate.id,
                        'building': unit.building.id if unit.building
                        else None,
                        'unit': unit.id,
                        'kind': 'repair',
                        'source': 'portal',
                        'category': category.id,
                        'urgency': urgency,
                        'description': description,
                        'location': _text(request, 'location', 100),
                        'contact': portal.party.id,
                        'contact_name': portal.party.name,
                        'contact_phone': _text(request, 'phone', 30)
                        or portal.web_user.phone,
                        }])
        portal.attach(order, images)
        portal.flash('报修已提交，我们会尽快安排维修人员。')
        return portal.redirect(f'/repairs/{order.id}')
    return portal.render('pm_portal/repair_new.html', units=units,
        categories=categories, title='我要报修')


@portal_route('/repairs/<int:order_id>')
def repair(request, portal, order_id):
    order = _my_order(portal, order_id)
    return portal.render('pm_portal/repair.html', order=order,
        photos=portal.attachments(order), title='报修 %s' % (
            order.number or ''))


@portal_route('/repairs/<int:order_id>/rate', methods=['POST'])
def repair_rate(request, portal, order_id):
    WorkOrder = portal.pool.get('pm.work_order')
    order = _my_order(portal, order_id)
    score = request.form.get('satisfaction')
    if order.state != 'visit' or score not in {'1', '2', '3', '4', '5'}:
        raise PortalError(gettext('pm_portal.msg_rate_invalid'))
    WorkOrder.record_visit([order], score,
        comment=_text(request, 'comment', 1000))
    portal.flash('感谢您的评价！')
    return portal.redirect(f'/repairs/{order.id}')


# --------------------------------------------------------------- complaints

def _my_complaint(portal, complaint_id):
    return portal.get('pm.complaint', complaint_id,
        [('complainant', '=', portal.party.id)])


@portal_route('/complaints')
def complaints(request, portal):
    Complaint = portal.pool.get('pm.complaint')
    records = Complaint.search([('complainant', '=', portal.party.id)],
        order=[('received_at', 'DESC'), ('id', 'DESC')], limit=100)
    return portal.render('pm_portal/complaints.html', complaints=records,
        title='投诉建议')


@portal_route('/complaints/new', methods=['GET', 'POST'],
    max_size=MAX_REQUEST)
def complaint_new(request, portal):
    pool = portal.pool
    Complaint = pool.get('pm.complaint')
    Category = pool.get('pm.complaint.category')
    Unit = pool.get('pm.unit')
    units = Unit.browse(portal.unit_ids)
    if request.method == 'POST':
        unit = _my_unit(portal, request.form.get('unit'))
        category = portal.get('pm.complaint.category',
            request.form.get('category'))
        images = portal.images('photos')
        with Transaction().set_context(company=unit.company.id):
            complaint, = Complaint.create([{
                        'estate': unit.estate.id,
                        'unit': unit.id,
                        'complainant': portal.party.id,
                        'complainant_name': portal.party.name,
                        'complainant_phone': portal.web_user.phone,
                        'source': 'portal',
                        'category': category.id,
                        'subject': _text(request, 'subject', 100,
                            required=True),
                        'description': _text(request, 'description',
                            required=True),
                        }])
        portal.attach(complaint, images)
        portal.flash('已收到您的意见，我们会在规定时间内答复。')
        return portal.redirect(f'/complaints/{complaint.id}')
    return portal.render('pm_portal/complaint_new.html', units=units,
        categories=Category.search([]), title='投诉建议')


@portal_route('/complaints/<int:complaint_id>', methods=['GET', 'POST'])
def complaint(request, portal, complaint_id):
    pool = portal.pool
    Complaint = pool.get('pm.complaint')
    Reply = pool.get('pm.complaint.reply')
    record = _my_complaint(portal, complaint_id)
    if request.method == 'POST':
        action = request.form.get('action')
        if action == 'reply' and record.state in {
                'draft', 'processing', 'resolved'}:
            Reply.create([{
                        'complaint': record.id,
                        'date': dt.datetime.now().replace(microsecond=0),
                        'direction': 'in',
                        'text': _text(request, 'text', required=True),
                        }])
            portal.flash('已补充说明。')
        elif action == 'confirm' and record.state == 'resolved':
            score = request.form.get('satisfaction')
            if score not in {'1', '2', '3', '4', '5'}:
                raise PortalError(gettext('pm_portal.msg_rate_invalid'))
            Complaint.write([record], {
                    'satisfaction': score,
                    'confirmation_note': _text(request, 'comment', 1000),
                    })
            Complaint.confirm([record])
            portal.flash('感谢您的评价！')
        else:
            raise PortalError(gettext('pm_portal.msg_rate_invalid'))
        return portal.redirect(f'/complaints/{record.id}')
    replies = [r for r in record.replies if r.direction in {'in', 'out'}]
    return portal.render('pm_portal/complaint.html', complaint=record,
        replies=replies, photos=portal.attachments(record),
        title=record.subject)


# ---------------------------------------------------------- attachments

@portal_route('/attachment/<int:attachment_id>')
def attachment(request, portal, attachment_id):
    pool = portal.pool
    Attachment = pool.get('ir.attachment')
    WebUser = pool.get('web.user')
    records = Attachment.search([('id', '=', attachment_id)], limit=1)
    if not records:
        portal.not_found()
    record = records[0]
    resource = record.resource
    if (resource is None or record.type != 'data'
            or not WebUser.portal_attachment_allowed(portal, resource)):
        portal.not_found()
    data = record.data or b''
    mimetype = 'application/octet-stream'
    from .web import IMAGE_TYPES
    for magic, (kind, _) in IMAGE_TYPES.items():
        if data.startswith(magic):
            mimetype = kind
    response = Response(bytes(data), mimetype=mimetype)
    response.headers['Content-Disposition'] = 'inline'
    response.headers['Cache-Control'] = 'private, max-age=3600'
    return response


# ------------------------------------------------------------- technicians

def _queue_domain(portal):
    return [
        ('company', '=', portal.employee.company.id),
        ['OR',
            [('technician', '=', portal.employee.id),
                ('state', 'in', ['dispatched', 'processing'])],
            [('technician', '=', None), ('state', '=', 'draft')],
            ],
        ]


def _staff_order(portal, order_id):
    return portal.get('pm.work_order', order_id, _queue_domain(portal) + [])


@portal_route('/staff', staff=True)
def staff(request, portal):
    WebUser = portal.pool.get('web.user')
    cards = WebUser.portal_staff_cards(portal)
    cards.sort(key=lambda c: c.get('sequence', 50))
    return portal.render('pm_portal/staff.html', cards=cards,
        title='员工工作台')


@portal_route('/staff/orders', staff=True)
def staff_orders(request, portal):
    WorkOrder = portal.pool.get('pm.work_order')
    orders = WorkOrder.search(_queue_domain(portal),
        order=[('urgency', 'DESC'), ('reported_at', 'ASC')], limit=200)
    mine = [o for o in orders if o.technician]
    pool_ = [o for o in orders if not o.technician]
    return portal.render('pm_portal/staff_orders.html', mine=mine,
        unassigned=pool_, title='我的工单')


@portal_route('/staff/orders/<int:order_id>', methods=['GET', 'POST'],
    staff=True, max_size=MAX_REQUEST)
def staff_order(request, portal, order_id):
    pool = portal.pool
    WorkOrder = pool.get('pm.work_order')
    Material = pool.get('pm.work_order.material')
    Product = pool.get('product.product')
    order = _staff_order(portal, order_id)
    if request.method == 'POST':
        action = request.form.get('action')
        employee = portal.employee
        with Transaction().set_context(company=order.company.id):
            if action == 'accept' and order.state == 'draft':
                WorkOrder.dispatch_to([order], employee,
                    note=gettext('pm_portal.msg_accepted_portal'))
                portal.flash('已接单。')
            elif action == 'start' and order.state == 'dispatched':
                WorkOrder.start([order])
                portal.flash('已开始处理。')
            elif action == 'finish' and order.state == 'processing':
                lines = []
                for code, qty in zip(request.form.getlist('material'),
                        request.form.getlist('quantity')):
                    if not code:
                        continue
                    products = Product.search([
                            ('code', '=', code.strip()),
                            ], limit=1)
                    if not products:
                        raise PortalError(gettext(
                                'pm_portal.msg_material_unknown', code=code))
                    try:
                        quantity = float(Decimal(qty))
                    except (InvalidOperation, TypeError):
                        raise PortalError(gettext(
                                'pm_portal.msg_material_unknown', code=code))
                    if quantity <= 0:
                        raise PortalError(gettext(
                                'pm_portal.msg_material_unknown', code=code))
                    lines.append({
                            'work_order': order.id,
                            'product': products[0].id,
                            'quantity': quantity,
                            'unit': products[0].default_uom.id,
                            })
                images = portal.images('photos')
                hours = request.form.get('labour_hours') or None
                try:
                    hours = Decimal(hours) if hours else None
                except InvalidOperation:
                    hours = None
                if lines:
                    Material.create(lines)
                WorkOrder.write([order], {
                        'work_done': _text(request, 'work_done',
                            required=True),
                        'labour_hours': hours,
                        })
                portal.attach(order, images)
                WorkOrder.finish([WorkOrder(order.id)])
                portal.flash('已完工，等待住户评价。')
                return portal.redirect('/staff/orders')
            else:
                raise PortalError(gettext('pm_portal.msg_rate_invalid'))
        return portal.redirect(f'/staff/orders/{order.id}')
    return portal.render('pm_portal/staff_order.html', order=order,
        photos=portal.attachments(order), title='工单 %s' % (
            order.number or ''))
