"""Sample strings for format checks (schemawright.regex_sample), which replaced Python's private regex parser."""

from __future__ import annotations

import re

import pytest

from schemawright.regex_sample import matches_all, parse, regex_sample, to_python


@pytest.mark.parametrize("pattern", [
    r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{4,30}$",  # IBAN-like
    r"^\d{3}-\d{4}$", r"^[^a-z]+$", r"^\w+\.\w+$", r"^(?:ab|cd)+x?$", r"^a{,3}b$", r"^[a-c]{0,2}x$",
    r"^(red|green|blue)$", r"^v\d+\.\d+\.\d+$", r"^[[:upper:]]{3}[[:digit:]]+$", r"^[\-+]?[0-9]+$",
])
def test_samples_match_their_pattern_and_vary(pattern: str):
    samples = [regex_sample(pattern, seed) for seed in range(30)]
    assert all(s is not None and re.search(to_python(pattern), s) for s in samples), samples
    if re.search(r"[\]dw][+*{]", pattern):  # a repeated class spells the seed
        assert len(set(samples)) > 1, samples


@pytest.mark.parametrize("pattern", [r"(?<=a)b", r"(?P<x>a)(?P=x)", r"(a)\1", r"(?i)abc", r"a)", r"[z-a]", r"[]"])
def test_unsupported_or_invalid_syntax_gives_none(pattern: str):
    assert regex_sample(pattern, 1) is None


def test_single_character_alternatives_are_one_class():
    assert [regex_sample("^(a|b)$", seed) for seed in range(3)] == ["a", "b", "a"]
    assert parse("x|y") == parse("[xy]")


def test_matches_all_leaves_patterns_python_cannot_read_to_the_server():
    assert matches_all([("^[a-z]+$", False), ("^abc", True)], "ABC") is False
    assert matches_all([("^[a-z]+$", True), ("^abc", True)], "ABC") is True
    assert matches_all([("(", False)], "anything") is True
