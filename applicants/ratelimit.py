"""Rate limits by client address, kept in Django's cache (Redis in production, memory locally).

``settings.RATE_LIMITS`` maps a kind ("login", "register", "password_reset", "download") to
(requests, window in seconds). Only the requests that cost something count: POSTs for forms, every
request for downloads. A client over its limit gets a 429 page that says when to try again.
"""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


def client_address(request):
    # Behind the TLS proxy the last X-Forwarded-For entry is the one the proxy added (the others are
    # the client's own claims); without a proxy it is the socket's address.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) \
        else ""
    if forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")  # empty (stored as NULL) when there is no socket, e.g. force_login


def hit(kind, key):
    """Count one request of ``kind`` for ``key`` in the current window; True while within the limit."""
    limit, window = settings.RATE_LIMITS[kind]
    bucket = int(time.time() // window)
    cache_key = f"ratelimit:{kind}:{key}:{bucket}"
    # add() then incr(): atomic on Redis and within one process for the memory cache.
    if cache.add(cache_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, timeout=window + 1)
            count = 1
    return count <= limit


def rate_limited(kind, *, methods=("POST",)):
    """View decorator: at most the configured number of ``methods`` requests per client address."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if (methods is None or request.method in methods) and not hit(kind, client_address(request)):
                _, window = settings.RATE_LIMITS[kind]
                response = render(request, "applicants/rate_limited.html", {"minutes": max(1, window // 60)},
                                  status=429)
                response["Retry-After"] = str(window)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
