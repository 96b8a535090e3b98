"""Every UI text has its English translation, and the compiled catalogue is used."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO_FILE = Path(settings.BASE_DIR, "locale", "en", "LC_MESSAGES", "django.po")


def untranslated_entries(text: str) -> list[str]:
    missing = []
    for block in text.split("\n\n"):
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""\n"Project' not in block:
            missing.append(block)
            continue
        msgid = re.search(r'^msgid "(.*)"$', block, re.MULTILINE)
        if not msgid or msgid.group(1) == "":
            continue  # the header
        lines = block.splitlines()
        for index, line in enumerate(lines):
            continued = index + 1 < len(lines) and lines[index + 1].startswith('"')
            if re.match(r'^msgstr(\[\d\])? ""$', line) and not continued:
                missing.append(msgid.group(1))
                break
    return missing


def test_every_message_has_an_english_translation():
    assert untranslated_entries(PO_FILE.read_text(encoding="utf-8")) == []


def test_the_english_catalogue_is_compiled_and_active():
    with translation.override("en"):
        assert translation.gettext("Thủ tục hành chính") == "Administrative procedures"
