"""``python -m bench.chat_fanout [--scenario NAME] [options of that scenario]``.

fanout (default): the one-room run of run.py; ceiling, rooms, idle: ceiling.py,
rooms.py, idle.py; stampede, presence: stampede.py, presence_scale.py.
"""

from __future__ import annotations

import importlib
import sys

SCENARIOS = {
    "fanout": "bench.chat_fanout.run",
    "ceiling": "bench.chat_fanout.ceiling",
    "rooms": "bench.chat_fanout.rooms",
    "idle": "bench.chat_fanout.idle",
    "stampede": "bench.chat_fanout.stampede",
    "presence": "bench.chat_fanout.presence_scale",
}


def main(argv: list[str]) -> int:
    scenario = "fanout"
    rest: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--scenario":
            scenario = next(args, "")
        elif arg.startswith("--scenario="):
            scenario = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    if scenario not in SCENARIOS:
        print(f"unknown scenario {scenario!r}; choose from {', '.join(SCENARIOS)}")
        return 2
    try:
        module = importlib.import_module(SCENARIOS[scenario])
    except ModuleNotFoundError as error:
        if error.name != SCENARIOS[scenario]:
            raise
        print(f"the {scenario} scenario ({SCENARIOS[scenario]}) is not in this checkout")
        return 2
    return module.main(rest)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
