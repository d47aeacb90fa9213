# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class AreaValidationError(ValidationError):
    pass


class EstateCompanyError(ValidationError):
    pass


class UnitGenerateError(UserError):
    pass


class DuplicateUnitError(UserError):
    pass


class HandoverError(UserError):
    pass


class HandoverModifyError(AccessError):
    pass
