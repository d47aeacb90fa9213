# This file is part of the pm suite (物业管理系统). See README.md.
# The portal pages are werkzeug routes: they must exist before the first
# request; pm_portal is an extra of pm_fund (no portal, no pages).
import logging

try:
    from . import portal_pages  # noqa: F401 (registers the portal routes)
except Exception:  # pm_portal missing or broken: the back end still works
    logging.getLogger(__name__).info(
        "pm_fund: portal pages not registered", exc_info=True)
