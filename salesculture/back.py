"""Where a form posted from a list sends its user back: the page (and page number, search) the
list was on, when the form says so and it is one of ours."""

from django.utils.http import url_has_allowed_host_and_scheme


def back_within(request, prefix: str) -> str | None:
    """The form's `back` address when it is a path on this site under `prefix`, else None."""
    back = request.POST.get("back", "")
    if back.startswith(prefix) and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return back.split("#")[0]
    return None
