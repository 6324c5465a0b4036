"""What an unexpected response body raises, and how a body reports its own failure (API201, v2).

A `try` whose handler catches what an error page raises on use already turns that page into a
handled failure; a test of the parsed body's own error or status field handles error responses
of APIs that report failures in the body (Slack's `ok`, OAuth's `error`, VirusTotal's
`response_code`).
"""

from __future__ import annotations

# `.json()` on a body that is not JSON, by library name; other libraries raise the stdlib's class.
JSON_DECODE_ERRORS: dict[str, tuple[str, ...]] = {
    "requests": ("requests.exceptions.JSONDecodeError",),
    # aiohttp checks the content type first: an HTML error page raises ContentTypeError.
    "aiohttp": ("aiohttp.client_exceptions.ContentTypeError", "json.decoder.JSONDecodeError"),
}
DEFAULT_JSON_DECODE_ERRORS: tuple[str, ...] = ("json.decoder.JSONDecodeError",)

# Parsers that raise on a body that is not what they parse (an error page): a body handed to one of
# them in a try whose handler catches PARSE_ERRORS (a subclass, or a broader class) is handled.
BODY_PARSERS: frozenset[str] = frozenset({
    "json.loads", "simplejson.loads", "orjson.loads", "ujson.loads", "tomllib.loads", "ast.parse",
    "xml.etree.ElementTree.fromstring", "xml.etree.ElementTree.XML", "xml.dom.minidom.parseString",
    "defusedxml.ElementTree.fromstring", "lxml.etree.fromstring",
})
# They raise ValueError (json, UnicodeDecodeError) or SyntaxError (ast, xml's ParseError) subclasses.
PARSE_ERRORS: tuple[str, ...] = ("builtins.ValueError", "builtins.SyntaxError")

# What subscripting a parsed error body raises (`data["items"]` on `{"error": …}` or on a list).
SUBSCRIPT_ERRORS: tuple[str, ...] = ("builtins.KeyError", "builtins.TypeError", "builtins.IndexError")

# Words of a body key that names the response's own error or status (`error`, `errorCode`, `ok`,
# `status`, `response_code`, "Error Message", RFC 7807's and Django REST framework's `detail`): a key is
# split at non-letters and camelCase humps.
ERROR_FIELD_WORDS: frozenset[str] = frozenset({
    "error", "errors", "err", "errcode", "errno", "errmsg", "detail", "details", "fault", "faults", "failure",
    "failures", "failed",
    "fail", "problem", "exception", "status", "stat", "ok", "success", "successful", "succeeded", "code",
})
