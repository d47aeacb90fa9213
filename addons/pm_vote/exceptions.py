# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class MotionError(UserError):
    pass


class MotionValidationError(ValidationError):
    pass


class MotionModifyError(AccessError):
    pass


class BallotError(UserError):
    pass


class BallotModifyError(AccessError):
    pass


class TopicError(UserError):
    pass


class TopicModifyError(AccessError):
    pass
