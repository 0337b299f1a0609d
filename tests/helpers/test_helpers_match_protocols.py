"""Each fake in tests/helpers/ports.py implements its service's Protocol (issue 11): every Protocol method
exists on the fake with the same parameter names and kinds, and is async exactly where the Protocol's is. A
fake that drifts from the port it stands in for would let a service test pass against calls the real cog
adapter would reject."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from services.delivery import DeliveryPort, Payload
from services.feeds import Notifier
from services.polls import PollDiscord
from services.watchparties import WatchPartyDiscord
from tests.helpers.ports import FakeDeliveryPort, FakeNotifier, FakePollDiscord, FakeWatchPartyDiscord

#: (fake, every Protocol it is attached as). The service fakes are delivery ports too: the service tests
#: attach one object as both.
FAKES: list[tuple[type, tuple[type, ...]]] = [
    (FakeDeliveryPort, (DeliveryPort,)),
    (FakeNotifier, (DeliveryPort, Notifier)),
    (FakePollDiscord, (DeliveryPort, PollDiscord)),
    (FakeWatchPartyDiscord, (DeliveryPort, WatchPartyDiscord)),
]


def protocol_methods(protocol: type) -> dict[str, Any]:
    """The methods the Protocol itself declares (and those of Protocols it extends), not object's."""
    methods: dict[str, Any] = {}
    for klass in reversed(protocol.__mro__):
        if klass is object or klass.__module__ == "typing":
            continue
        for name, value in vars(klass).items():
            if inspect.isfunction(value) and not name.startswith("_"):
                methods[name] = value
    return methods


def shape(function: Any) -> list[tuple[str, inspect._ParameterKind]]:
    return [(p.name, p.kind) for p in inspect.signature(function).parameters.values()]


def mismatches(fake: type, protocol: type) -> list[str]:
    problems = []
    for name, declared in protocol_methods(protocol).items():
        implemented = inspect.getattr_static(fake, name, None)
        if implemented is None:
            problems.append(f"{fake.__name__}.{name} is missing ({protocol.__name__})")
            continue
        if not inspect.isfunction(implemented):
            problems.append(f"{fake.__name__}.{name} is not a plain method ({protocol.__name__})")
            continue
        if inspect.iscoroutinefunction(declared) != inspect.iscoroutinefunction(implemented):
            want = "async" if inspect.iscoroutinefunction(declared) else "not async"
            problems.append(f"{fake.__name__}.{name} should be {want} ({protocol.__name__})")
        if shape(declared) != shape(implemented):
            problems.append(
                f"{fake.__name__}.{name}{inspect.signature(implemented)} does not match "
                f"{protocol.__name__}.{name}{inspect.signature(declared)}"
            )
    return problems


@pytest.mark.parametrize(
    ("fake", "protocol"),
    [(fake, protocol) for fake, protocols in FAKES for protocol in protocols],
    ids=lambda item: item.__name__,
)
def test_fake_implements_its_protocol(fake: type, protocol: type) -> None:
    assert protocol_methods(protocol), f"{protocol.__name__} declares no methods: wrong class?"
    assert mismatches(fake, protocol) == []


def test_every_service_fake_is_checked() -> None:
    from tests.helpers import ports

    fakes = {
        obj
        for obj in vars(ports).values()
        if inspect.isclass(obj) and obj.__module__ == ports.__name__ and obj.__name__.startswith("Fake")
    }
    assert fakes == {fake for fake, _ in FAKES}


class _Drifted:
    """A fake gone wrong in every way the check looks for."""

    def send(self, channel_id: int, payload: Payload, nonce: str) -> int:  # not async
        return 0

    async def find(self, channel: int, payload: Payload, since: int) -> int | None:  # renamed parameter
        return None


def test_the_check_sees_a_drifted_fake() -> None:
    send, find = mismatches(_Drifted, DeliveryPort)
    assert send == "_Drifted.send should be async (DeliveryPort)"
    assert find.startswith("_Drifted.find(self, channel: ") and "does not match DeliveryPort.find" in find
    assert mismatches(_Drifted, Notifier) == ["_Drifted.flood_payload is missing (Notifier)"]
