# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id

SEVERITIES = [
    ('minor', "Minor"),
    ('serious', "Serious"),
    ('major', "Major"),
    ('critical', "Critical"),
    ]
SEVERITY_RANK = {s: i for i, (s, _) in enumerate(SEVERITIES)}

PASS_HOURS = 24
EXPIRY_WARNING_DAYS = 30


class Configuration(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    incident_sequence = fields.Many2One(
        'ir.sequence', "Incident Sequence",
        domain=[
            ('sequence_type', '=',
                Id('pm_security', 'sequence_type_incident')),
            ])
    incident_notify_severity = fields.Selection(
        SEVERITIES, "Notify from Severity", sort=False,
        help="A new incident of this severity or above notifies "
        "the duty manager of the estate at once.")
    pass_hours = fields.Integer(
        "Visitor Pass Validity (hours)",
        domain=['OR',
            ('pass_hours', '=', None),
            ('pass_hours', '>', 0),
            ],
        help="The default length of the validity window "
        "of a visitor pass.")
    expiry_warning_days = fields.Integer(
        "Expiry Warning Days",
        domain=['OR',
            ('expiry_warning_days', '=', None),
            ('expiry_warning_days', '>=', 0),
            ],
        help="Fire equipment expiring within these days is flagged.")

    @classmethod
    def default_incident_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('pm_security', 'sequence_incident')
        except KeyError:
            return None

    @classmethod
    def default_incident_notify_severity(cls):
        return 'major'

    @classmethod
    def default_pass_hours(cls):
        return PASS_HOURS

    @classmethod
    def default_expiry_warning_days(cls):
        return EXPIRY_WARNING_DAYS

    def get_incident_sequence(self):
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        if self.incident_sequence:
            return self.incident_sequence
        return Sequence(self.default_incident_sequence())

    def get_incident_notify_severity(self):
        return (self.incident_notify_severity
            or self.default_incident_notify_severity())

    def get_pass_hours(self):
        return self.pass_hours or PASS_HOURS

    def get_expiry_warning_days(self):
        if self.expiry_warning_days is None:
            return EXPIRY_WARNING_DAYS
        return self.expiry_warning_days


class Estate(metaclass=PoolMeta):
    __name__ = 'pm.estate'

    security_manager = fields.Many2One(
        'company.employee', "Security Manager",
        domain=[('company', '=', Eval('company', -1))],
        help="Notified of severe incidents when no duty manager "
        "is on the duty roster.")


class Configuration_Maintenance(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    device_work_order_category = fields.Many2One(
        'pm.work_order.category', "Device Fault Category",
        help="The category of the work orders opened "
        "for the faults of monitoring devices.")

    @classmethod
    def default_device_work_order_category(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('pm_maintenance', 'category_low_voltage')
        except KeyError:
            return None

    def get_device_work_order_category(self):
        pool = Pool()
        Category = pool.get('pm.work_order.category')
        if self.device_work_order_category:
            return self.device_work_order_category
        default = self.default_device_work_order_category()
        if default:
            return Category(default)
        categories = Category.search([], limit=1)
        return categories[0] if categories else None
