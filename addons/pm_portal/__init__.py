# This file is part of the pm suite (物业管理系统). See README.md.
# The portal pages are werkzeug routes: they must exist before the first
# request (trytond imports each addon package at start, the models later).
from . import routes  # noqa: F401 (registers the portal routes)
