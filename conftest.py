"""Root test configuration. The suite runs with motcua.settings_test (MOTCUA_ENV=test), set in pyproject.toml."""
