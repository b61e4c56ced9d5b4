"""Django's Redis cache, with one redis-py client per connection pool instead of one per operation.

Django's `RedisCacheClient.get_client` makes a new `redis.Redis` around the pool for every cache call:
69 µs each on this machine, paid by every session read, throttle check and figure read. A client
holds no connection of its own (it takes one from the pool per command) and is safe to share, so this
one keeps the client it made for each pool. redis-py's pool notices a fork and opens new connections
in the child, so clients made before gunicorn forks its workers stay usable.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
