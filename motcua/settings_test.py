"""Settings for the test suite: the project's settings with MOTCUA_ENV=test, however pytest is started.

(pytest-django imports the settings before any conftest could set the variable.)
"""

import os

os.environ["MOTCUA_ENV"] = "test"

from motcua.settings import *  # noqa: E402, F403
