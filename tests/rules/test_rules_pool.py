"""The executor pool: at most ``size`` lent at once, reused, broken ones not lent again."""

from __future__ import annotations

import threading
import time

import pytest

from onething.rules.run.pool import Pool


class Resource:
    def __init__(self, number: int) -> None:
        self.number = number
        self.closed = False


class Broken(Exception):
    pass


def make_pool(size: int) -> tuple[Pool[Resource], list[Resource]]:
    made: list[Resource] = []

    def make() -> Resource:
        made.append(Resource(len(made)))
        return made[-1]

    def close(resource: Resource) -> None:
        resource.closed = True

    return Pool(make, close, size=size, broken=(Broken,)), made


def test_resources_are_made_on_demand_and_reused() -> None:
    pool, made = make_pool(size=3)
    with pool.acquire() as first:
        pass
    with pool.acquire() as again:
        assert again is first
    with pool.acquire() as a, pool.acquire() as b:
        assert a is not b
    assert len(made) == 2


def test_no_more_than_size_are_lent_at_once() -> None:
    pool, made = make_pool(size=2)
    lent = 0
    most = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal lent, most
        for _ in range(5):
            with pool.acquire():
                with lock:
                    lent += 1
                    most = max(most, lent)
                time.sleep(0.002)
                with lock:
                    lent -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 2
    assert len(made) == 2


def test_a_broken_resource_is_closed_and_replaced_others_are_kept() -> None:
    pool, made = make_pool(size=1)
    assert made == []
    with pytest.raises(Broken), pool.acquire() as first:
        raise Broken
    assert first.closed
    with pytest.raises(KeyError), pool.acquire() as second:
        raise KeyError("a query error, the resource is fine")
    assert second is not first
    assert not second.closed
    with pool.acquire() as third:
        assert third is second


def test_closing_closes_every_resource_and_refuses_more() -> None:
    pool, made = make_pool(size=2)
    with pool.acquire(), pool.acquire():
        pass
    pool.close()
    assert [r.closed for r in made] == [True, True]
    with pytest.raises(RuntimeError), pool.acquire():
        pass
