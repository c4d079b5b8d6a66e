"""A websocket load generator spread over several processes.

One Python process cannot receive tens of thousands of frames a second and still pace
a sender, so the scenarios hand their listening sockets to a :class:`ClientPool`: each
worker process (``multiprocessing``, spawned) owns a share of the sockets, notes every
arrival of a benchmark message (``MARK<seq>#`` in its text) with ``time.monotonic()``
and hands the arrivals back when asked. On Linux ``time.monotonic()`` reads
CLOCK_MONOTONIC, one clock for every process of the machine, so a send time noted by
the parent and an arrival time noted by a worker can be subtracted.

Workers import neither Django nor the project: only ``websockets`` (and uvloop).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import resource
import time
from array import array
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARK = "bench#"
CONNECT_CONCURRENCY = 50


def raise_file_limit() -> int:
    """Raise this process's open-file limit to its hard limit; return the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def seq_of(text: str) -> int | None:
    start = text.find(MARK)
    if start < 0:
        return None
    start += len(MARK)
    end = text.find("#", start)
    return int(text[start:end]) if end > start else None


class Recorder:
    """Arrivals of benchmark messages: sequence numbers and monotonic times."""

    def __init__(self) -> None:
        self.active = False
        self.seqs = array("q")
        self.times = array("d")
        self.frames = 0  # every frame, marked or not, since the start

    def arrived(self, text: str) -> None:
        self.frames += 1
        if not self.active:
            return
        seq = seq_of(text)
        if seq is not None:
            self.seqs.append(seq)
            self.times.append(time.monotonic())

    def take(self) -> tuple[array, array]:
        seqs, times = self.seqs, self.times
        self.seqs, self.times = array("q"), array("d")
        return seqs, times


async def open_socket(url: str, origin: str, session: str | None, *, retries: int = 3):
    from websockets.asyncio.client import connect

    headers = {"Origin": origin}
    if session:
        headers["Cookie"] = f"sessionid={session}"
    for attempt in range(retries + 1):
        try:
            return await connect(
                url,
                additional_headers=headers,
                compression=None,
                ping_interval=None,
                open_timeout=120,
                close_timeout=2,
                max_queue=None,
                max_size=2**22,
            )
        except OSError:
            if attempt == retries:
                raise
            await asyncio.sleep(0.5 + random.random())
    raise AssertionError("unreachable")


async def listen(ws, recorder: Recorder, ping_seconds: float = 0.0) -> None:
    """Note arrivals until the socket closes; ping like chat.js when asked to."""
    pinger = None
    if ping_seconds > 0:
        pinger = asyncio.create_task(_ping(ws, ping_seconds))
    try:
        with contextlib.suppress(Exception):
            async for text in ws:
                recorder.arrived(text)
    finally:
        if pinger is not None:
            pinger.cancel()


async def _ping(ws, every: float) -> None:
    # A random phase, as browsers opening the page at different moments would have.
    await asyncio.sleep(random.uniform(0, every))
    with contextlib.suppress(Exception):
        while True:
            await ws.send('{"type":"ping"}')
            await asyncio.sleep(every)


async def wait_arrivals(recorder: Recorder, expected: int, *, quiet: float, cap: float) -> None:
    """Until ``expected`` arrivals, or ``quiet`` seconds without one, or ``cap``."""
    deadline = time.monotonic() + cap
    seen, changed = len(recorder.seqs), time.monotonic()
    while len(recorder.seqs) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        if len(recorder.seqs) != seen:
            seen, changed = len(recorder.seqs), time.monotonic()
        elif time.monotonic() - changed > quiet:
            break


# --- worker processes ---------------------------------------------------------------


@dataclass
class Target:
    url: str
    session: str | None = None
    origin: str | None = None  # the pool's origin when None


def _worker_main(conn, targets: list[Target], origin: str, ping_seconds: float) -> None:
    raise_file_limit()
    try:
        import uvloop

        uvloop.run(_worker(conn, targets, origin, ping_seconds))
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        asyncio.run(_worker(conn, targets, origin, ping_seconds))


async def _worker(conn, targets: list[Target], origin: str, ping_seconds: float) -> None:
    recorder = Recorder()
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    errors: list[str] = []

    async def open_one(target: Target):
        async with gate:
            try:
                return await open_socket(target.url, target.origin or origin, target.session)
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}")
                return None

    sockets = await asyncio.gather(*(open_one(t) for t in targets))
    opened = [ws for ws in sockets if ws is not None]
    listeners = [asyncio.create_task(listen(ws, recorder, ping_seconds)) for ws in opened]
    conn.send(("ready", len(opened), errors[:3]))
    try:
        while True:
            command, *params = await asyncio.to_thread(conn.recv)
            if command == "start":
                recorder.take()
                recorder.active = True
                conn.send(("ok",))
            elif command == "collect":
                expected, quiet, cap = params
                await wait_arrivals(recorder, expected, quiet=quiet, cap=cap)
                recorder.active = False
                seqs, times = recorder.take()
                conn.send(("arrivals", seqs.tobytes(), times.tobytes()))
            elif command == "stats":
                alive = sum(1 for ws in opened if ws.close_code is None)
                conn.send(("stats", alive, recorder.frames))
            elif command == "close":
                break
    finally:
        await asyncio.gather(*(close_socket(ws) for ws in opened))
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        conn.send(("closed",))


async def close_socket(ws) -> None:
    with contextlib.suppress(Exception):
        await ws.close()


class ClientPool:
    """Listening sockets shared out over ``processes`` worker processes.

    ``targets[i]`` goes to worker ``i % processes``; :attr:`shares` lists each worker's
    target indexes so a caller can tell how many arrivals to expect from each.
    """

    def __init__(
        self,
        targets: list[Target],
        origin: str,
        *,
        processes: int = 2,
        ping_seconds: float = 0.0,
    ) -> None:
        self.processes = max(1, min(processes, len(targets) or 1))
        self.shares = [list(range(k, len(targets), self.processes)) for k in range(self.processes)]
        context = multiprocessing.get_context("spawn")
        self._pipes = []
        self._procs = []
        for share in self.shares:
            parent, child = context.Pipe()
            proc = context.Process(
                target=_worker_main,
                args=(child, [targets[i] for i in share], origin, ping_seconds),
                daemon=True,
            )
            self._pipes.append(parent)
            self._procs.append(proc)

    async def _ask(self, index: int, message: tuple | None):
        pipe = self._pipes[index]
        if message is not None:
            pipe.send(message)
        return await asyncio.to_thread(pipe.recv)

    async def _all(self, message: tuple | None) -> list:
        return await asyncio.gather(*(self._ask(k, message) for k in range(self.processes)))

    async def start(self) -> int:
        """Start the workers; return how many sockets opened (errors are printed)."""
        for proc in self._procs:
            proc.start()
        replies = await self._all(None)
        for _, _, errors in replies:
            for error in errors:
                print(f"  client: {error}", flush=True)
        return sum(opened for _, opened, _ in replies)

    async def record(self) -> None:
        await self._all(("start",))

    async def collect(
        self, expected: list[int], *, quiet: float = 3.0, cap: float = 30.0
    ) -> tuple[array, array]:
        """Every worker's arrivals once it has ``expected[k]`` or went quiet."""
        replies = await asyncio.gather(
            *(self._ask(k, ("collect", expected[k], quiet, cap)) for k in range(self.processes))
        )
        seqs, times = array("q"), array("d")
        for _, seq_bytes, time_bytes in replies:
            seqs.frombytes(seq_bytes)
            times.frombytes(time_bytes)
        return seqs, times

    async def stats(self) -> tuple[int, int]:
        """(sockets still open, frames received) over every worker."""
        replies = await self._all(("stats",))
        return sum(r[1] for r in replies), sum(r[2] for r in replies)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._all(("close",)), 60)
        for proc in self._procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()


# --- small shared helpers ---------------------------------------------------------------


def percentile(values, q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def zipf_weights(n: int, s: float = 1.0) -> list[float]:
    raw = [1.0 / (k**s) for k in range(1, n + 1)]
    total = sum(raw)
    return [w / total for w in raw]


def apportion(total: int, weights: list[float], minimum: int = 1) -> list[int]:
    """``total`` split by ``weights`` (largest remainder), each share at least ``minimum``."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError("not enough to give every share its minimum")
    exact = [spare * w for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in order[: spare - sum(shares)]:
        shares[i] += 1
    return [minimum + s for s in shares]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    """Resident set size of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


def table(headers: list[str], rows: list[list], right: set[int] | None = None) -> list[str]:
    right = right if right is not None else set(range(1, len(headers)))
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if i in right else "---" for i in range(len(headers))) + "|",
    ]
    lines.extend("| " + " | ".join(str(c) for c in row) + " |" for row in rows)
    return lines


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_loop(coroutine):
    try:
        import uvloop

        return uvloop.run(coroutine)
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        return asyncio.run(coroutine)


def write_result(scenario: str, data: dict) -> Path:
    """bench/results/chat-<scenario>.json (not committed)."""
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"chat-{scenario}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    print(f"(written to {path.relative_to(ROOT)})")
    return path
