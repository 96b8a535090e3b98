"""The procedure document: one shape for JSON import/export and for the API.

A catalogue file is a `CatalogDocument`; each procedure in it is the full content of one version.
Everything that can be checked without the database is checked here; references to other rows
(fields, document types, agencies) are checked by the import service.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints, model_validator

from motcua.catalog.models import (
    AGENCY_IDENTIFIER_PATTERN,
    PROCEDURE_CODE_PATTERN,
    SLUG_CODE_PATTERN,
    AgencyKind,
    ApplicantCategory,
    FeeKind,
    FeesDue,
    FeeUnit,
    Level,
    OfficerRole,
    ServiceLevel,
    TimeUnit,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)]
ShortNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
SlugCode = Annotated[str, StringConstraints(pattern=SLUG_CODE_PATTERN, max_length=80)]
ProcedureCode = Annotated[str, StringConstraints(pattern=PROCEDURE_CODE_PATTERN)]
AgencyIdentifier = Annotated[str, StringConstraints(pattern=AGENCY_IDENTIFIER_PATTERN, max_length=40)]
FieldKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,49}$")]
# Where a field's value may be pre-filled from (wallet.prefill): the account's profile, or a path into the data of
# the applicant's latest verified document of a type, e.g. "document.giay-khai-sinh.form_data.child_full_name".
PrefillSource = Annotated[
    str,
    StringConstraints(
        pattern=r"^(|profile\.(full_name|citizen_id|tax_code|phone|email)"
        r"|document\.[a-z0-9][a-z0-9-]{0,79}\.[A-Za-z0-9_]{1,50}(\.[A-Za-z0-9_]{1,50}){0,4})$"
    ),
]
# Serialised without trailing zeros ("1", "0.25"), so equal amounts compare equal as JSON.
Duration = Annotated[
    Decimal,
    Field(gt=0, max_digits=7, decimal_places=2),
    PlainSerializer(lambda value: format(value.normalize(), "f"), return_type=str),
]

FormFieldType = Literal[
    "text", "textarea", "number", "date", "choice", "national_id", "phone", "email", "address", "table"
]
Channel = Literal["online", "direct", "postal"]
CHANNEL_ORDER = ["online", "direct", "postal"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChoiceOption(Strict):
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    label: Text


class FormField(Strict):
    """One field of an e-form (biểu mẫu điện tử)."""

    key: FieldKey
    label: Text
    type: FormFieldType
    required: bool = False
    help: ShortNote = ""
    choices: list[ChoiceOption] = []
    multiple: bool = False
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_length: Annotated[int, Field(ge=1, le=20000)] | None = None
    columns: list[FormField] = []
    min_rows: Annotated[int, Field(ge=0, le=500)] = 0
    max_rows: Annotated[int, Field(ge=1, le=500)] | None = None
    prefill: PrefillSource = ""

    @model_validator(mode="after")
    def _type_specific(self) -> FormField:
        if self.type == "choice":
            if not self.choices:
                raise ValueError("a choice field needs choices")
            values = [choice.value for choice in self.choices]
            if len(values) != len(set(values)):
                raise ValueError("choice values must be unique")
        elif self.choices:
            raise ValueError("only a choice field has choices")
        if self.type == "table":
            if not self.columns:
                raise ValueError("a table field needs columns")
            keys = [column.key for column in self.columns]
            if len(keys) != len(set(keys)):
                raise ValueError("column keys must be unique")
            if any(column.type in ("table", "address") for column in self.columns):
                raise ValueError("a table column cannot be a table or an address")
            if self.max_rows is not None and self.max_rows < self.min_rows:
                raise ValueError("max_rows must not be below min_rows")
        elif self.columns:
            raise ValueError("only a table field has columns")
        if self.type != "number" and (self.min_value is not None or self.max_value is not None):
            raise ValueError("only a number field has min_value/max_value")
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValueError("min_value must not exceed max_value")
        if self.max_length is not None and self.type not in ("text", "textarea"):
            raise ValueError("only text fields have max_length")
        return self


class FormSchema(Strict):
    """The e-form of a procedure version: an ordered list of fields."""

    fields: list[FormField] = []

    @model_validator(mode="after")
    def _unique_keys(self) -> FormSchema:
        keys = [field.key for field in self.fields]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"field keys must be unique: {', '.join(duplicates)}")
        return self


class ComponentDoc(Strict):
    name: Text
    originals: Annotated[int, Field(ge=0, le=100)] = 0
    copies: Annotated[int, Field(ge=0, le=100)] = 0
    required: bool = True
    document_type: SlugCode | None = None
    note: ShortNote = ""

    @model_validator(mode="after")
    def _at_least_one(self) -> ComponentDoc:
        if self.originals == 0 and self.copies == 0:
            raise ValueError("a component needs at least one original or one copy")
        return self


class FeeDoc(Strict):
    kind: FeeKind
    name: Text
    amount: Annotated[int, Field(ge=0)]
    unit: FeeUnit = FeeUnit.PER_DOSSIER
    free_units: Annotated[int, Field(ge=0, le=1000)] = 0
    max_amount: Annotated[int, Field(ge=0)] | None = None
    applicant_category: ApplicantCategory = ApplicantCategory.ANYONE
    online_amount: Annotated[int, Field(ge=0)] | None = None
    exemptions: list[Text] = []
    legal_basis: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    note: ShortNote = ""

    @model_validator(mode="after")
    def _consistent(self) -> FeeDoc:
        if self.max_amount is not None and self.max_amount < self.amount:
            raise ValueError("max_amount must not be below amount")
        if self.online_amount is not None and self.online_amount > self.amount:
            raise ValueError("online_amount must not exceed amount")
        return self


class StepDoc(Strict):
    name: Text
    role: OfficerRole
    duration: Duration
    performer: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    # A step of another agency (liên thông): its identifier, and its instance's code when not this one.
    partner_agency: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""
    partner_instance: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""


class ProcedureDoc(Strict):
    """The whole content of one procedure version, as imported, exported and served by the API."""

    code: ProcedureCode
    name: Text
    field: SlugCode
    levels: Annotated[list[Level], Field(min_length=1)]
    competent_agency_kind: AgencyKind
    competent_agency_name: Text
    for_citizens: bool = True
    for_organisations: bool = False
    processing_time: Duration
    processing_time_unit: TimeUnit
    processing_time_note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    counts_from_next_day_after_cutoff: bool = False
    service_level: ServiceLevel
    channels: Annotated[list[Channel], Field(min_length=1)]
    fileable_anywhere_in_province: bool = False
    result_name: Text
    result_document_type: SlugCode | None = None
    components: list[ComponentDoc] = []
    fees: list[FeeDoc] = []
    fees_due: FeesDue = FeesDue.ON_REQUEST
    steps: list[StepDoc] = []
    form: FormSchema = FormSchema()
    steps_description: LongText = ""
    requirements: LongText = ""
    legal_basis: list[Text] = []
    agencies: list[AgencyIdentifier] = []

    @model_validator(mode="after")
    def _consistent(self) -> ProcedureDoc:
        if len(set(self.levels)) != len(self.levels):
            raise ValueError("levels must not repeat")
        if len(set(self.channels)) != len(self.channels):
            raise ValueError("channels must not repeat")
        # One order for sets, so that equal content compares equal whatever order a file used.
        self.levels = sorted(self.levels, key=list(Level).index)
        self.channels = sorted(self.channels, key=CHANNEL_ORDER.index)
        self.agencies = sorted(set(self.agencies))
        if not (self.for_citizens or self.for_organisations):
            raise ValueError("a procedure serves citizens, organisations or both")
        if self.service_level == ServiceLevel.FULL and "online" not in self.channels:
            raise ValueError("a full-process (toàn trình) service must accept online filing")
        if self.steps:
            total = sum((step.duration for step in self.steps), Decimal(0))
            if total != self.processing_time:
                raise ValueError(
                    f"step times add up to {total.normalize()} but the processing time is "
                    f"{self.processing_time.normalize()}"
                )
        return self


class FieldDoc(Strict):
    code: SlugCode
    name: Text
    name_en: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class DocumentTypeDoc(Strict):
    code: SlugCode
    name: Text
    name_en: Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] = ""


class CatalogDocument(Strict):
    """A catalogue file: fields, document types and procedures, moved between instances as one unit."""

    format: Literal["motcua.catalog"] = "motcua.catalog"
    format_version: Literal[1] = 1
    fields: list[FieldDoc] = []
    document_types: list[DocumentTypeDoc] = []
    procedures: list[ProcedureDoc] = []

    @model_validator(mode="after")
    def _unique_codes(self) -> CatalogDocument:
        for label, codes in (
            ("field", [item.code for item in self.fields]),
            ("document type", [item.code for item in self.document_types]),
            ("procedure", [item.code for item in self.procedures]),
        ):
            duplicates = sorted({code for code in codes if codes.count(code) > 1})
            if duplicates:
                raise ValueError(f"{label} codes repeat: {', '.join(duplicates)}")
        return self


class AgencyDoc(Strict):
    """An agency in an agencies file; `unit` is the code of a current administrative unit."""

    identifier: AgencyIdentifier
    name: Text
    kind: AgencyKind
    unit: Annotated[str, StringConstraints(pattern=r"^[0-9]{2}([0-9]{3})?$")] | None = None
    parent: AgencyIdentifier | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] = ""
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] = ""


class AgenciesDocument(Strict):
    agencies: list[AgencyDoc]

    @model_validator(mode="after")
    def _parents_first(self) -> AgenciesDocument:
        seen: set[str] = set()
        for agency in self.agencies:
            if agency.identifier in seen:
                raise ValueError(f"agency {agency.identifier} is listed twice")
            seen.add(agency.identifier)
        return self
