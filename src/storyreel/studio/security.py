"""Who may talk to the studio: the bearer of its token, from its own page.

Like Jupyter, the studio prints a URL with a random token; every request must carry it (the
query string once, then a cookie the page sets, or the `X-Storyreel-Token` header), whatever
address the server binds. A request that changes something must carry the token in the header,
which a page of another origin cannot send without a CORS preflight the studio never answers,
and its `Origin`, when the browser sends one, must be the studio's own.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

HEADER = "X-Storyreel-Token"
SAFE = {"GET", "HEAD", "OPTIONS"}


def new_token() -> str:
    return secrets.token_urlsafe(24)


def cookie_name(port: int | None) -> str:
    """Cookies are shared by every port of a host: one name per port keeps two studios apart."""
    return f"storyreel_token_{port or 0}"


def same_origin(request: Request) -> bool:
    """The `Origin` (or, without one, the `Referer`) names the host the request was sent to."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin is None:
        return request.headers.get("sec-fetch-site", "same-origin") in {"same-origin", "none"}
    parts = urlsplit(origin)
    return parts.scheme in {"http", "https"} and parts.netloc == request.headers.get("host")


class TokenGuard(BaseHTTPMiddleware):
    """401 without the token, 403 for a state-changing request that is not the studio's own."""

    def __init__(self, app, token: str):  # noqa: ANN001 (an ASGI app)
        super().__init__(app)
        self.token = token

    def _matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        port = request.url.port
        header = request.headers.get(HEADER)
        query = request.query_params.get("token")
        cookie = request.cookies.get(cookie_name(port))
        if not any(self._matches(t) for t in (header, query, cookie)):
            return JSONResponse(
                {"error": "this studio needs its token: open the URL it printed"}, status_code=401
            )
        if request.method not in SAFE and not (self._matches(header) and same_origin(request)):
            return JSONResponse(
                {"error": "refused: a change must come from the studio's own page"}, status_code=403
            )
        response = await call_next(request)
        if self._matches(query) and not self._matches(cookie):
            response.set_cookie(cookie_name(port), self.token, httponly=True, samesite="strict")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response
