"""Searches by ID number kept out of URLs, so access logs, browser history and Referer headers never carry one.

A list page that searches by ID number posts its filter form. The server answers with a redirect back to the
list: a name search becomes an ordinary ``?q=…`` link, while text holding an ID number is kept in the session
and the link carries only an opaque ``s=<key>``. A GET whose ``q`` holds an ID number (typed in, bookmarked)
gets the same redirect. ``search_params`` turns ``s`` back into ``q`` for the list, its pagination and its
export, which all keep ``s`` in their links.
"""

import re
import secrets

from django.http import HttpResponseRedirect, QueryDict

from fupin.core import idnumber

# 18 characters (17 digits and a digit or X) or an old 15-digit number, not part of a longer run of digits.
ID_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])")
SESSION_KEY = "fupin_searches"
# Searches a session keeps: enough for a few lists open in tabs, each with its pages and export.
KEPT_SEARCHES = 20


def carries_id_number(text: str | None) -> bool:
    return bool(text) and ID_IN_TEXT.search(text) is not None


def mask_id_numbers(text: str) -> str:
    """The text with every ID number in it masked (410481********1234)."""
    return ID_IN_TEXT.sub(lambda m: idnumber.mask(m.group()), text)


def remember(request, text: str) -> str:
    """Keep a search text in the session; returns its key (the same key for the same text)."""
    searches = request.session.get(SESSION_KEY, {})
    key = next((k for k, v in searches.items() if v == text), None) or secrets.token_urlsafe(12)
    searches.pop(key, None)
    searches[key] = text
    request.session[SESSION_KEY] = dict(list(searches.items())[-KEPT_SEARCHES:])
    return key


def search_params(request) -> QueryDict:
    """The list's query parameters with a kept search (``s``) put back as ``q``. An unknown or expired key is
    searched for as it is, which matches nothing, rather than silently showing the whole list."""
    params = request.GET.copy()
    key = params.pop("s", [""])[-1]
    if key:
        params["q"] = request.session.get(SESSION_KEY, {}).get(key, key)
    return params


def redirect_for_search(request) -> HttpResponseRedirect | None:
    """The redirect that takes a posted search form, or a GET with an ID number in ``q``, to the list's URL
    without it; None when the request needs none."""
    if request.method == "POST":
        params = request.POST.copy()
        params.pop("csrfmiddlewaretoken", None)
        params.pop("page", None)  # a new search starts on its first page
    elif carries_id_number(request.GET.get("q")):
        params = request.GET.copy()
    else:
        return None
    text = params.get("q", "")
    if carries_id_number(text):
        del params["q"]
        params["s"] = remember(request, text)
    else:
        params.pop("s", None)
    for name in [k for k, v in params.lists() if not any(v)]:
        del params[name]  # blank filters add nothing to the link
    return HttpResponseRedirect(f"{request.path}?{params.urlencode()}")
