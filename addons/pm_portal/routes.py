# This file is part of the pm suite (物业管理系统). See README.md.
"""Imports every page module of the portal (routes register on import)."""
from . import routes_account  # noqa: F401
from . import routes_billing  # noqa: F401
from . import routes_content  # noqa: F401
from . import routes_service  # noqa: F401
from . import routes_extras  # noqa: F401
from . import routes_vote  # noqa: F401
