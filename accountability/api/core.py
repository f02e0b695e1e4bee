"""The API object: token authentication, the per-token rate limit, and errors as JSON.

Why Django Ninja: its operations are plain functions with typed schemas (pydantic), so a view
stays as thin as the pages' views (parse, call one service or selector, answer) and the
OpenAPI document is derived from the same types that validate the input, so the two cannot
drift. It ships swagger-ui's files in its package, served from our own static files.

Every error answers `{"detail": "...", "errors": {field: [messages]}}`: the messages are the
forms' and services' own, so a dialer's log shows what a producer would read on the page.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.cache import add_never_cache_headers
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import HttpBearer

from salesculture.api_tokens import api_token_authenticate, api_token_rate_take

from .errors import NON_FIELD, FormInvalid, field_errors
from .numbers_routes import router as numbers_router
from .pipeline_routes import router as pipeline_router


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the token's producer acts, as if logged in on the
    pages (`request.producer`, `request.agency`). Unknown, revoked, or a deactivated
    person's: 401. Past the token's rate: 429."""

    openapi_description = "A personal API token, made on the profile page."

    def authenticate(self, request, token):
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        retry_after = api_token_rate_take(api_token)
        if retry_after:
            raise RateLimited(retry_after)
        request.producer = api_token.producer
        request.agency = api_token.producer.agency
        request.api_token = api_token
        return api_token


class SalesCultureAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(request, data, status=status,
                                           temporal_response=temporal_response)
        # A producer's pipeline and numbers: no browser or proxy may keep them (the pages'
        # PrivatePagesMiddleware does the same for a logged-in session, which the API has not).
        add_never_cache_headers(response)
        return response


api = SalesCultureAPI(
    title="Sales Culture API",
    version="1",
    description=(
        "Log activities, move prospects and read the numbers of Sales Culture. Every call "
        "acts as the producer whose personal token it carries (`Authorization: Bearer "
        "<token>`; make one on your profile page), with the same rules as the pages: another "
        "agency's ids and colleagues' data you may not see answer 404. Errors answer "
        "`{detail, errors: {field: [messages]}}`. Lists take `page` and `page_size` and "
        "filter by time with `since` and `until` (ISO 8601)."),
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)

api.add_router("", pipeline_router)
api.add_router("", numbers_router)


def error(request, status: int, detail: str, errors: dict | None = None, **headers):
    response = api.create_response(request, {"detail": detail, "errors": errors or {}},
                                   status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@api.exception_handler(FormInvalid)
def _form_invalid(request, exc: FormInvalid):
    detail = " ".join(exc.errors.get(NON_FIELD, [])) or "Some fields need attention."
    return error(request, 400, detail, exc.errors)


@api.exception_handler(DjangoValidationError)
def _refused(request, exc: DjangoValidationError):
    errors = field_errors(exc)
    detail = " ".join(errors.get(NON_FIELD, [])) or "Some fields need attention."
    return error(request, 400, detail, errors)


# Wrappers of the request's parts, not fields: `payload.name` is reported as `name`.
_PARAM_NAMES = {"payload", "filters", "query"}


@api.exception_handler(SchemaValidationError)
def _malformed(request, exc: SchemaValidationError):
    errors: dict[str, list[str]] = {}
    for problem in exc.errors:
        loc = [str(part) for part in problem.get("loc", ())][1:]
        if len(loc) > 1 and loc[0] in _PARAM_NAMES:
            loc = loc[1:]
        errors.setdefault(".".join(loc) or NON_FIELD, []).append(problem.get("msg", "Invalid."))
    return error(request, 400, "Some fields need attention.", errors)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "Not found.")


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return error(request, 401, "A valid API token is required: Authorization: Bearer <token>. "
                 "A revoked token no longer works.", WWW_Authenticate="Bearer")


@api.exception_handler(RateLimited)
def _rate_limited(request, exc: RateLimited):
    return error(request, 429, f"Too many calls with this token; retry in {exc.retry_after} "
                 "seconds.", Retry_After=str(exc.retry_after))


