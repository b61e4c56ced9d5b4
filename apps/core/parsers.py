"""The API's request parsers: DRF's, with every malformed body answered as a 400."""

from __future__ import annotations

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering 400 for JSON nested deeper than Python's parser can follow.

    `[[[[...]]]]` ten thousand levels deep is a few kilobytes and would otherwise end in a
    RecursionError, a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                "The JSON is nested too deeply to read: send objects and lists a few levels deep."
            ) from None
