"""TOTP against the published test vectors, and the rules around it (window, replay, URI)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from motcua.accounts import totp

RFC_KEY = b"12345678901234567890"
RFC_SECRET = base64.b32encode(RFC_KEY).decode()


@pytest.mark.parametrize(
    "counter, code",
    list(
        enumerate(["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"])
    ),
)
def test_hotp_matches_rfc_4226_appendix_d(counter, code):
    assert totp.hotp(RFC_KEY, counter) == code


@pytest.mark.parametrize(
    "unix_time, eight_digits",
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_matches_rfc_6238_appendix_b_sha1(unix_time, eight_digits):
    assert totp.hotp(RFC_KEY, totp.time_step(unix_time), digits=8) == eight_digits
    assert totp.code_at(RFC_SECRET, at=unix_time) == eight_digits[-6:]


def test_a_code_is_accepted_one_step_either_side_and_no_further():
    at = 1111111111
    step = totp.time_step(at)
    for offset in (-1, 0, 1):
        code = totp.code_at(RFC_SECRET, at=at + offset * 30)
        assert totp.matching_step(RFC_SECRET, code, at=at) == step + offset
    for offset in (-2, 2):
        assert totp.matching_step(RFC_SECRET, totp.code_at(RFC_SECRET, at=at + offset * 30), at=at) is None


def test_steps_up_to_the_last_used_one_are_never_matched():
    at = 1111111111
    step = totp.time_step(at)
    code = totp.code_at(RFC_SECRET, at=at)
    assert totp.matching_step(RFC_SECRET, code, at=at, after_step=step - 1) == step
    assert totp.matching_step(RFC_SECRET, code, at=at, after_step=step) is None
    previous = totp.code_at(RFC_SECRET, at=at - 30)
    assert totp.matching_step(RFC_SECRET, previous, at=at, after_step=step) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12a456", None])
def test_malformed_codes_never_match(code):
    assert totp.matching_step(RFC_SECRET, code, at=59) is None


def test_spaces_in_a_typed_code_are_ignored():
    code = totp.code_at(RFC_SECRET, at=59)
    assert totp.matching_step(RFC_SECRET, f"{code[:3]} {code[3:]}", at=59) == 1


def test_the_module_clock_is_the_default_time(monkeypatch):
    monkeypatch.setattr(totp, "now", lambda: 59.0)
    assert totp.code_at(RFC_SECRET) == "287082"


def test_secrets_are_random_base32_of_160_bits():
    first, second = totp.generate_secret(), totp.generate_secret()
    assert first != second
    assert len(first) == 32 and len(base64.b32decode(first)) == 20


def test_secrets_are_normalised_and_invalid_ones_refused():
    assert totp.normalise_secret("jbsw y3dp ehpk 3pxp") == "JBSWY3DPEHPK3PXP"
    assert totp.grouped("JBSWY3DPEHPK3PXP") == "JBSW Y3DP EHPK 3PXP"
    with pytest.raises(ValueError):
        totp.normalise_secret("not base32 at all!")
    with pytest.raises(ValueError):
        totp.normalise_secret("")


def test_provisioning_uri_follows_the_key_uri_format():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", account="minh.tv", issuer="DVC Đà Nẵng")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parts.path == "/DVC%20%C4%90%C3%A0%20N%E1%BA%B5ng%3Aminh.tv"
    query = parse_qs(parts.query)
    assert query == {
        "secret": ["JBSWY3DPEHPK3PXP"],
        "issuer": ["DVC Đà Nẵng"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }
