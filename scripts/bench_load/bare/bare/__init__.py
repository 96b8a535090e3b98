"""A bare Django project: the yardstick the load benchmark measures motcua against.

One app, one model, no middleware: the least Django + gunicorn + PostgreSQL can do for "read one row by its
primary key as JSON" and "insert a row and update it in one transaction".
"""
