import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """Password policy: letters and digits both present (the minimum length is Django's own validator)."""

    def validate(self, password, user=None):
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
            raise ValidationError(_("密码须同时包含字母和数字。"), code="password_classes")

    def get_help_text(self):
        return _("密码须同时包含字母和数字。")


# Words a guesser tries first on this system: the product and site, the work, common English and pinyin stock words.
COMMON_WORDS = (
    "fupin", "fuping", "tuopin", "xiangcun", "zhenxing", "zhengfu", "gov", "admin", "root", "system", "test",
    "password", "passwd", "pass", "welcome", "qwerty", "letmein", "iloveyou", "woaini", "china", "zhongguo",
    "henan", "user", "guest", "abc",
)
# Keyboard rows and columns and the alphabet: any 3 or more neighbours, forwards or backwards, are a pattern.
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp",
)
YEAR = re.compile(r"(19|20)\d\d")
# Three of one character (aaa), or a block of two to four repeated (abab, 1212, abcabc).
REPEAT = re.compile(r"(.)\1{2,}|(.{2,4}?)\2+")
# What is left after patterns are removed must be at least this long.
MIN_REMAINDER = 4


def _runs(sequence: str, length: int = 3) -> list[str]:
    grams = {sequence[i:i + n] for n in range(len(sequence), length - 1, -1) for i in range(len(sequence) - n + 1)}
    grams |= {g[::-1] for g in grams}
    return sorted(grams, key=len, reverse=True)


KEYBOARD_RUNS = sorted({run for sequence in SEQUENCES for run in _runs(sequence)}, key=len, reverse=True)
KEYBOARD_PATTERN = re.compile("|".join(re.escape(run) for run in KEYBOARD_RUNS))


def _personal_words(user) -> list[str]:
    """The account's own words: username, full name, the names of its region and the regions above."""
    if user is None:
        return []
    words = [getattr(user, "username", ""), getattr(user, "full_name", "")]
    region = getattr(user, "region", None) if getattr(user, "region_id", None) else None
    while region is not None:
        words += [region.name, region.name[:-1]]  # 舞钢市 and 舞钢
        region = region.parent
    return [w.lower() for w in words if w and len(w) >= 2]


class PatternPasswordValidator:
    """Refuse passwords guessed from patterns: a common or product word, a year, keyboard runs, repeated characters,
    the username, full name or region names — ``Fupin2025``, ``Fupin@2025``, ``qwer1234``, ``1qaz2wsx``."""

    def validate(self, password, user=None):
        text = password.lower()
        for word in _personal_words(user):
            if word in text:
                raise ValidationError(_("密码不能包含用户名、姓名或所属地区名称。"), code="password_personal")
        rest = re.sub(r"[^0-9a-z]", "", text)
        for word in COMMON_WORDS:
            rest = rest.replace(word, "")
        rest = YEAR.sub("", rest)
        rest = REPEAT.sub("", rest)
        rest = KEYBOARD_PATTERN.sub("", rest)
        if len(rest) < MIN_REMAINDER or len(set(text)) < MIN_REMAINDER:
            raise ValidationError(
                _("密码过于简单：不能主要由常用单词、系统名称、年份、键盘上连续的字符或重复字符组成。"),
                code="password_pattern",
            )

    def get_help_text(self):
        return _("不能主要由常用单词、系统名称、年份、键盘上连续的字符或重复字符组成，不能包含用户名、姓名或地区名称。")
