# This file is part of the pm suite (物业管理系统). See README.md.
