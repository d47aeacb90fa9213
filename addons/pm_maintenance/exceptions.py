# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class WorkOrderError(UserError):
    pass


class WorkOrderValidationError(ValidationError):
    pass


class WorkOrderModifyError(AccessError):
    pass


class MaterialError(UserError):
    pass


class SLAValidationError(ValidationError):
    pass


class ComplaintError(UserError):
    pass


class ComplaintModifyError(AccessError):
    pass


class EquipmentValidationError(ValidationError):
    pass


class PlanValidationError(ValidationError):
    pass


class DecorationError(UserError):
    pass


class ViolationError(UserError):
    pass


class EnvironmentValidationError(ValidationError):
    pass
