# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class ShiftError(ValidationError):
    pass


class PatrolError(UserError):
    pass


class PatrolValidationError(ValidationError):
    pass


class PassError(UserError):
    pass


class PassValidationError(ValidationError):
    pass


class BlacklistError(UserError):
    pass


class VisitorError(UserError):
    pass


class AccessCardError(UserError):
    pass


class AccessCardValidationError(ValidationError):
    pass


class IncidentError(UserError):
    pass


class FireSafetyError(UserError):
    pass


class GuardEquipmentError(UserError):
    pass


class DeviceError(UserError):
    pass


class SecurityModifyError(AccessError):
    pass
