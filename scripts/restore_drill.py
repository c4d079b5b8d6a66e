"""Prove the latest backup restores: into a fresh scratch database, with every row there.

    DATABASE_URL=postgres://user@host:5432/hearth .venv/bin/python scripts/restore_drill.py

Takes the newest ``hearth-<stamp>.dump`` in BACKUP_DIR (default: backups/ in the checkout,
as scripts/backup.sh writes), restores it with pg_restore into a new, uniquely named
database on the same server as DATABASE_URL, counts the rows of every table and compares
them with the counts backup.sh took in the dump's own snapshot (``.counts.tsv``; without
that file, with the live source database, where writes since the backup show up as
differences). Prints a table, checks the media archive opens, drops the scratch database
whatever happened, and exits 0 when everything matches, 1 on a mismatch, 2 when the drill
could not run. ``--keep`` leaves the scratch database for a look around.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
# The rows that matter most, named for the table a person reads.
KEY_TABLES = {
    "public.community_user": "members",
    "public.forum_post": "forum posts",
    "public.chat_chatmessage": "chat messages",
    "public.referrals_referral": "referrals",
    "public.referrals_pointsentry": "points-ledger rows",
}
COUNT_ALL_TABLES = """
SELECT format('%I.%I', table_schema, table_name),
       (xpath('/row/n/text()', query_to_xml(
           format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name), false, true, '')
       ))[1]::text::bigint
  FROM information_schema.tables
 WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
 ORDER BY 1
"""


class DrillError(Exception):
    """The drill could not run (as opposed to: it ran and found a difference)."""


@dataclass(frozen=True)
class Backup:
    dump: Path

    @property
    def name(self) -> str:
        return self.dump.name.removesuffix(".dump")

    @property
    def counts(self) -> Path:
        return self.dump.with_name(f"{self.name}.counts.tsv")

    @property
    def media(self) -> Path:
        return self.dump.with_name(f"{self.name}.media.tar.gz")


def latest_backup(backup_dir: Path) -> Backup:
    dumps = sorted(backup_dir.glob("hearth-*.dump"))  # UTC stamps sort by time
    if not dumps:
        raise DrillError(f"No hearth-*.dump in {backup_dir}; run scripts/backup.sh first.")
    return Backup(dumps[-1])


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def count_rows(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        return dict(conn.execute(COUNT_ALL_TABLES).fetchall())


def read_counts(path: Path) -> dict[str, int]:
    counts = {}
    for line in path.read_text().splitlines():
        if line.strip():
            table, rows = line.rsplit("\t", 1)
            counts[table] = int(rows)
    return counts


def media_files(path: Path) -> int:
    if not path.exists():
        raise DrillError(f"The media archive {path.name} is missing.")
    try:
        with tarfile.open(path) as archive:
            return sum(1 for member in archive if member.isfile())
    except (tarfile.TarError, OSError) as exc:
        raise DrillError(f"The media archive {path.name} does not open: {exc}") from None


def compare(expected: dict[str, int], restored: dict[str, int]) -> tuple[list[list[str]], bool]:
    """Rows for the printed table and whether everything matched."""
    rows, ok = [], True
    for table, label in KEY_TABLES.items():
        want, got = expected.get(table), restored.get(table)
        match = want is not None and want == got
        ok &= match
        rows.append([label, table, _n(want), _n(got), "ok" if match else "MISMATCH"])
    others = sorted((set(expected) | set(restored)) - set(KEY_TABLES))
    different = [t for t in others if expected.get(t) != restored.get(t)]
    for table in different:
        rows.append(["", table, _n(expected.get(table)), _n(restored.get(table)), "MISMATCH"])
    ok &= not different
    rows.append(
        [
            f"other tables ({len(others)})",
            "",
            _n(sum(expected.get(t, 0) for t in others)),
            _n(sum(restored.get(t, 0) for t in others)),
            "ok" if not different else f"{len(different)} differ",
        ]
    )
    return rows, ok


def _n(value: int | None) -> str:
    return "missing" if value is None else f"{value:,}"


def print_table(rows: list[list[str]], *, source: str) -> None:
    header = ["what", "table", source, "restored", ""]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  "
            f"{row[2]:>{widths[2]}}  {row[3]:>{widths[3]}}  {row[4]}"
        )


def drill(*, source_url: str, backup_dir: Path, maintenance_db: str, keep: bool) -> bool:
    backup = latest_backup(backup_dir)
    print(f"Restore drill: {backup.dump} ({backup.dump.stat().st_size:,} bytes)")
    files = media_files(backup.media)
    print(f"Media archive {backup.media.name} opens: {files:,} file{'' if files == 1 else 's'}.")
    if backup.counts.exists():
        expected, source = read_counts(backup.counts), "at backup"
    else:
        print(f"No {backup.counts.name}: comparing with the live database instead.")
        expected, source = count_rows(source_url), "live source"

    scratch = f"hearth_drill_{backup.name.removeprefix('hearth-').lower()}_{secrets.token_hex(3)}"
    admin_url = with_database(source_url, maintenance_db)
    scratch_url = with_database(source_url, scratch)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
        try:
            restore = subprocess.run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    f"--dbname={scratch_url}",
                    str(backup.dump),
                ],
                capture_output=True,
                text=True,
            )
            if restore.returncode != 0:
                raise DrillError(f"pg_restore failed:\n{restore.stderr.strip()}")
            print(f"Restored into the scratch database {scratch}.")
            rows, ok = compare(expected, count_rows(scratch_url))
        finally:
            if keep:
                print(f"Kept the scratch database {scratch} (--keep); drop it when done.")
            else:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(scratch)
                    )
                )
                print(f"Dropped the scratch database {scratch}.")
    print()
    print_table(rows, source=source)
    print()
    print("Restore drill passed." if ok else "Restore drill FAILED: the counts differ.")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backup-dir", type=Path, default=None, help="default: $BACKUP_DIR")
    parser.add_argument(
        "--maintenance-db",
        default=os.environ.get("DRILL_MAINTENANCE_DB", "postgres"),
        help="database to connect to for CREATE/DROP DATABASE (default: postgres)",
    )
    parser.add_argument("--keep", action="store_true", help="do not drop the scratch database")
    args = parser.parse_args(argv)
    source_url = os.environ.get("DATABASE_URL", "")
    if not source_url.startswith(("postgres://", "postgresql://")):
        print("restore_drill: set DATABASE_URL to the PostgreSQL database that was backed up.")
        return 2
    backup_dir = args.backup_dir or Path(os.environ.get("BACKUP_DIR") or ROOT / "backups")
    try:
        return (
            0
            if drill(
                source_url=source_url,
                backup_dir=backup_dir,
                maintenance_db=args.maintenance_db,
                keep=args.keep,
            )
            else 1
        )
    except (DrillError, psycopg.Error) as exc:
        print(f"restore_drill: {exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
