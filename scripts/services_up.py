"""Exit 0 when the PostgreSQL and Redis given on the command line both answer."""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlparse


def answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    pg_url, redis_url = sys.argv[1], sys.argv[2]
    if not answers(pg_url, 5432):
        print(f"PostgreSQL at {pg_url} does not answer.")
        return 1
    if not answers(redis_url, 6379):
        print(f"Redis at {redis_url} does not answer.")
        return 1
    try:
        import psycopg

        psycopg.connect(pg_url.replace("postgres://", "postgresql://"), connect_timeout=3).close()
    except Exception as exc:
        print(f"PostgreSQL at {pg_url} refused the connection: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
