"""Fees → bill: a pure computation over a procedure version's fee items (phí, lệ phí). Integer đồng only.

How each fee item is applied (the version pins the items, so a bill is reproducible):

- `applicant_category`: an item for "citizen" or "organisation" applies only to that category; "anyone" to all.
- `online_amount`: when the dossier is filed online and the item has one, it replaces `amount`.
- unit "dossier": one unit. Unit "copy": `copies` units; `free_units` first copies are free; `max_amount`
  caps the line. Unit "page": `pages` is the page count of one copy; the first `free_units` pages of each
  copy are free; `max_amount` caps each copy (as in "tối đa không quá 200.000 đồng/bản"); times `copies`.
- `exemptions` are the categories the law exempts. Whether an applicant belongs to one is an officer's
  finding, so they show on the line as a note; positions listed in `exempt_positions` are charged 0.

A stepped tariff is several items. Certified copies (chứng thực bản sao, TT 226/2016/TT-BTC: 2.000 đồng/trang
for pages 1–2, 1.000 đồng/trang from page 3, at most 200.000 đồng/bản) is: 2.000/page with max 4.000, then
1.000/page with free_units 2 and max 196.000.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.catalog.models import ApplicantCategory, FeeItem, FeeUnit, ProcedureVersion

APPLICANT_CATEGORIES = (ApplicantCategory.CITIZEN, ApplicantCategory.ORGANISATION)


@dataclass(frozen=True)
class Line:
    position: int
    fee_item: FeeItem | None
    kind: str
    name: str
    legal_basis: str
    unit: str
    quantity: int
    unit_amount: int
    amount: int
    note: str = ""


@dataclass(frozen=True)
class Bill:
    """A computed, unsaved bill (services.issue_bill stores it as models.Bill + BillLine)."""

    lines: tuple[Line, ...]
    applicant_category: str
    copies: int
    pages: int
    online: bool

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def vnd(amount: int) -> str:
    """50000 → "50.000 đồng" (Vietnamese grouping), for stored notes."""
    return _("%(amount)s đồng") % {"amount": f"{amount:,}".replace(",", ".")}


def _applies(item: FeeItem, applicant_category: str) -> bool:
    return item.applicant_category in (ApplicantCategory.ANYONE, applicant_category)


def compute_line(
    item: FeeItem, *, copies: int, pages: int, online: bool, exempt: bool = False, position: int | None = None
) -> Line:
    notes: list[str] = []
    unit_amount = item.amount
    if online and item.online_amount is not None:
        unit_amount = item.online_amount
        notes.append(_("Mức thu khi nộp trực tuyến."))
    cap = item.max_amount
    free = item.free_units
    if item.unit == FeeUnit.PER_PAGE:
        chargeable = max(0, pages - free)
        per_copy = chargeable * unit_amount
        if cap is not None and per_copy > cap:
            per_copy = cap
            notes.append(_("Tối đa %(cap)s/bản.") % {"cap": vnd(cap)})
        quantity, amount = chargeable * copies, per_copy * copies
        if free:
            notes.insert(0, _("Không thu %(n)d trang đầu của mỗi bản.") % {"n": free})
    else:
        units = copies if item.unit == FeeUnit.PER_COPY else 1
        quantity = max(0, units - free)
        amount = quantity * unit_amount
        if cap is not None and amount > cap:
            amount = cap
            notes.append(_("Tối đa %(cap)s.") % {"cap": vnd(cap)})
        if free and item.unit == FeeUnit.PER_COPY:
            notes.insert(0, _("Không thu %(n)d bản đầu.") % {"n": free})
    exemptions = "; ".join(str(e) for e in item.exemptions or [] if str(e).strip())
    if exempt:
        amount = 0
        notes.append(_("Được miễn: %(who)s.") % {"who": exemptions} if exemptions else _("Được miễn."))
    elif exemptions:
        notes.append(_("Đối tượng miễn, giảm: %(who)s.") % {"who": exemptions})
    return Line(
        position=item.position if position is None else position,
        fee_item=item,
        kind=item.kind,
        name=item.name,
        legal_basis=item.legal_basis,
        unit=item.unit,
        quantity=quantity,
        unit_amount=unit_amount,
        amount=amount,
        note=" ".join(notes)[:1000],
    )


def compute_bill(
    *,
    version: ProcedureVersion,
    applicant_category: str,
    copies: int = 1,
    pages: int = 0,
    online: bool = True,
    exempt_positions: Collection[int] = (),
) -> Bill:
    """The fees a dossier under `version` owes: one line per applicable fee item, in the items' order."""
    if applicant_category not in APPLICANT_CATEGORIES:
        raise ValueError(f"applicant_category must be one of {', '.join(APPLICANT_CATEGORIES)}")
    if isinstance(copies, bool) or not isinstance(copies, int) or copies < 1:
        raise ValueError("copies must be a whole number, at least 1")
    if isinstance(pages, bool) or not isinstance(pages, int) or pages < 0:
        raise ValueError("pages must be a whole number, at least 0")
    with translation.override(settings.LANGUAGE_CODE):
        lines = tuple(
            compute_line(item, copies=copies, pages=pages, online=online, exempt=item.position in exempt_positions)
            for item in version.fees.order_by("position")
            if _applies(item, applicant_category)
        )
    return Bill(lines=lines, applicant_category=applicant_category, copies=copies, pages=pages, online=online)
