"""The operator's commands for the production path (the scripts in ``deploy/`` call them):

    python -m services.deploy setup                  # deploy/setup: .env, broker, databases, keys, migrations
    python -m services.deploy add-integrator NAME    # deploy/add-integrator: a broker user for one integrator
    python -m services.deploy teardown [--yes]       # deploy/teardown: remove everything setup made

Every name comes from the settings in ``deploy/.env``: the vhost, the users and their passwords from the
``*_BUS_URL``s, the PostgreSQL role and databases from the ``*_DATABASE_URL``s. On its first run setup writes
that file from ``deploy/.env.example``, naming everything after ``EGOV_INSTANCE`` (default ``egov``), so two
installations can share a broker or a PostgreSQL server. A re-run never changes a password that exists: a broker
user or role that is already there is kept, and setup stops if the password it has is not the one in
``deploy/.env``.

Least privilege on the broker (RabbitMQ permissions are regular expressions over exchange and queue names):
each service's user configures, writes and reads the suite's three exchanges and its own queues
(``<service>.…``) only; an integrator's user may create, bind and read queues named ``integrator.<name>.…`` and
read (bind to) ``egov.events``, and can publish nowhere; the operator's user may only publish to the default
exchange, which is how ``deploy/replay`` puts past events into one queue."""
from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import string
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
from cryptography.fernet import Fernet
from dotenv import dotenv_values
from psycopg import sql
from sqlalchemy.engine import make_url

from services.common.bus import DEAD_LETTER_EXCHANGE, EXCHANGE, UNROUTED_EXCHANGE
from services.common.worker import SERVICES

ENV_FILE = Path("deploy/.env")
TEMPLATE = Path("deploy/.env.example")
PORT_OFFSETS = {"PORTAL": 0, "IDENTITY": 1, "ORGUNITS": 2, "PROCESS": 3, "NOTIFY": 5}
INSTANCE = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
INTEGRATOR = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
_SHARED = "|".join(re.escape(name) for name in (EXCHANGE, DEAD_LETTER_EXCHANGE, UNROUTED_EXCHANGE))


class SetupError(Exception):
    """Something the operator must fix; the message says what."""


@dataclass(frozen=True)
class BrokerUser:
    name: str
    password: str
    configure: str
    write: str
    read: str


def service_permissions(service: str) -> tuple[str, str, str]:
    own = rf"^({_SHARED}|{re.escape(service)}\..*)$"
    return own, own, own


def integrator_permissions(name: str) -> tuple[str, str, str]:
    queues = rf"^integrator\.{re.escape(name)}\..*"
    return queues, queues, rf"^(integrator\.{re.escape(name)}\..*|{re.escape(EXCHANGE)})$"


OPERATOR_PERMISSIONS = ("^$", r"^amq\.default$", "^$")


# -- deploy/.env ---------------------------------------------------------------------------------------------
def write_env(path: Path, instance: str, port_base: int) -> None:
    """deploy/.env from the template: names after the instance, ports from the base, fresh secrets."""
    if not INSTANCE.match(instance):
        raise SetupError(f"EGOV_INSTANCE={instance!r}: use lower-case letters, digits and _ (a letter first, "
                         "at most 31)")

    def secret() -> str:
        return secrets.token_urlsafe(32)

    values = {"EGOV_INSTANCE": instance, "PG_PASSWORD": secret(), "SEALING_KEY": Fernet.generate_key().decode(),
              "AMQP_PASSWORD_OPERATOR": secret(),
              **{f"AMQP_PASSWORD_{s.upper()}": secret() for s in SERVICES},
              **{f"{name}_PORT": str(port_base + offset) for name, offset in PORT_OFFSETS.items()}}
    text = re.sub(r"\$\{GENERATED_SECRET\}", lambda _m: secret(), TEMPLATE.read_text(encoding="utf-8"))
    text = string.Template(text).safe_substitute(values)
    left = sorted(set(re.findall(r"\$\{([A-Z_]+)\}", text)))
    if left:
        raise SetupError(f"{TEMPLATE} names values setup does not know: {', '.join(left)}")
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)


def load_env(path: Path) -> dict[str, str]:
    if not path.exists():
        raise SetupError(f"{path} does not exist: run deploy/setup first")
    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def _bus_parts(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("amqp", "amqps") or not parts.username:
        raise SetupError(f"{url.split('@')[-1]!r} is not an amqp:// URL with a user")
    return unquote(parts.username), unquote(parts.password or ""), unquote(parts.path.lstrip("/")) or "/"


def broker_users(env: dict[str, str]) -> tuple[str, list[BrokerUser]]:
    """The vhost and every user the settings name, with the permissions each gets."""
    users, vhosts = [], set()
    for service in SERVICES:
        name, password, vhost = _bus_parts(env[f"{service.upper()}_BUS_URL"])
        users.append(BrokerUser(name, password, *service_permissions(service)))
        vhosts.add(vhost)
    name, password, vhost = _bus_parts(env["EGOV_OPERATOR_BUS_URL"])
    users.append(BrokerUser(name, password, *OPERATOR_PERMISSIONS))
    vhosts.add(vhost)
    if len(vhosts) != 1 or len({u.name for u in users}) != len(users):
        raise SetupError("every *_BUS_URL must name the same vhost and its own user")
    return vhosts.pop(), users


def databases(env: dict[str, str]) -> list[tuple[str, object]]:
    return [(service, make_url(env[f"{service.upper()}_DATABASE_URL"])) for service in SERVICES]


# -- the broker, through rabbitmqctl -------------------------------------------------------------------------
def rabbitmqctl(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """A password is passed after ``--``: a generated one may begin with a dash, which rabbitmqctl would otherwise
    take for an option."""
    try:
        done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=120)
    except FileNotFoundError as exc:
        raise SetupError("rabbitmqctl is not on PATH (install RabbitMQ's server package, run as root or as "
                         "the rabbitmq user)") from exc
    if check and done.returncode != 0:
        raise SetupError(f"rabbitmqctl {args[0]} failed: {(done.stderr or done.stdout).strip()[:300]}")
    return done


def _listed(what: str) -> set[str]:
    """The broker's ``users`` or ``vhosts`` by name."""
    out = rabbitmqctl(f"list_{what}", "--no-table-headers").stdout
    return {line.split("\t")[0].strip() for line in out.splitlines() if line.strip()}


def ensure_broker_user(vhost: str, user: BrokerUser, existing: set[str]) -> str:
    """Create the user, or keep an existing one (``existing``: the broker's users) whose password is the one in the
    settings; set its permissions."""
    if user.name in existing:
        if rabbitmqctl("authenticate_user", "--", user.name, user.password, check=False).returncode != 0:
            raise SetupError(
                f"the broker user {user.name} already exists with another password. setup never resets a password: "
                f"put that user's password in deploy/.env, or choose another EGOV_INSTANCE (another installation "
                f"on this broker may own it)")
        state = "kept"
    else:
        rabbitmqctl("add_user", "--", user.name, user.password)
        state = "created"
    rabbitmqctl("set_permissions", "-p", vhost, user.name, user.configure, user.write, user.read)
    return state


# -- PostgreSQL ----------------------------------------------------------------------------------------------
def _admin() -> psycopg.Connection:
    """A superuser's connection: PG_ADMIN_URL, else postgres on this machine."""
    admin_url = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        return psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise SetupError(f"PostgreSQL is not reachable as {admin_url.split('@')[-1]} (set PG_ADMIN_URL to a "
                         f"superuser's URL): {str(exc).strip()[:200]}") from exc


def ensure_databases(env: dict[str, str]) -> list[str]:
    said = []
    with _admin() as conn:
        for service, url in databases(env):
            role = sql.Identifier(url.username)
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (url.username,)).fetchone() is None:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(role, sql.Literal(url.password)))
                said.append(f"PostgreSQL role {url.username}: created")
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(url.database), role))
                said.append(f"PostgreSQL database {url.database} ({service}): created")
    for service, url in databases(env):     # each service reaches its own database with its own settings
        try:
            psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False),
                            connect_timeout=5).close()
        except psycopg.OperationalError as exc:
            raise SetupError(f"{service} cannot sign in to {url.database} as {url.username}: the role exists with "
                             f"another password (setup never resets one) or the server refuses it: "
                             f"{str(exc).strip()[:200]}") from exc
    return said


# -- the commands --------------------------------------------------------------------------------------------
def _child_env(env: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **env, "PYTHONUNBUFFERED": "1"}


def setup(env_file: Path = ENV_FILE) -> None:
    if env_file.exists():
        print(f"keeping {env_file} (its passwords and names)")
    else:
        instance = os.environ.get("EGOV_INSTANCE", "egov")
        port_base = int(os.environ.get("EGOV_PORT_BASE", "8100"))
        write_env(env_file, instance, port_base)
        print(f"writing {env_file}: installation {instance!r}, ports from {port_base}, generated passwords")
    env = load_env(env_file)
    vhost, users = broker_users(env)
    if vhost not in _listed("vhosts"):
        rabbitmqctl("add_vhost", vhost)
        print(f"RabbitMQ vhost {vhost}: created")
    existing = _listed("users")
    for user in users:
        print(f"RabbitMQ user {user.name}: {ensure_broker_user(vhost, user, existing)}")
    for line in ensure_databases(env):
        print(line)
    _signing_keys(env)
    for service in SERVICES:
        for step in ("migrate", "declare"):   # identity's first declare creates the super admin and prints
            print(f"{service}: {step}", flush=True)   # its one-time password here
            done = subprocess.run([sys.executable, "-m", "services.common.worker", service, step],
                                  env=_child_env(env), check=False)
            if done.returncode != 0:
                raise SetupError(f"{service} {step} failed (its log is above)")
    print("\nready. Start every process with:  .venv/bin/honcho -f deploy/Procfile -e deploy/.env start\n"
          "Demo data (the Bình Thuận tree, people, a staffed field-report process and a waiting report), once "
          "the processes run:  deploy/load-demo\nA broker user for an integrator:  deploy/add-integrator NAME")


def _signing_keys(env: dict[str, str]) -> None:
    from services.common.devkeys import DevKeys

    private, public = Path(env["IDENTITY_SIGNING_KEY"]), Path(env["IDENTITY_JWT_PUBLIC_KEY"])
    if not private.exists():
        print(f"generating identity's token-signing key pair in {private.parent}/")
    keys = DevKeys.load_or_create(private)
    if not public.exists():
        public.write_text(keys.public_pem)


def add_integrator(name: str, env_file: Path = ENV_FILE) -> None:
    if not INTEGRATOR.match(name):
        raise SetupError(f"{name!r}: an integrator's name is lower-case letters, digits and - (a letter first)")
    env = load_env(env_file)
    vhost, _users = broker_users(env)
    user = f"{env['EGOV_INSTANCE']}_int_{name}"
    host = urlsplit(env["EGOV_OPERATOR_BUS_URL"])
    password = secrets.token_urlsafe(24)
    if user in _listed("users"):
        password = None
        print(f"RabbitMQ user {user} exists; its password is unchanged (delete_user it to issue a new one)")
    else:
        rabbitmqctl("add_user", "--", user, password)
    rabbitmqctl("set_permissions", "-p", vhost, user, *integrator_permissions(name))
    where = f"{host.hostname}:{host.port or 5672}/{vhost}"
    print(f"integrator {name}:\n"
          f"  broker URL    amqp://{user}:{password or '<unchanged>'}@{where}\n"
          f"  its queues    integrator.{name}.<anything> (it creates them and binds them to {EXCHANGE})\n"
          f"  it may        read its own queues; bind them to {EXCHANGE}; nothing else (no publishing)\n"
          "  quick start   docs/integrators.md")


def teardown(yes: bool, env_file: Path = ENV_FILE) -> None:
    env = load_env(env_file)
    instance = env["EGOV_INSTANCE"]
    vhost, users = broker_users(env)
    existing = _listed("users")
    integrators = sorted(u for u in existing if u.startswith(f"{instance}_int_"))
    names = [u.name for u in users] + integrators
    dbs = databases(env)
    roles = sorted({url.username for _s, url in dbs})
    files = [env_file, Path(env["IDENTITY_SIGNING_KEY"]), Path(env["IDENTITY_JWT_PUBLIC_KEY"]),
             Path(env.get("PORTAL_VAR_DIR", "var/portal"))]
    plan = [f"RabbitMQ vhost {vhost} (its exchanges, queues and messages)", f"RabbitMQ users {', '.join(names)}",
            *(f"PostgreSQL database {url.database}" for _s, url in dbs),
            f"PostgreSQL role {', '.join(roles)}",
            *(f"file {p}" for p in files if p.exists())]
    if not yes:
        print("deploy/teardown would remove (stop the processes first):\n  " + "\n  ".join(plan) +
              "\nrun again with --yes to remove them")
        raise SystemExit(1)
    if vhost in _listed("vhosts"):
        rabbitmqctl("delete_vhost", vhost)
    for user in names:
        if user in existing:
            rabbitmqctl("delete_user", user)
    with _admin() as conn:
        for _service, url in dbs:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(url.database)))
        for role in roles:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    for path in files:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
            if path.parent.name == "keys" and not any(path.parent.iterdir()):
                path.parent.rmdir()
    print("removed:\n  " + "\n  ".join(plan))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.deploy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup")
    integrator = commands.add_parser("add-integrator")
    integrator.add_argument("name")
    down = commands.add_parser("teardown")
    down.add_argument("--yes", action="store_true", help="remove (without it: only say what would go)")
    args = parser.parse_args(argv)
    try:
        if args.command == "setup":
            setup()
        elif args.command == "add-integrator":
            add_integrator(args.name)
        else:
            teardown(args.yes)
    except SetupError as exc:
        print(f"deploy: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
