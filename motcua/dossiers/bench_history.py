"""Synthetic national-scale history for load benchmarks (`manage.py bench_fill`): not product code.

Lịch sử hồ sơ giả lập: millions of dossiers over ~3 years, each with the action log the services would have
written, loaded in bulk (PostgreSQL COPY, with the tables' secondary indexes and foreign keys dropped during
the load and rebuilt after it, in the same transaction; plain multi-row INSERTs on SQLite). The few rows a
load benchmark acts on (the approvals' last hand-off, the pending payments, the API tokens, the officers of
the largest agency) are then made by the real service functions, so they are exactly what the product writes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import math
import random
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.test.utils import override_settings
from django.utils import timezone

from motcua.accounts.models import Membership, User, UserKind
from motcua.accounts.services import create_officer
from motcua.accounts.tokens import issue_token
from motcua.catalog.models import (
    Agency,
    ApplicantCategory,
    FeesDue,
    Level,
    ProcedureVersion,
    ProcessingStep,
    TimeUnit,
)
from motcua.documents.models import StoredDocument
from motcua.dossiers.models import (
    ActionKind,
    ChannelCode,
    ComponentSource,
    Dossier,
    DossierAction,
    DossierCodeCounter,
    DossierComponent,
    DossierState,
)
from motcua.dossiers.transitions import APPLICANT
from motcua.workdays.calendar import TIME_ZONE, WorkCalendar
from motcua.workdays.queries import load_calendar

S = DossierState
K = ActionKind

YEARS = 3
# Final states of dossiers older than the working window, by weight (most are finished and returned).
FINISHED_MIX = ((S.RESULT_RETURNED, 86), (S.RESULT_READY, 2), (S.REFUSED, 5), (S.WITHDRAWN, 4), (S.STOPPED, 3))
# States of the unfinished dossiers of the working window (besides the approvals and payments the load uses).
OPEN_MIX = ((S.RECEIVED, 14), (S.PROCESSING, 62), (S.SUPPLEMENT_REQUESTED, 24))
# Submission channels: online, at the desk, by public post.
CHANNEL_MIX = ((ChannelCode.ONLINE, 65), (ChannelCode.DIRECT, 31), (ChannelCode.POSTAL, 4))
# How popular a procedure is, by code (the rest weigh 1): birth, residence, marriage, certification...
POPULARITY = {
    "1.001193": 30, "2.000815": 40, "2.000884": 15, "1.004194": 20, "1.004222": 18, "1.000894": 10,
    "1.004873": 14, "2.000635": 12, "1.000656": 6, "1.001612": 8, "2.000720": 5, "1.012575": 10, "3.000347": 8,
    "3.000333": 6, "2.001195": 10, "2.000200": 8, "1.013978": 6, "1.003197": 5,
}  # fmt: skip
SEARCH_TERMS = [
    "khai sinh", "dang ky khai sinh", "đăng ký khai sinh", "khai tử", "kết hôn", "ket hon", "đăng ký kinh doanh",
    "dang ky kinh doanh", "hộ kinh doanh", "thường trú", "thuong tru", "tạm trú", "tam tru", "chứng thực",
    "chung thuc ban sao", "hộ chiếu", "ho chieu", "giấy phép lái xe", "giay phep lai xe", "căn cước",
    "can cuoc", "lý lịch tư pháp", "giấy phép xây dựng", "đất đai", "trợ cấp thất nghiệp", "tình trạng hôn nhân",
    "bán lẻ rượu", "công ty cổ phần",
]  # fmt: skip
MISSING = (
    "Bản sao giấy tờ tùy thân còn hiệu lực",
    "Tờ khai chưa ghi đủ thông tin người yêu cầu",
    "Giấy tờ chứng minh nơi cư trú",
    "Bản chụp giấy tờ bị mờ, cần tải lên bản rõ hơn",
)
REFUSALS = ("Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.", "Người nộp không bổ sung hồ sơ đúng hạn.")
STOPS = ("Người yêu cầu đề nghị dừng giải quyết.", "Phát hiện giấy tờ không hợp lệ trong quá trình thẩm định.")
SAMPLE_SHA256 = "9f2c6e1b5d8a4f7e3c0b1a2d4e6f8091a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2"
BATCH = 20_000  # dossiers built and written at a time (their actions with them)


class Sizes:
    """How many of each thing a fill of `dossiers` makes: the load's minimums at national scale, scaled down."""

    def __init__(self, dossiers: int):
        self.dossiers = dossiers
        self.approvals = max(4, math.ceil(dossiers * 0.0031))
        self.payments = max(4, math.ceil(dossiers * 0.0062))
        self.applicants = max(50, dossiers // 5)  # ~5 dossiers per applicant over 3 years
        self.citizens_with_tokens = min(300, max(5, dossiers // 20))
        self.submitters = min(300, max(5, dossiers // 20))
        self.lookups = min(2000, dossiers)
        # The newest dossiers (~6 weeks at 1M) among which the unfinished ones are.
        self.window = max(self.approvals + self.payments + 20, dossiers // 25)


@dataclass
class AgencyPlan:
    agency: Agency
    weight: float
    versions: list[ProcedureVersion]
    cum_weights: list[float]
    reception: list[int] = field(default_factory=list)
    specialists: list[int] = field(default_factory=list)
    leaders: list[int] = field(default_factory=list)
    count: int = 0


@dataclass
class VersionPlan:
    version: ProcedureVersion
    steps: list[ProcessingStep]
    approval_index: int
    form_json: str
    payable: bool  # fees asked for by the agency (state 6) and more than nothing
    for_citizens: bool
    for_organisations: bool
    # (requirement id, document type id) of each required component: the documents every dossier carries.
    components: list[tuple[int, int | None]] = field(default_factory=list)


def refuse_unless_empty() -> None:
    """The bench commands fill throw-away databases only: never production, never one with dossiers."""
    if settings.ENVIRONMENT == "production":
        raise CommandError("Refusing to fill a production database with benchmark data.")
    if Dossier.objects.exists():
        raise CommandError("The database already has dossiers: run the benchmark on an empty database.")


# ----- writing rows in bulk ------------------------------------------------------------------------------------------


def columns(model: type[models.Model], names: Sequence[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


class BulkWriter:
    """Rows as tuples into a table: COPY on PostgreSQL, multi-row INSERTs on SQLite (values adapted as Django does)."""

    def __init__(self):
        self.vendor = connection.vendor

    def write(self, model: type[models.Model], names: Sequence[str], rows: Iterable[tuple]) -> int:
        table = model._meta.db_table
        cols = columns(model, names)
        quoted = ", ".join(connection.ops.quote_name(c) for c in cols)
        count = 0
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor  # psycopg's own cursor, for COPY
                with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                return count
            adapt = connection.ops.adapt_datetimefield_value
            prepared = [tuple(_sqlite_value(v, adapt) for v in row) for row in rows]
            placeholders = "(" + ", ".join(["%s"] * len(cols)) + ")"
            per_statement = max(1, 900 // len(cols))  # SQLite's limit on bound parameters
            for start in range(0, len(prepared), per_statement):
                chunk = prepared[start : start + per_statement]
                cursor.execute(
                    f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES "
                    + ", ".join([placeholders] * len(chunk)),
                    [v for row in chunk for v in row],
                )
            return len(prepared)

    def next_id(self, model: type[models.Model]) -> int:
        return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1

    def reset_sequence(self, model: type[models.Model]) -> None:
        if self.vendor != "postgresql":
            return  # SQLite's AUTOINCREMENT follows explicit ids by itself
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM "
                f"{connection.ops.quote_name(table)}), 1))",
                [table],
            )


class DroppedIndexes:
    """PostgreSQL's advice for a bulk load: drop secondary indexes and foreign keys, load, create them again.

    The definitions are read from the catalog and replayed as they were, so the schema ends exactly as migrated.
    Primary keys stay (other tables' foreign keys point at them)."""

    def __init__(self, tables: Sequence[str]):
        self.tables = list(tables)
        self.constraints: list[tuple[str, str, str]] = []
        self.indexes: list[tuple[str, str]] = []

    def __enter__(self):
        if connection.vendor != "postgresql":
            return self
        with connection.cursor() as cursor:
            # Django's foreign keys are deferred: rows written earlier in this transaction (a test's, or the
            # catalogue's) leave trigger events pending, and PostgreSQL refuses to ALTER a table that has some.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for table in self.tables:
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    self.constraints.append((table, name, definition))
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
                    "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                    [table],
                )
                self.indexes += cursor.fetchall()
            for table, name, _definition in self.constraints:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {name}")
        return self

    def __exit__(self, kind, value, traceback):
        if kind is not None or connection.vendor != "postgresql":
            return False
        with connection.cursor() as cursor:
            for _name, definition in self.indexes:
                cursor.execute(definition)
            # Unique constraints first (their indexes), then the foreign keys, checked in one pass each.
            for table, name, definition in sorted(self.constraints, key=lambda c: not c[2].startswith("UNIQUE")):
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        return False


# ----- identities ------------------------------------------------------------------------------------------------

PROVINCE_CODES = ("048", "001", "079", "031", "092", "046", "049", "038", "040", "052", "051", "054", "056", "066")
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Đức", "Thu", "Quốc", "Gia")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Hà", "Hạnh", "Hoa", "Hùng", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam",
         "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến")  # fmt: skip
COMPANY = ("Công ty TNHH {} Sông Hàn", "Công ty cổ phần {} Miền Trung", "Hộ kinh doanh {}")


def citizen_id(index: int) -> str:
    """A structurally valid, unique 12-digit personal ID: province, century/sex, year of birth, serial."""
    century_sex = "01"[index % 2] if index % 5 else "23"[index % 2]
    year = 40 + index % 60 if century_sex in "01" else index % 8
    return f"{PROVINCE_CODES[index % len(PROVINCE_CODES)]}{century_sex}{year:02d}{index % 1_000_000:06d}"


def tax_code(index: int) -> str:
    """A 10-digit tax code with a valid check digit (QĐ 2711/QĐ-BTC), unique by `index`."""
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    for salt in range(10):
        digits = f"04{(index * 10 + salt) % 10_000_000:07d}"
        check = 10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        if check < 10:
            return f"{digits}{check}"
    raise ValueError(index)


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


# ----- the fill ----------------------------------------------------------------------------------------------------


class Fill:
    """One fill of an empty database with `dossiers` dossiers; `run()` returns the manifest."""

    def __init__(
        self, dossiers: int, *, seed: int = 766, now: dt.datetime | None = None, log: Callable[[str], None] = print
    ):
        self.sizes = Sizes(dossiers)
        self.rng = random.Random(seed)
        self.log = log
        self.writer = BulkWriter()
        self.now = now or timezone.now()
        self.start = self.now - dt.timedelta(days=365 * YEARS)
        self.calendar: WorkCalendar = load_calendar()
        self.appointments: dict[tuple, dt.datetime | None] = {}
        self.actions = 0
        self.documents = 0
        self.vnpay = {
            "vnpay_tmn_code": "BENCH" + secrets.token_hex(2).upper(),
            "vnpay_hash_secret": secrets.token_hex(16),
        }

    # -- orchestration --

    def run(self) -> dict:
        started = time.perf_counter()
        refuse_unless_empty()
        self._catalogue()
        self._plan_agencies()
        self._officers()
        self._applicants()
        with transaction.atomic():
            tables = [model._meta.db_table for model in (Dossier, DossierAction, StoredDocument, DossierComponent)]
            with DroppedIndexes(tables):
                self._history()
            for model in (User, Dossier, DossierAction, DossierComponent):
                self.writer.reset_sequence(model)
        self.log(f"  history written in {time.perf_counter() - started:.0f} s")
        approvals = self._approvals()
        payments = self._payments()
        manifest = self._manifest(approvals, payments)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics for the planner, on either database
        manifest["fill_seconds"] = round(time.perf_counter() - started, 1)
        return manifest

    # -- catalogue: Đà Nẵng's agencies and the demo's real procedures, through the catalogue's services --

    def _catalogue(self) -> None:
        from motcua.catalog.services import (
            assign_procedures_to_agencies,
            import_agencies,
            import_catalog,
            load_administrative_units,
        )
        from motcua.demo.services import DEMO_DIR, create_commune_agencies

        load_administrative_units()
        import_agencies(data=json.loads((DEMO_DIR / "agencies.json").read_text(encoding="utf-8")))
        communes = create_commune_agencies(province_code=settings.MOTCUA_DEMO_PROVINCE_CODE)
        import_catalog(data=json.loads((DEMO_DIR / "catalog.json").read_text(encoding="utf-8")))
        assign_procedures_to_agencies(level=Level.COMMUNE, agencies=communes)
        self.log("  catalogue loaded")

    def _plan_agencies(self) -> None:
        from motcua.demo.services import _demo_form  # plausible answers for each field of a demo procedure
        from motcua.payments import fees

        versions = (
            ProcedureVersion.objects.filter(is_current=True)
            .select_related("procedure")
            .prefetch_related("steps", "components", "procedure__agencies")
        )
        self.version_plans: dict[int, VersionPlan] = {}
        by_agency: dict[int, list[ProcedureVersion]] = {}
        for version in versions:
            steps = sorted(version.steps.all(), key=lambda s: s.position)
            leaders = [i for i, step in enumerate(steps) if step.role == "leader"]
            if not leaders or leaders[-1] < 2 or steps[0].role != "reception":
                continue  # the fill's lifecycles need reception → ... → a leader's approval
            total = fees.compute_bill(
                version=version, applicant_category=ApplicantCategory.CITIZEN, copies=1, pages=0, online=True
            ).total
            self.version_plans[version.pk] = VersionPlan(
                version=version, steps=steps, approval_index=leaders[-1],
                form_json=json.dumps(_demo_form(version), ensure_ascii=False),
                payable=version.fees_due == FeesDue.ON_REQUEST and total > 0 and version.channel_online
                and version.for_citizens,
                for_citizens=version.for_citizens, for_organisations=version.for_organisations,
                components=[
                    (c.pk, c.document_type_id) for c in sorted(version.components.all(), key=lambda c: c.position)
                    if c.required
                ],
            )  # fmt: skip
            for agency in version.procedure.agencies.all():
                by_agency.setdefault(agency.pk, []).append(version)
        agencies = {a.pk: a for a in Agency.objects.filter(pk__in=by_agency, is_active=True)}
        # Zipf-like sizes: a big public service centre, then communes of decreasing size.
        ranked = sorted(agencies.values(), key=lambda a: (-len(by_agency[a.pk]), a.identifier))
        self.plans: list[AgencyPlan] = []
        for rank, agency in enumerate(ranked, start=1):
            vs = sorted(by_agency[agency.pk], key=lambda v: v.procedure.code)
            cum = list(itertools.accumulate(POPULARITY.get(v.procedure.code, 1) for v in vs))
            self.plans.append(AgencyPlan(agency=agency, weight=rank**-0.8, versions=vs, cum_weights=cum))
        self.agency_cum = list(itertools.accumulate(p.weight for p in self.plans))
        self.largest = self.plans[0]

    # -- people --

    def _officers(self) -> None:
        """Officers: those of the largest agency through the real service (passwords hashed, as an admin would
        create them); the others in bulk without a usable password (they act in the history only, or by token)."""
        largest = self.largest.agency
        roles = (("reception", 2), ("specialist", 3), ("leader", 2))
        for role, count in roles:
            for n in range(1, count + 1):
                officer = create_officer(
                    username=f"{role}.{n}.{largest.identifier.lower()}", full_name=person_name(self.rng),
                    password=secrets.token_urlsafe(16), memberships=[(largest, role)],
                )  # fmt: skip
                self._staff(self.largest, role).append(officer.pk)
        unusable = make_password(None)
        people, memberships = [], []
        for plan in self.plans[1:]:
            for role in ("reception", "specialist", "leader"):
                people.append(
                    User(
                        username=f"{role}.{plan.agency.identifier.lower()}",
                        kind=UserKind.OFFICER,
                        full_name=person_name(self.rng),
                        password=unusable,
                    )  # fmt: skip
                )
                memberships.append((plan, role))
        User.objects.bulk_create(people, batch_size=1000)
        saved = dict(User.objects.filter(username__in=[p.username for p in people]).values_list("username", "pk"))
        rows = []
        for person, (plan, role) in zip(people, memberships, strict=True):
            self._staff(plan, role).append(saved[person.username])
            rows.append(Membership(user_id=saved[person.username], agency=plan.agency, role=role))
        Membership.objects.bulk_create(rows, batch_size=1000)
        self.log(f"  {len(people) + 7} officers")

    @staticmethod
    def _staff(plan: AgencyPlan, role: str) -> list[int]:
        return {"reception": plan.reception, "specialist": plan.specialists, "leader": plan.leaders}[role]

    def _applicants(self) -> None:
        """Citizens (and ~6% organisations): personal IDs and tax codes valid by structure, no usable password."""
        count = self.sizes.applicants + self.sizes.submitters
        first = self.writer.next_id(User)
        unusable = make_password(None)
        joined = self.start
        rows, self.citizens, self.organisations = [], [], []
        for index in range(count):
            pk = first + index
            if index % 16 == 15 and index < self.sizes.applicants:
                number = tax_code(index)
                name = self.rng.choice(COMPANY).format(self.rng.choice(GIVEN))
                rows.append((pk, unusable, False, number, "", "", "", False, True, joined, UserKind.ORGANISATION,
                             name, None, number, ""))  # fmt: skip
                self.organisations.append((pk, name, number))
            else:
                number = citizen_id(index)
                name = person_name(self.rng)
                rows.append((pk, unusable, False, number, "", "", "", False, True, joined, UserKind.CITIZEN,
                             name, number, None, f"09{index % 100_000_000:08d}"))  # fmt: skip
                self.citizens.append((pk, name, number))
        names = ("id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
                 "is_active", "date_joined", "kind", "full_name", "citizen_id", "tax_code", "phone")  # fmt: skip
        with transaction.atomic():
            self.writer.write(User, names, rows)
            self.writer.reset_sequence(User)
        # The last ones file new dossiers during the load; they have none yet.
        self.submitters = self.citizens[-self.sizes.submitters :]
        self.citizens = self.citizens[: -self.sizes.submitters]
        self.log(f"  {count:,} applicants")

    # -- history --

    def _history(self) -> None:
        total = self.sizes.dossiers
        rng = self.rng
        span = (self.now - self.start).total_seconds() - 3600
        moments = sorted(rng.random() * span for _ in range(total))
        window_start = total - self.sizes.window
        # The approvals and payments of the load: dossiers of the window, at least two days old.
        two_days_ago = span - 2 * 86400
        eligible = [i for i in range(window_start, total) if moments[i] < two_days_ago]
        special = rng.sample(eligible, min(len(eligible), self.sizes.approvals + self.sizes.payments))
        self.approval_ids: list[int] = []
        self.payment_ids: list[int] = []
        roles = {index: "approval" for index in special[: self.sizes.approvals]}
        roles.update({index: "payment" for index in special[self.sizes.approvals :]})
        dossier_id = self.writer.next_id(Dossier)
        action_id = self.writer.next_id(DossierAction)
        counters: dict[tuple[int, dt.date], int] = {}
        self.lookups: list[dict] = []
        self.by_applicant: dict[int, list[str]] = {}
        self.per_agency: dict[int, int] = {}
        lookup_every = max(1, total // self.sizes.lookups)
        dossier_names = ("id", "code", "procedure_version", "agency", "applicant", "applicant_name",
                         "applicant_identifier", "channel", "is_full_process", "state", "resume_state", "form_data",
                         "submitted_at", "received_at", "appointment_at", "paused_at", "finished_at", "returned_at",
                         "current_step", "step_started_at", "step_deadline", "assignee", "supplement_count",
                         "submission_key", "revision", "updated_at")  # fmt: skip
        action_names = ("id", "dossier", "seq", "kind", "from_state", "to_state", "actor", "actor_role",
                        "actor_agency", "at", "comment", "step", "assignee", "data", "idempotency_key")  # fmt: skip
        document_names = ("id", "owner", "file", "original_name", "content_type", "size", "sha256", "document_type",
                          "source", "created_at", "created_by")  # fmt: skip
        component_names = ("dossier", "requirement", "document", "source", "supplement_round", "added_at")
        started = time.perf_counter()
        for batch_start in range(0, total, BATCH):
            dossiers, actions, documents, components = [], [], [], []
            for index in range(batch_start, min(total, batch_start + BATCH)):
                submitted = self.start + dt.timedelta(seconds=moments[index])
                age = 1 - (index - window_start) / max(1, self.sizes.window) if index >= window_start else None
                role = roles.get(index)
                plan = self._pick_agency(role)
                vplan = self._pick_version(plan, payable=role == "payment")
                row, log = self._lifecycle(dossier_id, plan, vplan, submitted, age=age, role=role)
                day = submitted.astimezone(TIME_ZONE).date()
                counters[(plan.agency.pk, day)] = number = counters.get((plan.agency.pk, day), 0) + 1
                row[1] = f"{plan.agency.identifier}-{day:%y%m%d}-{number:04d}"
                for seq, entry in enumerate(log, start=1):
                    actions.append((action_id, dossier_id, seq, *entry))
                    action_id += 1
                row[24] = len(log)  # revision: one per change
                self._components(row, log, vplan, documents, components)
                dossiers.append(tuple(row))
                self.per_agency[plan.agency.pk] = self.per_agency.get(plan.agency.pk, 0) + 1
                self.by_applicant.setdefault(row[4], []).append(row[1])
                if index % lookup_every == 0 and len(self.lookups) < self.sizes.lookups:
                    self.lookups.append({"code": row[1], "id_last4": row[6][-4:]})
                if role == "approval":
                    self.approval_ids.append(dossier_id)
                elif role == "payment":
                    self.payment_ids.append(dossier_id)
                dossier_id += 1
            self.writer.write(Dossier, dossier_names, dossiers)
            self.writer.write(DossierAction, action_names, actions)
            self.writer.write(StoredDocument, document_names, documents)
            self.writer.write(DossierComponent, component_names, components)
            self.documents += len(documents)
            self.actions += len(actions)
            done = min(total, batch_start + BATCH)
            self.log(
                f"  {done:,} dossiers, {self.actions:,} actions, {self.documents:,} documents "
                f"({time.perf_counter() - started:.0f} s)"
            )
        self.writer.write(
            DossierCodeCounter,
            ("agency", "day", "last"),
            ((agency, day, last) for (agency, day), last in counters.items()),
        )

    def _components(self, row: list, log: list, vplan: VersionPlan, documents: list, components: list) -> None:
        """The required documents the dossier was filed with: uploaded online, or scanned at the desk.

        Only the rows: the files themselves are not written (a download of one answers as a lost file would)."""
        dossier_id, applicant_id, submitted = row[0], row[4], row[12]
        direct = row[7] == ChannelCode.DIRECT
        source = ComponentSource.DIGITISED if direct else ComponentSource.UPLOAD
        created_by = log[0][3]  # the applicant online, the desk's officer for a walk-in
        for requirement_id, document_type_id in vplan.components:
            document_id = uuid.uuid4()
            documents.append((
                document_id, applicant_id, f"documents/{submitted:%Y/%m}/{document_id}.pdf", "giay-to.pdf",
                "application/pdf", 182_133, SAMPLE_SHA256, document_type_id, source, submitted, created_by,
            ))  # fmt: skip
            components.append((dossier_id, requirement_id, document_id, source, 0, submitted))

    def _pick_agency(self, role: str | None) -> AgencyPlan:
        while True:
            plan = self.plans[bisect.bisect(self.agency_cum, self.rng.random() * self.agency_cum[-1])]
            if role != "payment" or any(
                self.version_plans[v.pk].payable for v in plan.versions if v.pk in self.version_plans
            ):
                return plan

    def _pick_version(self, plan: AgencyPlan, *, payable: bool) -> VersionPlan:
        for _attempt in range(50):
            version = plan.versions[bisect.bisect(plan.cum_weights, self.rng.random() * plan.cum_weights[-1])]
            vplan = self.version_plans.get(version.pk)
            if vplan is not None and (vplan.payable or not payable):
                return vplan
        return next(
            self.version_plans[v.pk]
            for v in plan.versions
            if v.pk in self.version_plans and (self.version_plans[v.pk].payable or not payable)
        )

    def _state_for(self, age: float | None, role: str | None, submitted: dt.datetime) -> int:
        rng = self.rng
        if role is not None:
            return S.PROCESSING  # brought to the approval step or to state 6 by the services afterwards
        if age is not None and rng.random() < 0.15 + 0.8 * (1 - age):
            if self.now - submitted < dt.timedelta(days=2):
                return S.SUBMITTED if rng.random() < 0.6 else S.RECEIVED
            return _weighted(rng, OPEN_MIX)
        return _weighted(rng, FINISHED_MIX)

    def _appointment(self, vplan: VersionPlan, received: dt.datetime, pauses) -> dt.datetime | None:
        version = vplan.version
        if version.processing_time_unit == TimeUnit.WORKING_DAY:
            local = received.astimezone(TIME_ZONE)
            days = tuple((a.astimezone(TIME_ZONE).date(), b.astimezone(TIME_ZONE).date()) for a, b in pauses)
            key = (version.pk, local.date(), local.time() >= self.calendar.cutoff, days)
            if key not in self.appointments:
                self.appointments[key] = self._compute_appointment(version, received, pauses)
            return self.appointments[key]
        return self._compute_appointment(version, received, pauses)

    def _compute_appointment(self, version, received, pauses):
        return self.calendar.appointment(
            received_at=received, processing_time=version.processing_time, unit=version.processing_time_unit,
            counts_from_next_day_after_cutoff=version.counts_from_next_day_after_cutoff, pauses=pauses,
        )  # fmt: skip

    def _step_deadline(self, vplan: VersionPlan, step: ProcessingStep, start: dt.datetime) -> dt.datetime:
        return self.calendar.step_deadline(start=start, duration=step.duration, unit=vplan.version.processing_time_unit)

    def _lifecycle(self, pk, plan: AgencyPlan, vplan: VersionPlan, submitted, *, age, role) -> tuple[list, list]:
        """One dossier's row and its log, as the services would have written them, ending in a drawn state."""
        rng = self.rng
        version = vplan.version
        steps = vplan.steps
        target = self._state_for(age, role, submitted)
        # The payments of the load are citizens' (their fees were checked to be more than nothing for citizens).
        organisation = (
            bool(self.organisations)
            and role != "payment"
            and (not vplan.for_citizens or (vplan.for_organisations and rng.random() < 0.3))
        )
        applicant_pk, name, identifier = rng.choice(self.organisations if organisation else self.citizens)
        channel = _weighted(rng, CHANNEL_MIX) if version.channel_direct else ChannelCode.ONLINE
        if not version.channel_online:
            channel = ChannelCode.DIRECT
        if channel == ChannelCode.DIRECT:  # registered at the desk: received at once, never "new" nor refused
            target = {S.SUBMITTED: S.RECEIVED, S.REFUSED: S.RESULT_RETURNED}.get(target, target)
        # The time left between filing and now: the dossier's life is squeezed into it.
        room = (self.now - submitted).total_seconds()
        clock = [submitted]

        def later(low_hours: float, high_hours: float) -> dt.datetime:
            step = rng.uniform(low_hours, high_hours) * 3600
            budget = max(0.0, (self.now - clock[0]).total_seconds() - 60) / 4
            clock[0] = clock[0] + dt.timedelta(seconds=min(step, budget) if room < 60 * 86400 else step)
            return clock[0]

        log: list[tuple] = []
        d = {"state": None, "resume": None, "received": None, "appointment": None, "paused": None, "finished": None,
             "returned": None, "step": None, "step_started": None, "step_deadline": None, "assignee": None,
             "supplements": 0}  # fmt: skip
        pauses: list[tuple[dt.datetime, dt.datetime | None]] = []
        agency_id = plan.agency.pk
        reception = rng.choice(plan.reception)
        specialist = rng.choice(plan.specialists)
        leader = rng.choice(plan.leaders)

        def act(kind, actor, actor_role, at, to_state, *, comment="", data=None, assignee=None, key=None):
            from_state = int(d["state"]) if d["state"] is not None else None
            d["state"] = to_state
            step_id = d["step"].pk if d["step"] is not None else None
            actor_agency = None if actor_role == APPLICANT else agency_id
            payload = json.dumps(data or {}, ensure_ascii=False)
            log.append((str(kind), from_state, int(to_state), actor, actor_role, actor_agency, at, comment, step_id,
                        assignee, payload, key))  # fmt: skip

        def start_step(index: int | None, at, assignee):
            d["step"] = steps[index] if index is not None else None
            d["assignee"] = assignee
            d["step_started"] = at if index is not None else None
            d["step_deadline"] = self._step_deadline(vplan, steps[index], at) if index is not None else None

        def request_supplement(actor, actor_role, at):
            d["supplements"] += 1
            d["resume"], d["paused"] = d["state"], at
            pauses.append((at, None))
            act(K.REQUEST_SUPPLEMENT, actor, actor_role, at, S.SUPPLEMENT_REQUESTED,
                data={"missing": [rng.choice(MISSING)], "requirements": [], "round": d["supplements"]})  # fmt: skip

        def supplement(at):
            resume = d["resume"]
            d["resume"], d["paused"] = None, None
            pauses[-1] = (pauses[-1][0], at)
            act(K.SUPPLEMENT, applicant_pk, APPLICANT, at, resume, data={"documents": []})
            if d["received"] is not None:  # the clock stood still meanwhile (pauses after the receipt only)
                since = [pause for pause in pauses if pause[0] >= d["received"]]
                d["appointment"] = self._appointment(vplan, d["received"], since)

        def end(kind, actor, actor_role, at, state, comment):
            d["finished"], d["paused"], d["resume"] = at, None, None
            start_step(None, at, None)
            act(kind, actor, actor_role, at, state, comment=comment)

        # Filing: online (state 1) or registered at the desk (state 2 at once).
        if channel == ChannelCode.DIRECT:
            d["received"] = submitted
            start_step(0, submitted, reception)
            d["appointment"] = self._appointment(vplan, submitted, [])
            act(K.REGISTER_DIRECT, reception, "reception", submitted, S.RECEIVED, assignee=reception,
                data={"channel": channel, "appointment_at": _iso(d["appointment"]),
                      "step_deadline": _iso(d["step_deadline"])})  # fmt: skip
        else:
            act(K.SUBMIT, applicant_pk, APPLICANT, submitted, S.SUBMITTED, data={"channel": channel})
            if target == S.SUBMITTED:
                return self._row(pk, plan, vplan, applicant_pk, name, identifier, channel, submitted, d), log
            if rng.random() < 0.05 or target == S.REFUSED:
                request_supplement(reception, "reception", later(1, 20))
                if target == S.REFUSED:
                    end(K.REFUSE, reception, "reception", later(24, 200), S.REFUSED, rng.choice(REFUSALS))
                    return self._row(pk, plan, vplan, applicant_pk, name, identifier, channel, submitted, d), log
                supplement(later(2, 48))
            if target == S.WITHDRAWN and rng.random() < 0.4:
                end(K.WITHDRAW, applicant_pk, APPLICANT, later(1, 30), S.WITHDRAWN, "")
                return self._row(pk, plan, vplan, applicant_pk, name, identifier, channel, submitted, d), log
            at = later(0.5, 20)
            d["received"] = at
            d["appointment"] = self._appointment(vplan, at, [])
            start_step(0, at, reception)
            act(K.RECEIVE, reception, "reception", at, S.RECEIVED, assignee=reception,
                data={"appointment_at": _iso(d["appointment"]), "step_deadline": _iso(d["step_deadline"])})  # fmt: skip
        if target == S.RECEIVED:
            return self._row(pk, plan, vplan, applicant_pk, name, identifier, channel, submitted, d), log

        # Processing: hand-offs up the steps, towards the approval step.
        last = vplan.approval_index
        stop_before = {"approval": last - 1, "payment": 1}.get(role)
        if role is None and target in (S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.WITHDRAWN, S.STOPPED):
            stop_before = rng.randint(1, last)
        index = 0
        hours = float(version.processing_time) * (8 if version.processing_time_unit == TimeUnit.WORKING_DAY else 1)
        while index < (last if stop_before is None else stop_before):
            index += 1
            at = later(0.1, max(0.5, hours / (last + 1)))
            on_time = d["step_deadline"] is None or at <= d["step_deadline"]
            from_step = d["step"].pk
            assignee = (
                leader if steps[index].role == "leader" else specialist if steps[index].role == "specialist"
                else reception
            )  # fmt: skip
            if rng.random() < 0.25 and role is None:
                assignee = None  # left in the step's queue
            start_step(index, at, assignee)
            actor, actor_role = (
                (reception, "reception") if steps[index - 1].role == "reception"
                else (leader, "leader") if steps[index - 1].role == "leader" else (specialist, "specialist")
            )  # fmt: skip
            act(K.HAND_OFF, actor, actor_role, at, S.PROCESSING, assignee=assignee,
                data={"from_step": from_step, "to_step": steps[index].pk, "on_time": on_time,
                      "step_deadline": _iso(d["step_deadline"])})  # fmt: skip
            if index == 1 and role is None and rng.random() < 0.08 and target != S.SUPPLEMENT_REQUESTED:
                request_supplement(specialist, "specialist", later(1, 16))
                supplement(later(4, 96))
            if index == 1 and role is None and vplan.payable and rng.random() < 0.3:
                act(K.REQUEST_PAYMENT, specialist, "specialist", later(0.5, 8), S.PAYMENT_REQUESTED,
                    comment="Số tiền phải nộp theo thông báo phí.")  # fmt: skip
                act(K.CONFIRM_PAYMENT, reception, "reception", later(1, 48), S.PROCESSING,
                    comment="Người nộp đã nộp phí tại bộ phận một cửa.")  # fmt: skip
        if role is not None or target == S.PROCESSING:
            return self._row(pk, plan, vplan, applicant_pk, name, identifier, channel, submitted, d), log
        if target == S.SUPPLEMENT_REQUESTED:
            request_supplement(specialist, "specialist", later(1, 16))
            return self._row(pk, plan, vplan, applicant_pk, name, identifier, channel, submitted, d), log
        if target == S.WITHDRAWN:
            end(K.WITHDRAW, applicant_pk, APPLICANT, later(1, 60), S.WITHDRAWN, "")
            return self._row(pk, plan, vplan, applicant_pk, name, identifier, channel, submitted, d), log
        if target == S.STOPPED:
            end(K.STOP, leader, "leader", later(4, 80), S.STOPPED, rng.choice(STOPS))
            return self._row(pk, plan, vplan, applicant_pk, name, identifier, channel, submitted, d), log

        # Approval (9), then the result returned (10): most on time, some late.
        at = later(0.5, 8)
        if d["appointment"] is not None and at > d["appointment"] and rng.random() < 0.92:
            # Most are approved on time: somewhat before the appointment, after what came before.
            earlier = d["appointment"] - dt.timedelta(hours=rng.uniform(0.5, 30))
            if earlier > log[-1][6]:
                at = clock[0] = earlier
        d["finished"] = at
        on_time = d["appointment"] is None or at <= d["appointment"]
        following = last + 1 if last + 1 < len(steps) else None
        start_step(following, at, None)
        act(K.APPROVE, leader, "leader", at, S.RESULT_READY, comment="Đồng ý.", data={"on_time": on_time})
        if target == S.RESULT_RETURNED:
            at = later(0.5, 72)
            d["returned"] = at
            start_step(None, at, None)
            act(K.RETURN_RESULT, reception, "reception", at, S.RESULT_RETURNED)
        return self._row(pk, plan, vplan, applicant_pk, name, identifier, channel, submitted, d), log

    def _row(self, pk, plan, vplan, applicant_pk, name, identifier, channel, submitted, d) -> list:
        version = vplan.version
        updated = max(submitted, d["returned"] or d["finished"] or d["step_started"] or d["paused"] or submitted)
        return [
            pk, None, version.pk, plan.agency.pk, applicant_pk, name, identifier, int(channel),
            channel == ChannelCode.ONLINE and version.service_level == "full", int(d["state"]),
            int(d["resume"]) if d["resume"] is not None else None, vplan.form_json, submitted, d["received"],
            d["appointment"], d["paused"], d["finished"], d["returned"], d["step"].pk if d["step"] else None,
            d["step_started"], d["step_deadline"], d["assignee"], d["supplements"], None, 1, updated,
        ]  # fmt: skip

    # -- the part the load acts on, through the real services --

    def _approvals(self) -> list[dict]:
        """Each approval dossier is handed by its specialist to the leader's step (the real hand-off), so that a
        leader's approval is the next allowed action."""
        from motcua.dossiers.services import perform_action

        started = time.perf_counter()
        tokens: dict[int, str] = {}
        users = {}
        approvals = []
        for dossier in Dossier.objects.filter(pk__in=self.approval_ids).select_related("assignee").order_by("pk"):
            specialist = dossier.assignee
            leader_id = self._plan_of(dossier.agency_id).leaders[0]
            leader = users.get(leader_id) or users.setdefault(leader_id, User.objects.get(pk=leader_id))
            perform_action(
                dossier_code=dossier.code, actor=specialist, kind=K.HAND_OFF, assignee=leader,
                comment="Trình lãnh đạo phê duyệt.", now=self.now,
            )  # fmt: skip
            if leader_id not in tokens:
                tokens[leader_id] = issue_token(user=leader, name="bench-load")[1]
            body = {"kind": K.APPROVE.value, "comment": "Đồng ý phê duyệt, ký kết quả."}
            approvals.append({"token": tokens[leader_id], "dossier_code": dossier.code, "body": body})
        self.log(f"  {len(approvals):,} dossiers at their leader's approval ({time.perf_counter() - started:.0f} s)")
        return approvals

    def _payments(self) -> list[dict]:
        """Each payment dossier: the agency asks for its fees (state 6, an open bill; the real request_payment),
        and the applicant starts paying at VNPay (a pending payment; the real start_payment)."""
        from motcua.payments.services import request_payment, start_payment

        started = time.perf_counter()
        payments = []
        gateways = list(dict.fromkeys([*settings.MOTCUA_PAYMENT_GATEWAYS, "vnpay"]))
        with override_settings(
            VNPAY_TMN_CODE=self.vnpay["vnpay_tmn_code"],
            VNPAY_HASH_SECRET=self.vnpay["vnpay_hash_secret"],
            MOTCUA_PAYMENT_GATEWAYS=gateways,
        ):
            for dossier in Dossier.objects.filter(pk__in=self.payment_ids).select_related("assignee").order_by("pk"):
                bill = request_payment(dossier_code=dossier.code, officer=dossier.assignee, now=self.now)
                payment, _url = start_payment(bill=bill, gateway_code="vnpay", client_ip="203.113.130.1", now=self.now)
                payments.append({"txn_ref": payment.txn_ref, "amount": payment.amount, "gateway": "vnpay"})
        self.log(f"  {len(payments):,} pending payments ({time.perf_counter() - started:.0f} s)")
        return payments

    def _plan_of(self, agency_id: int) -> AgencyPlan:
        return next(plan for plan in self.plans if plan.agency.pk == agency_id)

    def _manifest(self, approvals: list[dict], payments: list[dict]) -> dict:
        citizens = []
        users = User.objects.in_bulk(
            [pk for pk, _name, _id in self.citizens if pk in self.by_applicant][: self.sizes.citizens_with_tokens]
        )
        for pk, user in users.items():
            citizens.append({"username": user.username, "token": issue_token(user=user, name="bench-load")[1],
                             "dossier_codes": self.by_applicant[pk]})  # fmt: skip
        officers = []
        ranked = sorted(self.plans, key=lambda p: -self.per_agency.get(p.agency.pk, 0))[:12]
        for plan in ranked:
            for pk in [*plan.reception, *plan.specialists, *plan.leaders]:
                user = User.objects.get(pk=pk)
                officers.append({"username": user.username, "token": issue_token(user=user, name="bench-load")[1],
                                 "agency": plan.agency.identifier,
                                 "agency_dossiers": self.per_agency.get(plan.agency.pk, 0)})  # fmt: skip
        return {
            "dossiers": Dossier.objects.count(),
            "actions": DossierAction.objects.count(),
            "fill_seconds": None,
            "database": connection.vendor,
            "lookup": self.lookups,
            "citizens": citizens,
            "officers": officers,
            "search_terms": SEARCH_TERMS,
            "submission": self._submission(),
            "approvals": approvals,
            "payments": payments,
            "gateway": dict(self.vnpay),
        }

    def _submission(self) -> dict:
        """A procedure of the largest agency filed online with two documents: the body POST /api/v1/dossiers takes."""
        agency = self.largest.agency
        choices = []
        for version in self.largest.versions:
            required = sorted(c.position for c in version.components.all() if c.required)
            if version.channel_online and version.for_citizens and len(required) == 2:
                choices.append((-POPULARITY.get(version.procedure.code, 1), version.procedure.code, version, required))
        _weight, code, version, positions = sorted(choices)[0]
        from motcua.demo.services import _demo_form

        submitters = User.objects.in_bulk([pk for pk, _name, _id in self.submitters])
        return {
            "procedure": code,
            "applicants": [{"token": issue_token(user=user, name="bench-load")[1]} for user in submitters.values()],
            "documents": [
                {"requirement": position, "filename": "giay-to.pdf", "content_type": "application/pdf"}
                for position in positions
            ],
            "body_template": {
                "procedure": code,
                "agency": agency.identifier,
                "form": _demo_form(version),
                "components": {str(position): [f"{{document_{n}}}"] for n, position in enumerate(positions, start=1)},
            },  # fmt: skip
        }


def _weighted(rng: random.Random, mix) -> int:
    total = sum(weight for _value, weight in mix)
    pick = rng.random() * total
    for value, weight in mix:
        pick -= weight
        if pick < 0:
            return value
    return mix[-1][0]


def _sqlite_value(value, adapt):
    if isinstance(value, dt.datetime):
        return adapt(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return value.hex  # Django keeps UUIDs as 32 hex digits on SQLite
    return value


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def write_manifest(manifest: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
