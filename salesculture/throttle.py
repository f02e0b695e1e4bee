"""Guessing a secret in a URL (a TV link's token) is throttled per client address, as logins
are by django-axes: after `limit` wrong guesses in `window` seconds the address is refused
for the rest of the window, right guesses included. Counted in the cache, which is Redis,
shared by every web process, when REDIS_URL is set."""

from django.core.cache import cache

from .sessions import client_ip


def _key(scope: str, request) -> str:
    return _address_key(scope, client_ip(request))


def _address_key(scope: str, address: str) -> str:
    return f"misses:{scope}:{address}"


def misses_exceeded(request, *, scope: str, limit: int) -> bool:
    return (cache.get(_key(scope, request)) or 0) >= limit


def miss_note(request, *, scope: str, window: int) -> None:
    key = _key(scope, request)
    # add() starts the window only for the first miss; later ones count inside it.
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls: this miss opens a new window
        cache.set(key, 1, timeout=window)


def misses_reset(*, scope: str, address: str) -> None:
    cache.delete(_address_key(scope, address))


def rate_take(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Take one of `limit` uses of `scope` for `key` (an agency, an email address) in a window
    of `window` seconds: True when one was left, False when the window's uses are spent. Used
    for what sends email (invitations per agency, password resets per address), so the app
    never becomes a way to flood someone's inbox."""
    cache_key = f"rate:{scope}:{key}"
    cache.add(cache_key, 0, timeout=window)
    try:
        used = cache.incr(cache_key)
    except ValueError:  # expired between the two calls: this use opens a new window
        cache.set(cache_key, 1, timeout=window)
        used = 1
    return used <= limit
