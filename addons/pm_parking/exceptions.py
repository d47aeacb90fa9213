# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class LotCompanyError(ValidationError):
    pass


class PlateError(ValidationError):
    pass


class SpaceError(ValidationError):
    pass


class ContractValidationError(ValidationError):
    pass


class ContractError(UserError):
    pass


class ContractModifyError(AccessError):
    pass


class VisitError(UserError):
    pass


class VisitModifyError(AccessError):
    pass


class ParkingImportError(UserError):
    pass
