"""Run the fake as a process: ``python -m tests.fakediscord --port N [--state-file PATH]``.

Prints one JSON line (api_base, gateway_url, token, seeded ids ...) on stdout once it is listening, serves
the REST API, the gateway and the ``/_fake/`` control API, and exits cleanly on SIGTERM/SIGINT (saving the
state file, if any, so a restarted fake keeps its messages, events and commands).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys

from .control import info
from .server import FakeDiscord


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fakediscord", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state-file", default=None, help="load state from and save it to this JSON file")
    parser.add_argument("--heartbeat-interval", type=int, default=41250, help="milliseconds")
    parser.add_argument("--interaction-deadline", type=float, default=3.0, help="seconds; 0 disables")
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    fake = FakeDiscord(
        host=args.host,
        port=args.port,
        state_file=args.state_file,
        heartbeat_interval=args.heartbeat_interval,
        interaction_deadline=args.interaction_deadline or None,
        control_api=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await fake.start()
    try:
        print(json.dumps(info(fake)), flush=True)
        await stop.wait()
    finally:
        await fake.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
