"""A Redis cache that degrades to "always empty" while Redis is unreachable.

Pages, sessions (cached_db falls back to the database) and view counts keep working during a
Redis outage; they are just slower. Each failure is logged at most once a minute.
"""

import logging
import time

import redis
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
_last_warning = 0.0


def _warn(exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        logger.warning("Redis cache unavailable, carrying on without it: %s", exc)


class ResilientRedisCache(RedisCache):
    def _safe(self, name, fallback, *args, **kwargs):
        try:
            return getattr(super(), name)(*args, **kwargs)
        except redis.RedisError as exc:
            _warn(exc)
            return fallback

    def get(self, key, default=None, version=None):
        return self._safe("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._safe("get_many", {}, keys, version)

    def add(self, key, value, timeout=300, version=None):
        # While Redis is down nothing can be remembered: report "already there" so once-only
        # work (such as counting a view) is skipped rather than repeated on every request.
        return self._safe("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=300, version=None):
        return self._safe("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=300, version=None):
        return self._safe("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=300, version=None):
        return self._safe("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._safe("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._safe("delete_many", None, keys, version)

    def has_key(self, key, version=None):
        return self._safe("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._safe("incr", delta, key, delta, version)

    def clear(self):
        return self._safe("clear", False)
