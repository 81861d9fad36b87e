"""API rate limits counted in fixed windows: one counter per caller and window in the cache.

DRF's `SimpleRateThrottle` keeps, per caller, the list of the times of their requests in the
last period, read and written whole at each request: up to 1,200 timestamps (the signed-in rate)
pickled through Redis twice per call, and the bigger the allowance, the dearer each request
(measured: the benchmark list spent more time in its throttle than in its answer). Here each
request adds one to the counter of the current window (one Redis round trip): constant cost
whatever the rate. A fixed window lets a caller send up to twice the rate across a window's
edge, which is fine for a protection against floods; `Retry-After` is the end of the window.
"""

import time

from django.core.cache import cache
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class FixedWindowMixin:
    def window_key(self, request, view) -> str | None:
        """The counter of this caller's current window, or None when this throttle does not
        apply to the request (no rate, or not its kind of caller)."""
        if self.rate is None:
            return None
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return None
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        return f"{self.key}:{window}"

    def allow_request(self, request, view):
        key = self.window_key(request, view)
        if key is None:
            return True
        if hasattr(self.cache, "count_in_window"):  # Redis: one round trip (config/cache.py)
            count = self.cache.count_in_window(key, self.duration + 1)
        else:
            try:
                count = self.cache.incr(key)
            except ValueError:  # first request of the window (or the counter just expired)
                count = 1 if self.cache.add(key, 1, self.duration + 1) else self.cache.incr(key)
        return count <= self.num_requests

    def wait(self):
        return max(self.window_ends - self.now, 1)

    def timer(self):
        return time.time()


class AnonCounterThrottle(FixedWindowMixin, AnonRateThrottle):
    """Anonymous callers, by client address (DRF's `anon` rate)."""


class UserCounterThrottle(FixedWindowMixin, UserRateThrottle):
    """Signed-in callers, by account (DRF's `user` rate). DRF's also counts anonymous callers by
    address, under a rate ten times theirs: the `anon` counter alone decides for them."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


def check_and_get(view, request, key: str):
    """DRF's throttle check of `view` for `request`, then `cache.get(key)`: in one Redis round
    trip when a single counter applies (an anonymous caller's), as the benchmark's kept list
    does (registry/api.py); otherwise each throttle as DRF checks them, then the read. Raises
    `Throttled` as DRF does, without reading."""
    throttles = view.get_throttles()
    if all(isinstance(throttle, FixedWindowMixin) for throttle in throttles):
        counted = [(throttle, throttle.window_key(request, view)) for throttle in throttles]
        counted = [(throttle, window) for throttle, window in counted if window is not None]
        if len(counted) == 1 and counted[0][0].cache is cache and hasattr(cache, "count_and_get"):
            throttle, window = counted[0]
            count, value = cache.count_and_get(window, throttle.duration + 1, key)
            if count > throttle.num_requests:
                view.throttled(request, throttle.wait())
            return value
    waits = [throttle.wait() for throttle in throttles if not throttle.allow_request(request, view)]
    if waits:
        view.throttled(request, max((wait for wait in waits if wait is not None), default=None))
    return cache.get(key)


class CountedWithKeptAnswer:
    """Mixin of a DRF view whose kept answers (registry.page_cache) are read with the caller's
    throttle counted in the same round trip (`check_and_get`). For the requests that
    `counted_with_kept(request)` names, DRF's check in `initial` is skipped: `read_counted(key)`
    then reads the kept answer and counts, or `count_now(request)` counts alone (a 304)."""

    def counted_with_kept(self, request) -> bool:
        return False

    def check_throttles(self, request):
        if not self.counted_with_kept(request):
            super().check_throttles(request)

    def count_now(self, request):
        super().check_throttles(request)

    def read_counted(self, key: str):
        return check_and_get(self, self.request, key)
