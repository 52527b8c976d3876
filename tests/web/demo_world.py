"""The demo city, seeded once per test session and shared by the modules that test it
(test_demo_city, test_figures_demo, test_papers_demo, …), each of which used to seed its
own: 5 to 20 seconds each, on each database.

The city lives in one transaction, opened by the first test that asks for it and rolled
back when the session ends. What a module adds on top (petitions, supervision, papers,
reviews: :data:`LAYERS`) is seeded in savepoints over it, in the order asked for, and kept
for the next module that starts with the same layers; a module that asks for fewer or
others has the extra ones rolled back first. So each module sees exactly the data it saw
when it seeded its own city, and a layer is not seeded twice in a row. Its own writes
go into one more savepoint (:meth:`DemoStack.module`), and each test's into the ``db``
fixture's, both rolled back.

An open transaction shows the city to every later test, so the tests that use it run
last in the session, sorted by their ``demo_city`` marker's layers so that modules with
the same first layers follow each other (``pytest_collection_modifyitems`` in
conftest.py). They cannot be transactional tests: those flush the database.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from django.db import transaction

from xuncha.accounts.models import User
from xuncha.demo.city import DemoCity, seed_city
from xuncha.demo.papers import seed_papers
from xuncha.demo.petitions import seed_petitions
from xuncha.demo.reviews import seed_reviews
from xuncha.demo.supervision import seed_supervision

TODAY = dt.date(2025, 11, 20)


def _petitions() -> Any:
    users = {u.username: u for u in User.objects.filter(username__in=["office", "team"])}
    return seed_petitions(today=TODAY, office=users["office"], team_user=users["team"])


LAYERS: dict[str, Callable[[], Any]] = {
    "petitions": _petitions,
    "supervision": lambda: seed_supervision(today=TODAY),
    "papers": lambda: seed_papers(today=TODAY),
    "reviews": lambda: seed_reviews(today=TODAY),
}


class DemoStack:
    """The seeded city (:attr:`city`) and the layers seeded over it, each in its own
    savepoint; rolled back last in, first out."""

    def __init__(self, blocker: Any) -> None:
        self.blocker = blocker
        self._base = ExitStack()
        self._layers: list[tuple[str, Any, ExitStack]] = []
        with self.blocker.unblock():
            self.city: DemoCity = self._seeded("city", self._base, lambda: seed_city(today=TODAY))

    @staticmethod
    def _seeded(name: str, into: ExitStack, seed: Callable[[], Any]) -> Any:
        """``seed()`` in a new atomic block left open in ``into``; if it fails, the block
        is rolled back and the error raised."""
        started = time.perf_counter()
        with ExitStack() as attempt:
            attempt.enter_context(transaction.atomic())
            seeded = seed()
            into.push(attempt.pop_all())
        print(f"\ndemo city, {name}: {time.perf_counter() - started:.2f} s")  # measured only
        return seeded

    def layers(self, *names: str) -> dict[str, Any]:
        """Exactly these layers over the city, in this order; what each seed returned."""
        unknown = set(names) - set(LAYERS)
        if unknown:
            raise pytest.UsageError(f"unknown demo city layers {sorted(unknown)}: see LAYERS")
        kept = 0
        while kept < min(len(names), len(self._layers)) and self._layers[kept][0] == names[kept]:
            kept += 1
        with self.blocker.unblock():
            while len(self._layers) > kept:
                self._roll_back(self._layers.pop()[2])
            for name in names[kept:]:
                block = ExitStack()
                self._layers.append((name, self._seeded(name, block, LAYERS[name]), block))
        return {name: seeded for name, seeded, _block in self._layers}

    @contextmanager
    def module(self, *names: str) -> Iterator[dict[str, Any]]:
        """:meth:`layers`, then a savepoint for what the module itself writes (its fixture
        or a test not using ``db``), rolled back when it ends."""
        seeded = self.layers(*names)
        block = ExitStack()
        with self.blocker.unblock():
            block.enter_context(transaction.atomic())
        try:
            yield seeded
        finally:
            with self.blocker.unblock():
                self._roll_back(block)

    @staticmethod
    def _roll_back(block: ExitStack) -> None:
        transaction.set_rollback(True)  # the innermost atomic block: this one
        block.close()

    def close(self) -> None:
        with self.blocker.unblock():
            while self._layers:
                self._roll_back(self._layers.pop()[2])
            self._roll_back(self._base)
