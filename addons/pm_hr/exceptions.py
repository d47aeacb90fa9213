# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class IdentityNumberError(ValidationError):
    pass


class ContractError(ValidationError):
    pass


class ShiftError(ValidationError):
    pass


class RosterError(UserError):
    pass


class RosterModifyError(AccessError):
    pass


class SummaryModifyError(AccessError):
    pass


class InsuranceError(ValidationError):
    pass


class SalaryError(ValidationError):
    pass


class PayrollError(UserError):
    pass


class PayslipModifyError(AccessError):
    pass


class MeetingError(ValidationError):
    pass


class WorkPlanError(ValidationError):
    pass
