"""Time as people say it: "1 h 15 min", never "75 minutes". One helper for pages, emails and
notifications (the template filter `duration` in `timebank.template_filters` calls it)."""

from django.utils.translation import gettext as _

MINUS = "\u2212"  # a real minus sign: screen readers say "minus", not "dash"


def duration_text(minutes: int | None, *, signed: bool = False) -> str:
    """`75` → "1 h 15 min", `-60` → "−1 h", `0` → "0 min"; with `signed`, `30` → "+30 min"."""
    minutes = int(minutes or 0)
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        text = _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    elif hours:
        text = _("%(hours)s h") % {"hours": hours}
    else:
        text = _("%(minutes)s min") % {"minutes": rest}
    if minutes < 0:
        return MINUS + text
    if signed and minutes > 0:
        return "+" + text
    return text


def duration_spoken(minutes: int | None) -> str:
    """The same in whole words, for a screen reader's label: "1 hour 15 minutes"."""
    minutes = int(minutes or 0)
    hours, rest = divmod(abs(minutes), 60)
    parts = []
    if hours:
        parts.append(_("%(n)s hour") % {"n": hours} if hours == 1 else _("%(n)s hours") % {"n": hours})
    if rest or not hours:
        parts.append(_("%(n)s minute") % {"n": rest} if rest == 1 else _("%(n)s minutes") % {"n": rest})
    text = " ".join(parts)
    return _("minus %(time)s") % {"time": text} if minutes < 0 else text
