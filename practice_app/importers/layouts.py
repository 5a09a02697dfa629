"""Recognise a file's layout from its header and map its columns to what the app stores.

Layouts (product.md, "Imports the app reads"): the OpenFIT flat file, the CamCOPS
ORS and SRS task tables, long (one row per session) and wide (one row per client,
one column per session). Column names are matched after ``normalise_name`` (lower
case, letters and digits only), so 'Client_ID', 'client id' and 'CLIENTID' agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from practice_app.analysis.instruments import InstrumentDef, normalise_name
from practice_app.errors import UserError

LAYOUTS = ("openfit", "camcops-ors", "camcops-srs", "long", "wide")

CLIENT_NAMES = {"client", "clientid", "clientcode", "id", "case", "patient", "patientid",
                "participant", "participantid", "subject", "subjectid", "pid", "code",
                "idnum1", "patientidnum1"}  # fmt: skip
SESSION_NAMES = {"session", "sessionnumber", "sessionno", "sessionnr", "sessionid", "time",
                 "wave", "visit", "occasion", "qsession", "sessionnum"}  # fmt: skip
DATE_NAMES = {"date", "sessiondate", "qdate", "visitdate", "whendate"}
EPISODE_NAMES = {"episode", "episodeid", "episodecode", "caseid", "externalid", "course"}
CASE_DATE_NAMES = {"casedate", "episodestart", "episodestartdate", "startdate"}
NOTES_NAMES = {"notes", "note", "comment", "comments", "sessionnotes", "sessionnote"}
THERAPIST_CODE_NAMES = {"providerid", "therapist", "therapistid", "therapistcode", "clinician",
                        "clinicianid", "provider", "counsellor", "counselor"}  # fmt: skip
THERAPIST_NAME_NAMES = {"therapistname", "providername", "cliniciananame", "clinicianname"}
ATTRIBUTE_NAMES = {
    "gender": "gender", "sex": "gender", "clientgender": "gender", "clientsex": "gender",
    "agegroup": "age_group", "age": "age_group", "clientagegroup": "age_group",
    "clientage": "age_group",
    "group": "group_name", "groupname": "group_name", "clientgroup": "group_name",
    "referralsource": "referral_source", "referral": "referral_source",
    "clientreferralsource": "referral_source",
    "presentingconcerns": "presenting_concerns", "presentingconcern": "presenting_concerns",
    "presentingproblem": "presenting_concerns", "concerns": "presenting_concerns",
    "clientpresentingconcerns": "presenting_concerns",
}  # fmt: skip
# Columns that may hold a client's name (or a free-text "who filled it in"): never read.
NAME_COLUMNS = {"name", "firstname", "lastname", "surname", "fullname", "clientname",
                "givenname", "familyname", "forename", "forenames", "middlename",
                "patientname", "qwhoother", "initials", "clientinitials"}  # fmt: skip
CAMCOPS_ITEMS = {
    "camcops-ors": ("ORS", ("qindividual", "qinterpersonal", "qsocial", "qoverall")),
    "camcops-srs": ("SRS", ("qrelationship", "qgoals", "qapproach", "qoverall")),
}
# Wide columns: instrument, optional separator and tag, session index: ors_1, bdi_s0, phq9_t3.
_WIDE_TAGS = ("session", "time", "week", "wave", "visit", "s", "t", "w", "v", "")


@dataclass
class InstrumentColumns:
    """Where one instrument's total, items and skip flag are in a row."""

    defn: InstrumentDef
    total: int | None = None
    items: list[int | None] = field(default_factory=list)
    skip: int | None = None

    @property
    def has_items(self) -> bool:
        """Whether any item column was found."""
        return any(i is not None for i in self.items)


@dataclass
class WideSession:
    """One session's columns in a wide row."""

    number: int
    label: str
    instruments: list[InstrumentColumns]


@dataclass
class Plan:
    """How the columns of a file map to what the app stores."""

    layout: str
    header: list[str]
    client: int | None = None
    therapist_code: int | None = None
    therapist_first: int | None = None
    therapist_last: int | None = None
    therapist_email: int | None = None
    therapist_name: int | None = None
    episode: int | None = None
    case_date: int | None = None
    session: int | None = None
    date: int | None = None
    notes: int | None = None
    attributes: dict[int, str] = field(default_factory=dict)
    """Column -> client field (gender, age_group, ...) or 'attr:Name' for a custom attribute."""
    instruments: list[InstrumentColumns] = field(default_factory=list)
    wide: list[WideSession] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def column_name(self, index: int | None) -> str:
        """The header text of a column (for messages)."""
        return "" if index is None else self.header[index]


def is_name_column(key: str) -> bool:
    """Whether a normalised header may hold a client's name."""
    if key in NAME_COLUMNS:
        return True
    if key.startswith(_NOT_A_PERSON):
        return False
    # Privacy first: a false positive loses a column (listed as dropped), a miss stores a name.
    return ("name" in key or "initials" in key) and any(w in key for w in _PERSON_WORDS)


_NOT_A_PERSON = ("provider", "therapist", "clinician", "counsel", "group", "instrument",
                 "service", "location", "site", "clinic", "file", "measure")  # fmt: skip
_PERSON_WORDS = ("client", "patient", "participant", "person", "first", "last", "full", "given",
                 "family", "sur", "middle", "fore", "nick", "maiden")  # fmt: skip


def detect_layout(header: list[str]) -> str:
    """Guess the layout from the header."""
    keys = {normalise_name(h) for h in header}
    if "clientid" in keys and keys & {"sessionid", "providerid", "totalors", "orsq1", "casedate"}:
        return "openfit"
    if {"qindividual", "qinterpersonal"} <= keys:
        return "camcops-ors"
    if {"qrelationship", "qgoals"} <= keys:
        return "camcops-srs"
    if keys & SESSION_NAMES or keys & DATE_NAMES:
        return "long"
    return "wide"


def _instrument_lookup(
    instruments: dict[str, InstrumentDef],
) -> dict[str, tuple[InstrumentDef, str, int]]:
    """Map every header spelling we accept to (instrument, role, item index)."""
    table: dict[str, tuple[InstrumentDef, str, int]] = {}
    bare: dict[str, list[tuple[InstrumentDef, int]]] = {}
    for d in instruments.values():
        k = d.key
        for spelling in (k, f"total{k}", f"{k}total", f"{k}score", f"{k}totalscore"):
            table.setdefault(spelling, (d, "total", -1))
        for spelling in (f"{k}skip", f"skip{k}", f"{k}skipped"):
            table.setdefault(spelling, (d, "skip", -1))
        for i, item in enumerate(d.items):
            n = str(i + 1)
            for spelling in (f"{k}{n}", f"{k}q{n}", f"{k}item{n}", f"{k}{normalise_name(item)}"):
                table.setdefault(spelling, (d, "item", i))
            bare.setdefault(normalise_name(item), []).append((d, i))
    for key, owners in bare.items():
        if len(owners) == 1 and key not in table:
            d, i = owners[0]
            table[key] = (d, "item", i)
    return table


def _find_instrument(instruments: dict[str, InstrumentDef], name: str) -> InstrumentDef:
    wanted = normalise_name(name)
    for d in instruments.values():
        if d.key == wanted:
            return d
    known = ", ".join(sorted(instruments))
    raise UserError(f"unknown instrument '{name}' (known: {known}; add one with 'instruments add')")


def make_plan(
    header: list[str],
    instruments: dict[str, InstrumentDef],
    *,
    layout: str | None = None,
    instrument: str | None = None,
) -> Plan:
    """Map the header's columns for ``layout`` (detected when None)."""
    chosen = layout or detect_layout(header)
    if chosen not in LAYOUTS:
        raise UserError(f"unknown layout '{chosen}' (use one of: {', '.join(LAYOUTS)})")
    plan = Plan(chosen, header)
    only = _find_instrument(instruments, instrument) if instrument else None
    scope = {only.name: only} if only else instruments
    lookup = _instrument_lookup(scope)
    found: dict[str, InstrumentColumns] = {}
    camcops = CAMCOPS_ITEMS.get(chosen)
    wide_cols: list[tuple[str, int, InstrumentDef, int]] = []
    seen: set[str] = set()
    for index, raw in enumerate(header):
        key = normalise_name(raw)
        if not key:
            plan.ignored.append(raw or f"column {index + 1}")
            continue
        if key in seen and not is_name_column(key):
            raise UserError(f"the column '{raw}' appears twice in the header")
        seen.add(key)
        if is_name_column(key):
            plan.dropped.append(raw)
            continue
        if _assign_fixed(plan, key, index, chosen):
            continue
        if camcops is not None and key in camcops[1]:
            d = _find_instrument(instruments, camcops[0])
            cols = found.setdefault(d.name, InstrumentColumns(d, items=[None] * len(d.items)))
            cols.items[camcops[1].index(key)] = index
            continue
        if chosen == "wide":
            hit = _wide_column(key, scope)
            if hit is not None:
                wide_cols.append((raw, index, hit[0], hit[1]))
                continue
        elif key in lookup:
            d, role, item = lookup[key]
            cols = found.setdefault(d.name, InstrumentColumns(d, items=[None] * len(d.items)))
            if role == "total":
                cols.total = index
            elif role == "skip":
                cols.skip = index
            else:
                cols.items[item] = index
            continue
        if key.startswith("client") and len(key) > len("client"):
            plan.attributes[index] = "attr:" + _custom_name(raw)
            continue
        plan.ignored.append(raw)
    plan.instruments = list(found.values())
    if chosen == "wide":
        plan.wide = _wide_sessions(wide_cols)
    _check_plan(plan, instruments)
    return plan


def _custom_name(raw: str) -> str:
    """'Client_Modality' -> 'Modality' (the OpenFIT {Entity}_{Field} convention)."""
    text = raw.strip()
    for prefix in ("client_", "client ", "client-", "client"):
        if text.lower().startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix) :].strip() or text
    return text


def _assign_fixed(plan: Plan, key: str, index: int, layout: str) -> bool:
    """Assign the non-instrument columns; return whether ``key`` was one."""
    slots: list[tuple[set[str], str]] = [
        ({"clientid"} if layout == "openfit" else CLIENT_NAMES, "client"),
        (THERAPIST_CODE_NAMES, "therapist_code"),
        ({"providerfirstname", "therapistfirstname"}, "therapist_first"),
        ({"providerlastname", "therapistlastname"}, "therapist_last"),
        ({"provideremail", "therapistemail"}, "therapist_email"),
        (THERAPIST_NAME_NAMES, "therapist_name"),
        (EPISODE_NAMES, "episode"),
        (CASE_DATE_NAMES, "case_date"),
        (SESSION_NAMES, "session"),
        (DATE_NAMES, "date"),
        (NOTES_NAMES, "notes"),
    ]
    for names, slot in slots:
        if key in names and getattr(plan, slot) is None:
            if layout == "wide" and slot in ("session", "date", "notes"):
                return False
            setattr(plan, slot, index)
            return True
    if key in ATTRIBUTE_NAMES and ATTRIBUTE_NAMES[key] not in plan.attributes.values():
        plan.attributes[index] = ATTRIBUTE_NAMES[key]
        return True
    return False


_WIDE_RE = re.compile(r"^(?P<prefix>.*?)(?P<tag>" + "|".join(_WIDE_TAGS) + r")(?P<n>\d+)$")


def _wide_column(key: str, scope: dict[str, InstrumentDef]) -> tuple[InstrumentDef, int] | None:
    """Recognise 'ors1', 'bdis0', 'phq9t3' (normalised) as (instrument, session index)."""
    for d in sorted(scope.values(), key=lambda d: -len(d.key)):
        if not key.startswith(d.key):
            continue
        rest = key[len(d.key) :]
        for tag in _WIDE_TAGS:
            if rest.startswith(tag) and rest[len(tag) :].isdigit():
                return d, int(rest[len(tag) :])
    return None


def _wide_sessions(cols: list[tuple[str, int, InstrumentDef, int]]) -> list[WideSession]:
    """Number sessions by the rank of their index (bdi_s0 is session 1)."""
    order = sorted({n for _raw, _i, _d, n in cols})
    rank = {n: r for r, n in enumerate(order, start=1)}
    sessions: dict[int, WideSession] = {}
    for raw, index, d, n in cols:
        s = sessions.setdefault(rank[n], WideSession(rank[n], raw, []))
        if any(c.defn.name == d.name for c in s.instruments):
            raise UserError(f"the column '{raw}' repeats {d.name} session {n}")
        s.instruments.append(InstrumentColumns(d, total=index))
    return [sessions[k] for k in sorted(sessions)]


def _check_plan(plan: Plan, instruments: dict[str, InstrumentDef]) -> None:
    where = f"as {plan.layout} layout"
    if plan.client is None and plan.layout != "camcops-ors" and plan.layout != "camcops-srs":
        raise UserError(
            f"no client column found {where} (expected one of: client, client_id, id, case; "
            f"columns: {', '.join(plan.header)})"
        )
    if plan.layout == "wide":
        if not plan.wide:
            raise UserError(
                f"no session columns found {where} (expected e.g. ors_1, ors_2 or bdi_s1; known "
                f"instruments: {', '.join(sorted(instruments))})"
            )
        return
    if plan.session is None and plan.date is None:
        raise UserError(f"no session number or date column found {where}")
    if not plan.instruments:
        raise UserError(
            f"no instrument columns found {where} (known instruments: "
            f"{', '.join(sorted(instruments))}; items as NAME_1.. or the item names)"
        )
