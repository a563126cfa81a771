from services.common.migrations_env import run_migrations
from services.identity.models import IDENTITY_TABLES

run_migrations(IDENTITY_TABLES)
