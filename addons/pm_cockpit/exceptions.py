# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.exceptions import UserError


class CockpitError(UserError):
    pass
