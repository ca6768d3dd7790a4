"""The benches' databases: a migrated throw-away one per backend, and the end of a bulk load.

Every bench measures against the real, migrated tables of a database made for the run and removed after it,
even after an error or Ctrl-C: on SQLite a file in a temporary folder, on PostgreSQL a fresh schema on the
server named by MAINTBOT_BENCH_POSTGRES_URL (default: the local test database), reached with
`-csearch_path=<schema>` as the tests do. Stated once here, so that every bench's figures stand on the same
set-up.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from storage import migrate
from storage.db import Database, make_engine

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    """The PostgreSQL server the benches use unless told otherwise."""
    return os.environ.get("MAINTBOT_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def open_database(url: str, schema: str | None = None, **options) -> Database:
    """A `Database` on `url`, inside `schema` on PostgreSQL (for a served app in a child process, say)."""
    if schema:
        options["connect_args"] = {**options.get("connect_args", {}), "options": f"-csearch_path={schema}"}
    return Database(url, **options)


@dataclass(frozen=True)
class Scratch:
    """A throw-away database: `db` to use here; `url` and `schema` to open it again elsewhere."""

    db: Database
    url: str
    schema: str | None

    @property
    def label(self) -> str:
        """Where it lives, for the report."""
        return f"temporary schema {self.schema}" if self.schema else "temporary file"

    @property
    def url_with_schema(self) -> str:
        """One URL that reaches the schema, for processes that take only a URL."""
        return f"{self.url}?options={quote(f'-csearch_path={self.schema}')}" if self.schema else self.url


@contextmanager
def scratch_database(backend: str, *, url: str | None = None, name: str = "maintbot_bench") -> Iterator[Scratch]:
    """A migrated, empty database of `backend` ("sqlite" or "postgresql"), removed on leaving.

    `url` is the PostgreSQL server (default `postgres_url()`); `name` starts the schema's or folder's name."""
    folder = schema = admin = None
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix=name.replace("_", "-") + "-")
        url = f"sqlite:///{folder}/bench.db"
    elif backend == "postgresql":
        url = url or postgres_url()
        schema = f"{name}_{uuid.uuid4().hex[:10]}"
        admin = make_engine(url, connect_args={"connect_timeout": 5})
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    else:
        raise ValueError(f"unknown backend {backend!r}: sqlite or postgresql")
    db = open_database(url, schema)
    try:
        migrate.upgrade(db.engine)
        yield Scratch(db, url, schema)
    finally:
        db.dispose()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if admin is not None:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            admin.dispose()


def postgres_version(url: str | None = None) -> str | None:
    """The server's version, or None after saying why it cannot be reached (the bench then skips it)."""
    engine = make_engine(url or postgres_url(), connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            return connection.scalar(text("SHOW server_version"))
    except Exception as error:  # unreachable, refused, bad credentials: say so and go on
        reason = str(error).strip().splitlines()[0]
        print(f"\n== PostgreSQL skipped: cannot connect to {engine.url.render_as_string()}: {reason}")
        return None
    finally:
        engine.dispose()


def move_sequences(db: Database, connection, tables: tuple[str, ...]) -> None:
    """After rows were bulk-inserted with their own ids on `connection` (still in its transaction): move
    PostgreSQL's serial sequences of `tables` past them, so that the app's own inserts go on working.
    Once the transaction is committed, `planner_statistics` brings the planner up to date."""
    if db.dialect == "postgresql":
        for table in tables:
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            connection.execute(text(f"SELECT setval({sequence}, max(id)) FROM {table}"))


def planner_statistics(db: Database, vacuum: tuple[str, ...], analyze: bool = True) -> None:
    """What a deployment has shortly after such a load: on PostgreSQL, `VACUUM ANALYZE` of the `vacuum` tables
    (autovacuum's statistics and visibility map); on SQLite, `ANALYZE` (`Database.analyze`, as `maintbot` runs
    it at start-up and hourly) unless `analyze` is False."""
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"VACUUM ANALYZE {', '.join(vacuum)}"))
    elif analyze:
        db.analyze()
