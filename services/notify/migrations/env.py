from services.common.migrations_env import run_migrations
from services.notify.models import NOTIFY_TABLES

run_migrations(NOTIFY_TABLES)
