# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError


class FundError(UserError):
    pass


class FundModifyError(AccessError):
    pass
