# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.party.exceptions import EraseError


class IdentityNumberError(ValidationError):
    pass


class MobileError(ValidationError):
    pass


class CustomerEraseError(EraseError):
    pass


class UnitCompanyError(ValidationError):
    pass


class OccupancyError(ValidationError):
    pass


class OwnerShareError(ValidationError):
    pass


class BillingPartyError(ValidationError):
    pass


class UnitTransferError(UserError):
    pass


class MoveInError(UserError):
    pass


class MoveInModifyError(AccessError):
    pass


class LeaseError(UserError):
    pass


class LeaseValidationError(ValidationError):
    pass


class LeaseModifyError(AccessError):
    pass


class DecorationModifyError(AccessError):
    pass
