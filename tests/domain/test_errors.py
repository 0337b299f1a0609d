"""domain.errors.UserError: the user's text is kept beside the template and escaped only where asked."""

from __future__ import annotations

import pickle

import pytest

from domain.errors import UserError
from domain.markdown import escape_markdown
from domain.schedule import DurationError

HOSTILE = "@everyone ||x <@123> [a](http://x)"


def test_plain_keeps_the_text_as_typed_and_render_escapes_only_the_quoted_value() -> None:
    error = UserError("<#5> can't read '{typed}' (see **help**).", typed=HOSTILE)
    assert str(error) == error.plain() == f"<#5> can't read '{HOSTILE}' (see **help**)."
    assert error.render(escape_markdown) == f"<#5> can't read '{escape_markdown(HOSTILE)}' (see **help**)."


def test_braces_that_are_not_quoted_fields_stay_and_a_value_is_inserted_once() -> None:
    error = UserError("use {x} or '{typed}'", typed="{typed} {x}")
    assert str(error) == "use {x} or '{typed} {x}'"  # the value is not re-read as a template


def test_a_template_without_the_quoted_field_is_a_bug_at_the_raise_site() -> None:
    with pytest.raises(TypeError):
        UserError("I couldn't read that.", typed=HOSTILE)


def test_subclasses_survive_pickling_with_their_quoted_values() -> None:
    error = pickle.loads(pickle.dumps(DurationError("'{typed}' is not a duration.", typed=HOSTILE)))
    assert isinstance(error, DurationError) and error.quoted == {"typed": HOSTILE}
