"""How report figures are put in front of people: each measure's name and definition in plain words,
values as a council officer reads them ("January 2026", "£277.50", "75%"), server-drawn accessible SVG
charts with a table alternative, and the wide CSV (one row per month, one column per measure).

Pure functions of a report document (PRODUCT §4): pages, the print page and the CSV all read the same
document, so a figure is the same wherever it is shown.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The measures, in the order a board paper reads them: (key, name, definition).
MEASURES = [
    (
        "hours_exchanged",
        gettext_lazy("Hours of help exchanged"),
        gettext_lazy(
            "Hours of help members gave each other, or gave to and received from the network's shared pot, "
            "confirmed in these months. Gifts, donations and hours the coordinator issued are not counted."
        ),
    ),
    (
        "exchanges",
        gettext_lazy("Exchanges"),
        gettext_lazy("Pieces of help confirmed in these months. A group session for six people counts as six."),
    ),
    (
        "registered_members",
        gettext_lazy("Members"),
        gettext_lazy(
            "People who were members at any time in these months: approved before the last month ended and "
            "not left before the first began. Includes coordinators and volunteers who trade; not funders."
        ),
    ),
    (
        "active_members",
        gettext_lazy("Members who gave or received help"),
        gettext_lazy("Members who gave or received help at least once in these months; always part of Members."),
    ),
    (
        "new_members",
        gettext_lazy("New members"),
        gettext_lazy("Members whose membership was approved in these months; always part of Members."),
    ),
    (
        "reciprocity",
        gettext_lazy("Both gave and received"),
        gettext_lazy(
            "Of the members who gave or received help in these months, the share who did both: "
            "0% means everyone only gave or only received, 100% that everyone did both."
        ),
    ),
    (
        "new_connections",
        gettext_lazy("New connections"),
        gettext_lazy("Pairs of people who exchanged help with each other for the first time in these months."),
    ),
    (
        "value_pounds",
        gettext_lazy("Notional value"),
        gettext_lazy(
            "Hours of help exchanged multiplied by the network's notional rate per hour. Not money spent or "
            "saved; it leaves out the value of connection and confidence."
        ),
    ),
]
MORE_MEASURES = [
    ("hours_issued", gettext_lazy("Hours issued"), gettext_lazy("Hours the coordinator created and gave out.")),
    ("hours_donated", gettext_lazy("Hours donated to the pot"), gettext_lazy("Hours members gave to the shared pot.")),
    ("hours_granted", gettext_lazy("Hours granted from the pot"), gettext_lazy("Hours given out of the shared pot.")),
    ("hours_gifted", gettext_lazy("Hours gifted"), gettext_lazy("Hours one member gave another as a present.")),
    (
        "retention",
        gettext_lazy("Members kept"),
        gettext_lazy("Of the members at the start of these months, the share still members at the end."),
    ),
    (
        "no_exchange_90_days",
        gettext_lazy("No exchange for 90 days"),
        gettext_lazy("Members who joined at least 90 days ago and have not given or received help for 90 days."),
    ),
    (
        "requests_met",
        gettext_lazy("Requests met"),
        gettext_lazy("Requests for help posted in these months that someone agreed to help with."),
    ),
    (
        "median_days_to_accept",
        gettext_lazy("Days until help was agreed"),
        gettext_lazy("Half of the requests met were agreed within this many days of being posted."),
    ),
]
# Columns of the wide CSV and the month table: a month's own figures.
MONTH_MEASURES = [
    ("hours_exchanged", gettext_lazy("Hours of help exchanged")),
    ("exchanges", gettext_lazy("Exchanges")),
    ("active_members", gettext_lazy("Members who gave or received help")),
    ("new_members", gettext_lazy("New members")),
    ("new_connections", gettext_lazy("New connections")),
    ("reciprocity", gettext_lazy("Both gave and received in the month")),
]
HOURS = {"hours_exchanged", "hours_issued", "hours_donated", "hours_granted", "hours_gifted"}
SHARES = {"reciprocity", "retention"}


def month_label(value: str | date) -> str:
    """ "2026-01" → "January 2026" (in the reader's language)."""
    if isinstance(value, str):
        value = date(int(value[:4]), int(value[5:7]), 1)
    return date_format(value, "F Y")


def pounds(value) -> str:
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"£{amount:,.2f}"


def percent(value) -> str:
    return f"{Decimal(str(value)) * 100:.0f}%"


def hours_words(value) -> str:
    """12.5 → "12 hours 30 minutes"; hours and minutes, as people say them."""
    minutes = int((Decimal(str(value)) * 60).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    h, m = divmod(minutes, 60)
    if not m:
        return _("%(h)s hours") % {"h": f"{h:,}"} if h != 1 else _("1 hour")
    if not h:
        return _("%(m)s minutes") % {"m": m}
    return _("%(h)s h %(m)s min") % {"h": f"{h:,}", "m": m}


def shown(key: str, value) -> str | None:
    """A figure as words for the page; None when it is hidden (too few people)."""
    if value is None:
        return None
    if key == "value_pounds":
        return pounds(value)
    if key in SHARES:
        return percent(value)
    if key in HOURS:
        return hours_words(value)
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


@dataclass
class Figure:
    key: str
    name: str
    definition: str
    value: object
    text: str | None


def figures(document: dict, *, more: bool = False) -> list[Figure]:
    measures = MEASURES + (MORE_MEASURES if more else [])
    totals = document["totals"]
    return [
        Figure(key, str(name), str(definition), totals.get(key), shown(key, totals.get(key)))
        for key, name, definition in measures
        if key in totals
    ]


# --- charts ---------------------------------------------------------------------------------------

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 260, 44, 34, 16


def _nice_top(top: float) -> float:
    if top <= 0:
        return 1.0
    for step in (1, 2, 2.5, 5):
        for power in range(-2, 8):
            candidate = step * 10**power
            if candidate >= top:
                return candidate
    return top


def chart_months(document: dict, key: str, title: str, unit: str) -> dict:
    """Vertical bars, one per month: SVG geometry, a text summary and the table rows."""
    rows = document.get("by_month", [])
    values = [r.get(key) for r in rows]
    known = [v for v in values if v is not None]
    top = _nice_top(max(known, default=0))
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(rows), 1)
    bars = []
    for i, (row, value) in enumerate(zip(rows, values, strict=True)):
        h = 0 if value is None else plot_h * value / top
        bars.append(
            {
                "x": round(LEFT + i * slot + slot * 0.15, 1),
                "y": round(TOP + plot_h - h, 1),
                "width": round(slot * 0.7, 1),
                "height": round(h, 1),
                "label": month_label(row["month"]),
                "short": date_format(date(int(row["month"][:4]), int(row["month"][5:7]), 1), "M"),
                "label_x": round(LEFT + i * slot + slot / 2, 1),
                "value": value,
                "text": shown(key, value) if value is not None else None,
            }
        )
    ticks = [{"y": round(TOP + plot_h - plot_h * f, 1), "label": f"{top * f:g}"} for f in (0, 0.5, 1)]
    if known:
        high = max((b for b in bars if b["value"] is not None), key=lambda b: b["value"])
        description = _("%(n)s months from %(first)s to %(last)s. Highest: %(high)s in %(when)s.") % {
            "n": len(rows),
            "first": bars[0]["label"],
            "last": bars[-1]["label"],
            "high": high["text"],
            "when": high["label"],
        }
    else:
        description = _("No figures to show for these months.")
    return {
        "id": f"chart-{key}",
        "kind": "months",
        "title": title,
        "unit": unit,
        "description": description,
        "bars": bars,
        "ticks": ticks,
        "width": WIDTH,
        "height": HEIGHT,
        "axis_y": TOP + plot_h,
        "left": LEFT,
        "right": WIDTH - 8,
        "label_y": HEIGHT - 12,
    }


def chart_reciprocity(document: dict) -> dict | None:
    """One bar split into "did both" and "only gave or only received": the "did both" part is the
    reciprocity figure itself, so the chart and the figure beside it cannot disagree."""
    share = document["totals"].get("reciprocity")
    bands = document["totals"].get("give_receive_bands") or {}
    rows = [
        {"name": _("Gave and received"), "value": bands.get("gave_and_received")},
        {"name": _("Only gave"), "value": bands.get("gave_only")},
        {"name": _("Only received"), "value": bands.get("received_only")},
    ]
    if share is None:
        description = _("Hidden: too few people to show.")
        both_width = 0.0
    else:
        description = _("%(both)s of the members who gave or received help both gave and received.") % {
            "both": percent(share)
        }
        both_width = round((WIDTH - 16) * float(share), 1)
    return {
        "id": "chart-reciprocity",
        "kind": "share",
        "title": _("Who both gave and received help"),
        "description": description,
        "share": share,
        "share_text": None if share is None else percent(share),
        "both_width": both_width,
        "rest_x": round(8 + both_width, 1),
        "rest_width": round(WIDTH - 16 - both_width, 1),
        "width": WIDTH,
        "rows": rows,
    }


def chart_categories(document: dict) -> dict | None:
    rows = document.get("by_category") or []
    if not rows:
        return None
    known = [r["hours_exchanged"] for r in rows if r.get("hours_exchanged") is not None]
    top = max(known, default=0) or 1
    label_w, bar_h, gap = 200, 22, 10
    bars = []
    for i, row in enumerate(rows):
        value = row.get("hours_exchanged")
        bars.append(
            {
                "y": i * (bar_h + gap) + 4,
                "text_y": i * (bar_h + gap) + 4 + bar_h * 0.7,
                "width": 0 if value is None else round((WIDTH - label_w - 110) * value / top, 1),
                "label": _(row["name"]),  # a category's name, in the reader's language
                "value": value,
                "text": None if value is None else hours_words(value),
                "members": row.get("members"),
            }
        )
    for bar in bars:
        bar["value_x"] = label_w + bar["width"] + 6
    biggest = max((b for b in bars if b["value"] is not None), key=lambda b: b["value"], default=None)
    description = (
        _("%(n)s kinds of help. Most hours: %(name)s, %(hours)s.")
        % {"n": len(bars), "name": biggest["label"], "hours": biggest["text"]}
        if biggest
        else _("No figures to show for these months.")
    )
    return {
        "id": "chart-categories",
        "kind": "categories",
        "title": _("Hours by kind of help"),
        "description": description,
        "bars": bars,
        "width": WIDTH,
        "height": len(bars) * (bar_h + gap) + 8,
        "label_w": label_w,
        "bar_h": bar_h,
    }


def charts(document: dict) -> list[dict]:
    out = []
    if document.get("by_month"):
        out.append(chart_months(document, "hours_exchanged", _("Hours of help exchanged, month by month"), _("hours")))
        out.append(chart_months(document, "active_members", _("Members who gave or received help, month by month"),
                                _("members")))  # fmt: skip
    if "give_receive_bands" in document["totals"]:
        out.append(chart_reciprocity(document))
    category = chart_categories(document)
    if category:
        out.append(category)
    return out


def month_rows(document: dict) -> list[dict]:
    return [
        {
            "label": month_label(row["month"]),
            "cells": [shown(key, row.get(key)) for key, _name in MONTH_MEASURES],
        }
        for row in document.get("by_month", [])
    ]


# --- the wide CSV -----------------------------------------------------------------------------------


def _csv_value(key: str, value) -> str:
    if value is None:
        return ""
    if key == "value_pounds":
        return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"
    return str(value)


def report_csv_wide(document: dict) -> str:
    """One row per month and one column per measure, headed in words; then a row for the whole period.
    A hidden figure (too few people) is an empty cell; the last lines say why, and what each column means."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Month"), *[str(name) for _key, name in MONTH_MEASURES]])
    for row in document.get("by_month", []):
        writer.writerow([month_label(row["month"]), *[_csv_value(k, row.get(k)) for k, _n in MONTH_MEASURES]])
    totals = document["totals"]
    writer.writerow(
        [
            _("%(first)s to %(last)s") % {"first": month_label(document["from"]), "last": month_label(document["to"])},
            *[_csv_value(k, totals.get(k)) for k, _n in MONTH_MEASURES],
        ]
    )
    writer.writerow([])
    writer.writerow([_("Measure for the whole period"), _("Value"), _("What it means")])
    for key, name, definition in MEASURES + MORE_MEASURES:
        if key in totals:
            writer.writerow([str(name), _csv_value(key, totals.get(key)), str(definition)])
    if document.get("suppressed"):
        writer.writerow([])
        writer.writerow(
            [_("Empty cells are hidden: they are about fewer than %(k)s people, or would reveal such a figure.")
             % {"k": document["k"]}]
        )  # fmt: skip
    return out.getvalue()
