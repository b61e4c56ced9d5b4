"""The Redis cache keeps one redis-py client per pool (apps/core/cache.py), in this process and a fork."""

import os

import pytest
from django.core.cache import cache, caches

from apps.core.cache import RedisCache

pytestmark = pytest.mark.redis


def test_every_cache_call_uses_the_client_made_once_for_its_pool():
    assert isinstance(caches["default"], RedisCache)
    client = cache._cache.get_client("k", write=True)

    cache.set("client-test", "one", 30)

    assert cache._cache.get_client("k", write=True) is client
    assert cache.get("client-test") == "one"
    assert cache.get_many(["client-test", "absent"]) == {"client-test": "one"}


def test_a_forked_child_uses_the_same_client_with_connections_of_its_own():
    cache.set("fork-test", "parent", 30)  # the pool holds a connection from the parent now
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a gunicorn worker forked from the preloading master
        try:
            cache.set("fork-test", "child", 30)
            os.write(write, str(cache.get("fork-test")).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 100) == b"child"
    assert cache.get("fork-test") == "child"  # and the parent's connection still answers
