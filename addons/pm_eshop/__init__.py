# This file is part of the pm suite (物业管理系统). See README.md.
try:
    from . import portal_pages  # portal routes (pm_portal/API.md)
except ImportError:  # pm_portal is not installed
    portal_pages = None

__all__ = ['portal_pages']
