# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class DocumentError(UserError):
    pass


class DocumentModifyError(AccessError):
    pass


class DocumentValidationError(ValidationError):
    pass


class AttachmentError(ValidationError):
    pass


class RecordDomainError(ValidationError):
    pass


class DistributionError(UserError):
    pass


class AcknowledgementError(UserError):
    pass


class AuditError(UserError):
    pass


class NonconformityError(UserError):
    pass


class CapaError(UserError):
    pass


class CapaValidationError(ValidationError):
    pass
