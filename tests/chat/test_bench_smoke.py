"""The chat fan-out benchmark runs (one tiny step against the bare server); not a timing."""

from __future__ import annotations

import pytest

from bench.chat_fanout import run


def test_the_bench_reads_its_options():
    args = run.parse_args(["--layer", "redis", "--rates", "5,10", "--servers", "hearth,bare"])
    assert args.layer == "redis" and args.rate_list == [5.0, 10.0]
    assert args.server_list == ["hearth", "bare"]
    with pytest.raises(SystemExit):
        run.parse_args(["--servers", "nginx"])
    with pytest.raises(SystemExit):
        run.parse_args(["--rates", "0"])


@pytest.mark.slow
def test_one_short_step_against_the_bare_server_reaches_every_client():
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    port = run._free_port()
    process = run._start_server("bare", port, {})
    try:

        async def go():
            await run._wait_for_port(port, process)
            return await run.measure(
                "bare", port, clients=5, rates=[20], seconds=0.5, sessions=None, sender_session=None
            )

        # In a thread of its own: a browser journey may have left a loop on this one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            (step,) = pool.submit(asyncio.run, go()).result()
    finally:
        run._stop(process)
    assert step.sent == 10 and step.reach == 1.0
    assert step.row()["deliveries_per_second"] > 0
    assert "| bare | 20 |" in run.report({"bare": [step]}, run.parse_args(["--servers", "bare"]))
