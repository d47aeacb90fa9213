# This file is part of the pm suite (物业管理系统). See README.md.
"""Monitoring devices (监控设备): cameras and recorders with their status
and faults.  With pm_maintenance a fault opens a work order (报修)."""
import logging

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, search_fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import without_check_access

from .common import now, user_employee
from .exceptions import DeviceError, SecurityModifyError

logger = logging.getLogger(__name__)

DEVICE_KINDS = [
    ('camera', "Camera"),
    ('dome_camera', "Dome Camera"),
    ('nvr', "Network Video Recorder"),
    ('dvr', "Digital Video Recorder"),
    ('monitor', "Monitor"),
    ('access_controller', "Access Controller"),
    ('other', "Other"),
    ]
RECORDER_KINDS = ['nvr', 'dvr']

DEVICE_STATUSES = [
    ('online', "Online"),
    ('offline', "Offline"),
    ('fault', "Fault"),
    ]

FAULT_STATES = [
    ('open', "Open"),
    ('resolved', "Resolved"),
    ]


class Device(DeactivableMixin, EstateCompanyMixin, ModelSQL, ModelView):
    __name__ = 'pm.security.device'
    __string__ = "Monitoring Device"

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain())
    building = fields.Many2One(
        'pm.building', "Building", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))])
    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True)
    kind = fields.Selection(DEVICE_KINDS, "Kind", required=True, sort=False)
    location = fields.Char("Location")
    recorder = fields.Many2One(
        'pm.security.device', "Recorder", ondelete='SET NULL',
        domain=[
            ('estate', '=', Eval('estate', -1)),
            ('kind', 'in', RECORDER_KINDS),
            ],
        states={
            'invisible': Eval('kind', '').in_(RECORDER_KINDS),
            },
        help="The recorder storing the images of the camera.")
    cameras = fields.One2Many(
        'pm.security.device', 'recorder', "Cameras",
        states={
            'invisible': ~Eval('kind', '').in_(RECORDER_KINDS),
            })
    brand = fields.Char("Brand")
    model = fields.Char("Model")
    ip_address = fields.Char("IP Address")
    channel = fields.Integer("Channel",
        help="The channel of the camera on its recorder.")
    install_date = fields.Date("Installed on")
    status = fields.Selection(
        DEVICE_STATUSES, "Status", required=True, sort=False,
        states={
            'readonly': Eval('status') == 'fault',
            },
        help="Set to fault by the faults reported; "
        "back online when they are resolved.")
    faults = fields.One2Many(
        'pm.security.device.fault', 'device', "Faults")
    open_fault_count = fields.Function(
        fields.Integer("Open Faults"), 'get_open_fault_count')
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_company_unique', Unique(t, t.company, t.code),
                'pm_security.msg_device_code_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.status, Index.Equality(cardinality='low'))))
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_status():
        return 'online'

    @staticmethod
    def default_kind():
        return 'camera'

    def get_rec_name(self, name):
        return '[%s] %s' % (self.code, self.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['code', 'name', 'location'])

    @classmethod
    def get_open_fault_count(cls, devices, name):
        pool = Pool()
        Fault = pool.get('pm.security.device.fault')
        result = dict.fromkeys([d.id for d in devices], 0)
        for fault in Fault.search([
                    ('device', 'in', list(result)),
                    ('state', '=', 'open'),
                    ]):
            result[fault.device.id] += 1
        return result

    @classmethod
    def copy(cls, devices, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('code', lambda data: data['code'] + '-1')
        default.setdefault('faults', None)
        default.setdefault('cameras', None)
        default.setdefault('status', 'online')
        return super().copy(devices, default=default)


class DeviceFault(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.security.device.fault'
    __string__ = "Monitoring Device Fault"

    _states = {
        'readonly': Eval('state') != 'open',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    device = fields.Many2One(
        'pm.security.device', "Device", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': (Eval('state') != 'open') | (Eval('id', -1) >= 0),
            })
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    reported_at = fields.DateTime("Reported at", required=True,
        states=_states)
    reported_by = fields.Many2One(
        'company.employee', "Reported by",
        domain=[('company', '=', Eval('company', -1))], states=_states)
    description = fields.Text("Description", required=True, states=_states)
    resolved_at = fields.DateTime("Resolved at", readonly=True)
    resolution = fields.Text("Resolution",
        states={
            'readonly': Eval('state') != 'open',
            })
    state = fields.Selection(
        FAULT_STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.device, Index.Equality())))
        cls._order = [('reported_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('open', 'resolved')}
        cls._buttons.update({
                'resolve': {
                    'invisible': Eval('state') != 'open',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'open'

    @staticmethod
    def default_reported_at():
        return now()

    @staticmethod
    def default_reported_by():
        employee = user_employee()
        return employee.id if employee else None

    @classmethod
    def default_company(cls):
        from trytond.transaction import Transaction
        return Transaction().context.get('company')

    @fields.depends('device', '_parent_device.estate')
    def on_change_with_estate(self, name=None):
        return self.device.estate if self.device else None

    @fields.depends('device', '_parent_device.company')
    def on_change_device(self):
        if self.device:
            self.company = self.device.company

    @classmethod
    def search_estate(cls, name, clause):
        nested = clause[0][len(name):]
        return [('device.estate' + nested, *clause[1:])]

    def get_rec_name(self, name):
        return '%s: %s' % (
            self.device.rec_name,
            (self.description or '').splitlines()[0][:40]
            if self.description else '')

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['device.rec_name', 'description'])

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Device = pool.get('pm.security.device')
        values = super().preprocess_values(mode, values)
        if values.get('device'):
            values['company'] = Device(values['device']).company.id
        return values

    @classmethod
    def check_modification(cls, mode, faults, values=None, external=False):
        super().check_modification(
            mode, faults, values=values, external=external)
        if mode == 'delete':
            for fault in faults:
                if fault.state != 'open':
                    raise SecurityModifyError(gettext(
                            'pm_security.msg_device_fault_delete',
                            fault=fault.rec_name))

    @classmethod
    def on_modification(cls, mode, faults, field_names=None):
        super().on_modification(mode, faults, field_names=field_names)
        if mode == 'create':
            cls.set_device_status([f.device for f in faults])
            cls.fault_reported([f for f in faults if f.state == 'open'])
        elif mode == 'write' and 'state' in field_names:
            cls.set_device_status([f.device for f in faults])

    @classmethod
    def on_delete(cls, faults):
        pool = Pool()
        Device = pool.get('pm.security.device')
        callback = super().on_delete(faults)
        device_ids = list({f.device.id for f in faults})

        def update():
            devices = Device.browse(Device.search([('id', 'in', device_ids)]))
            cls.set_device_status(devices)
        return callback + [update]

    @classmethod
    def copy(cls, faults, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('resolved_at', None)
        default.setdefault('resolution', None)
        default.setdefault('state', 'open')
        return super().copy(faults, default=default)

    @classmethod
    def set_device_status(cls, devices):
        "Set fault on the devices with open faults, online on the others"
        pool = Pool()
        Device = pool.get('pm.security.device')
        devices = Device.browse(list({d.id for d in devices}))
        open_ = {f.device for f in cls.search([
                    ('device', 'in', [d.id for d in devices]),
                    ('state', '=', 'open'),
                    ])}
        to_fault = [d for d in devices if d in open_ and d.status != 'fault']
        to_online = [d for d in devices
            if d not in open_ and d.status == 'fault']
        args = []
        if to_fault:
            args.extend([to_fault, {'status': 'fault'}])
        if to_online:
            args.extend([to_online, {'status': 'online'}])
        if args:
            with without_check_access():
                Device.write(*args)

    @classmethod
    def fault_reported(cls, faults):
        "Hook called with the new open faults"
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    def resolve(cls, faults):
        for fault in faults:
            if not (fault.resolution or '').strip():
                raise DeviceError(gettext(
                        'pm_security.msg_device_fault_resolution',
                        fault=fault.rec_name))
        cls.write(list(faults), {'resolved_at': now()})


class DeviceFault_Maintenance(metaclass=PoolMeta):
    "A fault opens a work order of pm_maintenance"
    __name__ = 'pm.security.device.fault'

    work_order = fields.Many2One(
        'pm.work_order', "Work Order", readonly=True, ondelete='SET NULL',
        states={
            'invisible': ~Eval('work_order'),
            })

    @classmethod
    def copy(cls, faults, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('work_order', None)
        return super().copy(faults, default=default)

    @classmethod
    def fault_reported(cls, faults):
        super().fault_reported(faults)
        cls.create_work_orders([f for f in faults if not f.work_order])

    @classmethod
    def _work_order_values(cls, fault, category):
        device = fault.device
        location = ' '.join(filter(None, [
                    device.location, device.rec_name]))
        return {
            'estate': device.estate.id,
            'building': device.building.id if device.building else None,
            'location': location[:200],
            'kind': 'repair',
            'source': 'monitoring',
            'category': category.id,
            'urgency': (
                'urgent' if device.kind in RECORDER_KINDS else 'normal'),
            'description': gettext(
                'pm_security.msg_device_fault_work_order',
                device=device.rec_name,
                description=fault.description),
            'contact_name': (
                fault.reported_by.rec_name if fault.reported_by else None),
            'reported_at': fault.reported_at,
            'origin': str(fault),
            }

    @classmethod
    def create_work_orders(cls, faults):
        "Open a work order (报修) for each fault"
        pool = Pool()
        WorkOrder = pool.get('pm.work_order')
        Config = pool.get('pm.configuration')
        if not faults:
            return []
        category = Config(1).get_device_work_order_category()
        if not category:
            logger.warning(
                "no work order category: no work order for the faults %s",
                [f.id for f in faults])
            return []
        with without_check_access():
            orders = WorkOrder.create(
                [cls._work_order_values(f, category) for f in faults])
            args = []
            for fault, order in zip(faults, orders):
                args.extend([[fault], {'work_order': order.id}])
            cls.write(*args)
        return orders


class WorkOrder(metaclass=PoolMeta):
    __name__ = 'pm.work_order'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        if ('monitoring', "Monitoring Device") not in cls.source.selection:
            cls.source.selection.append(('monitoring', "Monitoring Device"))

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['pm.security.device.fault']
