from services.common.migrations_env import run_migrations
from services.orgunits.models import ORGUNITS_TABLES

run_migrations(ORGUNITS_TABLES)
