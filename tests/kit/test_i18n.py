"""The translation layer: complete catalogs, fallbacks, negotiation."""

from __future__ import annotations

from onething.kit.errors import InvalidInput, NotFound
from onething.kit.i18n import LOCALES, catalog, negotiate, translate


def test_every_locale_has_exactly_the_same_keys() -> None:
    keys = {locale: set(catalog(locale)) for locale in LOCALES}
    zh = keys["zh-CN"]
    for locale, found in keys.items():
        assert found == zh, f"{locale}: missing {sorted(zh - found)}, extra {sorted(found - zh)}"


def test_every_placeholder_matches_across_locales() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    zh = catalog("zh-CN")
    for locale in LOCALES:
        for key, text in catalog(locale).items():
            assert fields(text) == fields(zh[key]), (locale, key)


def test_translate_fills_parameters_and_defaults_to_chinese() -> None:
    assert translate("error.route_not_found", path="/x") == "未找到地址 /x"
    assert translate("error.route_not_found", "en", path="/x") == "No such address /x"


def test_unknown_key_is_visible_not_a_crash() -> None:
    assert translate("no.such.key") == "no.such.key"


def test_unknown_locale_falls_back_to_chinese() -> None:
    assert translate("error.not_found", "fr") == "未找到"


def test_accept_language_negotiation() -> None:
    assert negotiate(None) == "zh-CN"
    assert negotiate("en-GB,en;q=0.9") == "en"
    assert negotiate("zh-TW,zh;q=0.9,en;q=0.5") == "zh-CN"
    assert negotiate("fr-FR") == "zh-CN"


def test_typed_errors_carry_status_and_messages() -> None:
    err = NotFound("registry.not_built", path="/data/reg")
    assert err.status == 404
    assert "/data/reg" in err.message()
    assert "onething registry generate" in err.message("en")
    assert str(err) == err.message("en")
    bad = InvalidInput("error.request_invalid", errors=[{"row": 2}], detail="x")
    assert bad.status == 422
    assert bad.errors == [{"row": 2}]
