from services.common.migrations_env import run_migrations
from services.process.models import PROCESS_TABLES

run_migrations(PROCESS_TABLES)
