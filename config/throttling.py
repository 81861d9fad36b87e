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

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class FixedWindowMixin:
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        key = f"{self.key}:{window}"
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
