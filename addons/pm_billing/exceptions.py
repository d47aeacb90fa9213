# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class RateValidationError(ValidationError):
    pass


class RateModifyError(AccessError):
    pass


class AssignmentOverlapError(ValidationError):
    pass


class ReadingError(ValidationError):
    pass


class ReadingImportError(UserError):
    pass


class BillingRunError(UserError):
    pass


class BillModifyError(AccessError):
    pass


class BillPostError(UserError):
    pass
