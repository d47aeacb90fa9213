# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class EshopError(UserError):
    pass


class CheckoutError(UserError):
    pass


class OrderCancelError(UserError):
    pass


class OrderStateError(UserError):
    pass


class TimeSlotError(ValidationError):
    pass


class MerchantValidationError(ValidationError):
    pass


class RatingError(UserError):
    pass


class SettlementError(UserError):
    pass


class SettlementModifyError(AccessError):
    pass
