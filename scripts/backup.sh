#!/usr/bin/env bash
# Back up Hearth: the PostgreSQL database and the uploaded media, timestamped, into BACKUP_DIR.
#
#   DATABASE_URL=postgres://user@host:5432/hearth scripts/backup.sh
#
# Writes, for one UTC timestamp:
#   hearth-<stamp>.dump           pg_dump, custom format (restore with pg_restore)
#   hearth-<stamp>.media.tar.gz   MEDIA_ROOT
#   hearth-<stamp>.counts.tsv     rows per table, counted in the very snapshot pg_dump saved,
#                                 so scripts/restore_drill.py can prove the restore is whole
# Environment: DATABASE_URL (required), BACKUP_DIR (default: backups/ in the checkout),
# MEDIA_ROOT (default: media/ in the checkout, as in the settings), BACKUP_KEEP_DAYS
# (default 14: older backups are deleted; 0 keeps everything).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
: "${DATABASE_URL:?Set DATABASE_URL to the PostgreSQL database to back up.}"
case "$DATABASE_URL" in
postgres://* | postgresql://*) ;;
*)
	echo "backup.sh: DATABASE_URL is not a PostgreSQL URL; this script backs up PostgreSQL only." >&2
	exit 2
	;;
esac
export DATABASE_URL
backup_dir=${BACKUP_DIR:-$root/backups}
media_root=${MEDIA_ROOT:-$root/media}
keep_days=${BACKUP_KEEP_DAYS:-14}
name=hearth-$(date -u +%Y%m%dT%H%M%SZ)
dump=$backup_dir/$name.dump
media=$backup_dir/$name.media.tar.gz
counts=$backup_dir/$name.counts.tsv

umask 077 # backups hold members' data
mkdir -p "$backup_dir"
trap 'rm -f "$dump.partial" "$media.partial" "$counts.partial"' EXIT

started=$(date +%s)
# One read-only transaction exports its snapshot; pg_dump saves exactly that snapshot and the
# counts are taken in it too, however busy the site is meanwhile. Files are written under
# .partial and renamed when complete, so a broken run never looks like the latest backup.
psql -X -q -v ON_ERROR_STOP=1 --dbname="$DATABASE_URL" <<SQL
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT pg_export_snapshot() AS snapshot \gset
\setenv HEARTH_SNAPSHOT :snapshot
\! pg_dump --snapshot="\$HEARTH_SNAPSHOT" --format=custom --no-owner --no-privileges --file="$dump.partial" --dbname="\$DATABASE_URL" && mv "$dump.partial" "$dump"
\pset format unaligned
\pset tuples_only on
\pset fieldsep '\t'
\o '$counts.partial'
SELECT format('%I.%I', table_schema, table_name),
       (xpath('/row/n/text()', query_to_xml(
           format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name), false, true, '')
       ))[1]::text::bigint
  FROM information_schema.tables
 WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
 ORDER BY 1;
\o
COMMIT;
SQL
if [ ! -s "$dump" ]; then
	echo "backup.sh: pg_dump failed (see above); no backup was written." >&2
	exit 1
fi
mv "$counts.partial" "$counts"

if [ -d "$media_root" ]; then
	tar -C "$media_root" -czf "$media.partial" .
else
	echo "backup.sh: no media folder at $media_root; the media archive is empty." >&2
	tar -czf "$media.partial" -T /dev/null
fi
mv "$media.partial" "$media"

if [ "$keep_days" -gt 0 ]; then
	find "$backup_dir" -maxdepth 1 -type f -name 'hearth-*' -mtime +"$keep_days" -delete
fi

echo "backup.sh: $name in $((($(date +%s) - started))) s: $(du -h "$dump" | cut -f1) database, $(du -h "$media" | cut -f1) media, in $backup_dir"
