"""The money rules as plain functions on plain data. Never imports fastapi or sqlalchemy."""
