"""Masking personal identifiers for display (脱敏).

What stays visible, and why:

- **Resident ID**: the first 4 digits (province and city: needed to route a case) and the
  last 4 (what people read aloud to confirm: "ending 123X"): ``3701**********123X``.
  A 15-digit number keeps the same 4 + 4.
- **Mobile**: the first 3 and last 4 digits, the usual Chinese display: ``138****1234``.
- **Name**: the surname only, one ``*`` per hidden character, so the length stays
  visible as on a counter's call screen: ``张三丰`` → ``张**``, ``张三`` → ``张*``. Common
  two-character surnames (欧阳, 司马 …) stay whole when the name is longer than the surname.
  Names written with a middle dot (买买提·艾力) keep the dots; Latin names keep the first
  letter of each word. A one-character name becomes ``*``.
- **Credit code**: the first 8 characters (authority, type and registering area, which are
  public facts about the register) and the last 2: ``91370102********XQ``. An enterprise's
  code is public, but an individual business's (个体工商户) leads to a person.

Input too short to mask meaningfully is replaced by stars of the same length; masking
never reveals more than the rules above. Masking is for display only: it is not
anonymisation.
"""

from __future__ import annotations

from onething.kit.ids._text import clean
from onething.kit.ids.mobile import validate_mobile

MASK = "*"

COMPOUND_SURNAMES: frozenset[str] = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
        "轩辕",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
        "呼延",
        "闻人",
        "万俟",
        "澹台",
        "公冶",
        "宗政",
        "濮阳",
        "太叔",
        "申屠",
        "钟离",
        "拓跋",
    ]
)


def mask_middle(value: str, keep_start: int, keep_end: int, mask: str = MASK) -> str:
    """Keep ``keep_start`` leading and ``keep_end`` trailing characters, star the rest.

    If nothing would be hidden, everything is hidden instead.
    """
    if len(value) <= keep_start + keep_end:
        return mask * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + mask * hidden + value[len(value) - keep_end :]


def mask_resident_id(value: str) -> str:
    """``370102199003071238`` → ``3701**********1238``."""
    return mask_middle(clean(value), 4, 4)


def mask_mobile(value: str) -> str:
    """``13812341234`` (or ``+86 138 1234 1234``) → ``138****1234``."""
    check = validate_mobile(value)
    text = check.normalized if check.normalized is not None else clean(value)
    return mask_middle(text, 3, 4)


def mask_credit_code(value: str) -> str:
    """``91370102MA3C4X7BXQ`` → ``91370102********XQ``."""
    return mask_middle(clean(value), 8, 2)


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\U00020000" <= char <= "\U0003134f"


def mask_name(value: str) -> str:
    """Keep the surname of a person's name, star the given name (see the module doc)."""
    name = value.strip()
    if not name:
        return name
    if any(not _is_han(c) and c.isalpha() for c in name):
        return " ".join(w[:1] + MASK * (len(w) - 1) for w in name.split())
    parts = name.replace("•", "·").replace("・", "·").split("·")
    if len(parts) > 1:
        head = parts[0][:1] + MASK * (len(parts[0]) - 1)
        return "·".join([head, *(MASK * len(p) for p in parts[1:])])
    if len(name) == 1:
        return MASK
    surname = name[:2] if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else name[:1]
    return surname + MASK * (len(name) - len(surname))
