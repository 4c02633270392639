"""A private PostgreSQL server for a test or a benchmark that stops and starts the database: its own
cluster in a temporary folder (initdb), on a free port of 127.0.0.1, trust authentication, fsync
off, so restarting it disturbs no one else (the machine's shared server at 5432 serves the other
tests in parallel).

    with Cluster() as pg:              # initdb + start; stopped and removed on exit
        url = pg.create_database("newswire")
        pg.restart()                   # pg_ctl restart -m fast: every session ends, new ones succeed

The server binaries are found with ``pg_config --bindir``, else the newest
``/usr/lib/postgresql/*/bin`` (Debian, Ubuntu), else ``/usr/pgsql-*/bin`` (RHEL) or on PATH;
``server_bindir()`` is None when there are none (``skip_reason`` says so). PostgreSQL refuses to run
as root: as root, the folder is given to the ``postgres`` user and every command runs through
``runuser -u postgres``.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

SERVER_TOOLS = ("initdb", "pg_ctl", "postgres")
SETTINGS = {  # a throwaway server: speed over durability; room for every process's pool
    "listen_addresses": "'127.0.0.1'", "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
    "max_connections": "300", "shared_buffers": "'64MB'",
}


def _has_tools(folder: str | Path) -> bool:
    return all((Path(folder) / tool).is_file() for tool in SERVER_TOOLS)


def _version(folder: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", folder))


def server_bindir() -> Path | None:
    """The folder of ``initdb``, ``pg_ctl`` and ``postgres``, or None when this machine has none."""
    if os.environ.get("NEWSWIRE_PG_BINDIR"):
        return Path(os.environ["NEWSWIRE_PG_BINDIR"]) if _has_tools(os.environ["NEWSWIRE_PG_BINDIR"]) else None
    if shutil.which("pg_config"):
        try:
            found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found and _has_tools(found):
            return Path(found)
    for pattern in ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/usr/local/pgsql/bin"):
        for folder in sorted(glob.glob(pattern), key=_version, reverse=True):
            if _has_tools(folder):
                return Path(folder)
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path and _has_tools(Path(on_path).parent) else None


def skip_reason() -> str | None:
    """Why a private cluster cannot be made here, or None when it can."""
    if server_bindir() is None:
        return ("no PostgreSQL server binaries (initdb, pg_ctl, postgres) found through pg_config --bindir, "
                "/usr/lib/postgresql/*/bin, /usr/pgsql-*/bin or PATH; install postgresql (e.g. apt-get install "
                "postgresql-15) or set NEWSWIRE_PG_BINDIR")
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One throwaway PostgreSQL server: ``start`` (initdb on first use), ``stop``, ``restart``,
    ``close`` (stops it and removes its folder)."""

    def __init__(self, bindir: Path | None = None, *, settings: dict[str, str] | None = None):
        self.bindir = bindir or server_bindir()
        if self.bindir is None:
            raise RuntimeError(skip_reason())
        self.settings = {**SETTINGS, **(settings or {})}
        self.root = Path(tempfile.mkdtemp(prefix="nw-pgcluster-"))
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse root
            user = pwd.getpwnam("postgres")  # (KeyError: no postgres user to run the server as)
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.port = 0

    # --- the server --------------------------------------------------------------------------

    def _run(self, tool: str, *args: str, timeout: float = 120) -> str:
        res = subprocess.run([*self.as_user, str(self.bindir / tool), *args], capture_output=True, text=True,
                             timeout=timeout, cwd=self.root)
        if res.returncode != 0:
            log = self.log.read_text()[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} {' '.join(args)} failed ({res.returncode}): {res.stderr or res.stdout}\n{log}")
        return res.stdout

    def _initdb(self) -> None:
        base = ["-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "-N"]
        try:
            self._run("initdb", *base, "--locale=C.UTF-8")
        except RuntimeError:  # no C.UTF-8 locale on this system
            shutil.rmtree(self.data, ignore_errors=True)
            self._run("initdb", *base, "--no-locale")

    def start(self) -> "Cluster":
        """Start the server (initdb on first use); returns once it accepts connections. Its port and
        settings are in its own postgresql.conf, so every start (and pg_ctl's restart) keeps them."""
        if not self.data.exists():
            self._initdb()
        first = not self.port  # later starts keep the port: clients know it
        for attempt in range(5 if first else 1):  # a free port can be taken between the look and the bind
            if not self.port:
                self._configure(_free_port())
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "120", "start")
                return self
            except RuntimeError:
                if not first or attempt == 4 or "could not bind" not in self.log.read_text():
                    raise
                self.port = 0
        raise AssertionError("unreachable")

    def _configure(self, port: int) -> None:
        values = {**self.settings, "port": port, "unix_socket_directories": f"'{self.root}'"}
        with open(self.data / "postgresql.conf", "a") as conf:  # (the last line of a setting wins)
            conf.write("".join(f"{k} = {v}\n" for k, v in values.items()))
        self.port = port

    def stop(self, mode: str = "fast") -> None:
        """``fast``: every session is ended (what a restart does to clients); ``immediate``: no checkpoint."""
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "120", "-m", mode, "stop")

    def restart(self, down: float = 0.0) -> None:
        """Stop (``-m fast``: every session ends), stay down ``down`` seconds, start again; returns once
        the server accepts connections."""
        if down <= 0:
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "120", "-m", "fast",
                      "restart")
            return
        self.stop()
        time.sleep(down)  # (a benchmark's outage of a chosen length)
        self.start()

    def running(self) -> bool:
        res = subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"],
                             capture_output=True, timeout=30)
        return res.returncode == 0

    def close(self) -> None:
        try:
            if self.data.exists() and self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Cluster":
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()

    # --- databases ---------------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new, empty database on this server; returns its SQLAlchemy URL."""
        admin = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)
