"""Root test configuration: tests run with MOTCUA_ENV=test whatever the shell says."""

import os

os.environ["MOTCUA_ENV"] = "test"
