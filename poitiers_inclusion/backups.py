"""Backups of the database (pg_dump, custom format: compressed) and of the uploaded files, and
their restoration into an empty database: what `make backup` and `make restore` run."""

import contextlib
import datetime
import os
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connections

from .env import env_str


class BackupError(Exception):
    """A backup or a restoration cannot go on: the message says why, in French."""


def pg_program(name: str) -> str:
    """A PostgreSQL client program: pgserver's (the embedded server's version), or those of the
    folder PG_BIN names (a managed server of a newer major version needs its own)."""
    folder = env_str("PG_BIN")
    if folder:
        return str(Path(folder) / name)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver._commands import POSTGRES_BIN_PATH
    return str(POSTGRES_BIN_PATH / name)


def _libpq_environment(alias: str = "default") -> dict:
    """The database's connection as libpq variables: the password never appears in a command
    line (visible to every user of the machine)."""
    db = settings.DATABASES[alias]
    options = db.get("OPTIONS") or {}
    values = {
        "PGHOST": options.get("host") or db.get("HOST"),
        "PGPORT": options.get("port") or db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
        "PGSSLMODE": options.get("sslmode"),
        "PGCONNECT_TIMEOUT": options.get("connect_timeout"),
    }
    return {**os.environ, **{k: str(v) for k, v in values.items() if v not in (None, "")}}


def _run(args: list[str]) -> None:
    result = subprocess.run(args, env=_libpq_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} a échoué :\n{result.stderr.strip()}")


def backup(folder: Path, *, now: datetime.datetime | None = None) -> list[Path]:
    """Write the database's dump, and an archive of the uploaded files when there are some,
    named after the database and the time; return their paths."""
    # Backups hold personal data: readable by their owner only.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    dump = folder / f"inclusion-{settings.DATABASES['default']['NAME']}-{stamp}.dump"
    with _written_whole(dump) as partial:
        _run([pg_program("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}"])
    written = [dump]
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        archive = files_archive_for(dump)
        with _written_whole(archive) as partial, tarfile.open(partial, "w:gz") as tar:
            tar.add(media, arcname=".")
        written.append(archive)
    return written


@contextlib.contextmanager
def _written_whole(path: Path):
    """Write under another name, then rename: a file cut short never looks like a backup."""
    partial = path.with_name(f".{path.name}.partiel")
    old_umask = os.umask(0o077)
    try:
        yield partial
        partial.rename(path)
    finally:
        os.umask(old_umask)
        partial.unlink(missing_ok=True)


def files_archive_for(dump: Path) -> Path:
    return dump.with_name(dump.name.removesuffix(".dump") + "-fichiers.tar.gz")


def check_restorable(dump: Path) -> None:
    """The file exists and the configured database is empty: a restoration never mixes two
    databases nor overwrites one."""
    if not dump.is_file():
        raise BackupError(f"Le fichier {dump} n'existe pas.")
    if connections["default"].introspection.table_names():
        raise BackupError(
            f"La base {settings.DATABASES['default']['NAME']} n'est pas vide : une sauvegarde se "
            "restaure dans une base neuve (createdb), désignée par DATABASE_URL. Rien n'a été "
            "modifié."
        )


# What the apps must redo once a backup is restored (register_after_restore): data derived from
# the database on this machine (the figures store) does not belong to the restored one.
_AFTER_RESTORE: list = []


def register_after_restore(function) -> None:
    """`function()` runs after every restore and returns a line saying what it did, or None."""
    if function not in _AFTER_RESTORE:
        _AFTER_RESTORE.append(function)


def restore(dump: Path) -> list[str]:
    """Restore dump into the configured database, which must be empty, in one transaction; then
    the uploaded files next to it into MEDIA_ROOT, if that folder is empty. Return what was done."""
    check_restorable(dump)
    connections.close_all()
    _run(
        [
            pg_program("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={settings.DATABASES['default']['NAME']}",
            str(dump),
        ]
    )
    done = [f"Base {settings.DATABASES['default']['NAME']} restaurée depuis {dump.name}."]
    archive = files_archive_for(dump)
    media = Path(settings.MEDIA_ROOT)
    if archive.is_file():
        if media.is_dir() and any(media.iterdir()):
            done.append(
                f"Fichiers déposés non restaurés : {media} n'est pas vide ({archive.name})."
            )
        else:
            media.mkdir(parents=True, exist_ok=True)
            # The "data" filter refuses links and paths that leave the folder (Python ≥ 3.11.4).
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            with tarfile.open(archive) as tar:
                tar.extractall(media, **safe)
            done.append(f"Fichiers déposés restaurés dans {media}.")
    for function in _AFTER_RESTORE:
        if line := function():
            done.append(line)
    return done
