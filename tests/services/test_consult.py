"""The consultation brief service on a hand-built client: summary, trajectory, brief, text.

Starter rules apply (no closed reference pool): RC of the ORS is 5 points, cutoff 25;
red when d <= -5; orange from the 3rd measurement when d <= 0; red from the 6th when
d < 5. SRS cutoff 36; an SRS item below 36 / 4 = 9 is a weak spot.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from practice_app.errors import UserError
from practice_app.services.consult import (
    ConsultBriefView,
    ConsultPicker,
    brief_as_text,
    load_consult_brief,
    load_consult_picker,
    load_consult_screen,
    save_brief,
)
from practice_app.storage.database import Database
from practice_app.storage.models import (
    Client,
    ClientAttribute,
    ClientLesson,
    ConsultationBrief,
    Episode,
    Instrument,
    LessonTag,
    Score,
    Session,
    Therapist,
)

TODAY = dt.date(2026, 6, 1)
FIRST = dt.date(2026, 4, 6)
ORS = (20.0, 21.0, 19.0, 20.0, 18.0, 19.0, 20.0)
# d from intake: +1 green, -1 orange, 0 orange, -2 orange, -1 red (6th), 0 red.
PER_SESSION = ("none", "green", "orange", "orange", "orange", "red", "red")
SRS = (38.0, 37.0, 35.0, 37.0, 36.5, 38.0, 38.0)
SRS_ITEMS_3 = [8.0, 9.0, 9.0, 9.0]  # session 3: total 35, Relationship below 9
ORS_ITEMS_1 = [5.0, 6.0, 4.0, 5.0]  # session 1: total 20
PRIVATE = "Harbour Street Clinic"
"""A client attribute value that must never reach the brief."""
HOSTILE = "<b>Tried CBT</b> & then ACT"
OTHER_LESSON = "A lesson of its own"


@pytest.fixture
def brief_db(db: Database) -> Database:
    """Client K-07 (an earlier closed episode and an open one) and client X-99."""
    with db.session() as s:
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        srs = s.scalars(select(Instrument).where(Instrument.name == "SRS")).one()
        therapist = Therapist(code="T9", display_name="Dr Therapist Fullname")
        client = Client(code="K-07", gender="F", group_name=PRIVATE)
        client.attributes.append(ClientAttribute(name="Modality", value="Telehealth-Zeta"))
        earlier = Episode(
            client=client,
            therapist=therapist,
            external_id="K07-A",
            end_date=dt.date(2025, 3, 1),
            ending_reason="planned",
        )
        for number, total in enumerate((12.0, 20.0, 26.0), start=1):
            day = dt.date(2025, 1, 6) + dt.timedelta(days=14 * (number - 1))
            earlier.sessions.append(
                Session(number=number, date=day, scores=[Score(instrument=ors, total=total)])
            )
        current = Episode(client=client, therapist=therapist, external_id="K07-B")
        for number, (o, a) in enumerate(zip(ORS, SRS, strict=True), start=1):
            day = FIRST + dt.timedelta(days=7 * (number - 1))
            scores = [
                Score(instrument=ors, total=o, items=ORS_ITEMS_1 if number == 1 else None),
                Score(instrument=srs, total=a, items=SRS_ITEMS_3 if number == 3 else None),
            ]
            notes = "Homework not done; agreed a smaller step." if number == 2 else None
            current.sessions.append(Session(number=number, date=day, scores=scores, notes=notes))
        other = Episode(client=Client(code="X-99"), therapist=therapist)
        other.sessions.append(
            Session(
                number=1,
                date=TODAY - dt.timedelta(days=5),
                scores=[Score(instrument=ors, total=30.0)],
            )
        )
        s.add_all([earlier, current, other])
        s.flush()
        lesson = ClientLesson(
            client_id=client.id,
            episode_id=earlier.id,
            date=dt.date(2025, 3, 2),
            taught="Hope rose before anything else did.",
            new_or_different="Early change",
            will_practise="Name early change out loud.",
        )
        lesson.tags.append(LessonTag(tag="hope"))
        later = ClientLesson(client_id=client.id, date=TODAY + dt.timedelta(days=3), taught="x")
        elsewhere = ClientLesson(
            client_id=other.client_id, date=FIRST, taught="A lesson of its own"
        )
        s.add_all([lesson, later, elsewhere])
    return db


def _current_id(db: Database) -> int:
    with db.session() as s:
        return int(s.scalars(select(Episode.id).where(Episode.external_id == "K07-B")).one())


def test_the_brief_holds_the_code_summary_trajectory_and_alerts(brief_db: Database) -> None:
    with brief_db.session() as s:
        view = load_consult_brief(s, "K-07", today=TODAY)
    assert view.code == "K-07"
    assert view.episode_label == "K07-B"  # the latest episode by default
    assert [c.label for c in view.episodes] == ["K07-B", "K07-A"]
    assert [c.status for c in view.episodes] == ["Open", "Planned ending"]
    assert view.therapist == "T9" and view.open and view.sessions == 7
    assert view.first_date == FIRST and view.last_date == FIRST + dt.timedelta(days=42)
    ors = view.instruments[0]
    assert (ors.name, ors.role, ors.measurements) == ("ORS", "outcome", 7)
    assert (ors.intake, ors.latest, ors.change, ors.category) == (20.0, 20.0, 0.0, "unchanged")
    assert ors.signal == "red" and "no reliable change by the 6th" in ors.signal_words
    assert ors.model.startswith("Starter rules")
    srs = view.instruments[1]
    assert (srs.name, srs.role, srs.intake, srs.latest) == ("SRS", "alliance", 38.0, 38.0)
    t = view.trajectory
    assert [(p.session, p.score, p.alliance) for p in t.points] == [
        (n, o, a) for n, (o, a) in enumerate(zip(ORS, SRS, strict=True), start=1)
    ]
    assert tuple(p.signal for p in t.points) == PER_SESSION
    assert t.points[0].date == FIRST
    assert t.cutoff == 25 and t.alliance_cutoff == 36
    assert t.reliable_band == (15.0, 25.0)
    assert t.expected_success == () and t.model == "starter"  # no fitted lines to draw


def test_item_scores_alliance_lessons_and_notes(brief_db: Database) -> None:
    with brief_db.session() as s:
        view = load_consult_brief(s, "K-07", today=TODAY)
    ors_items, srs_items = view.item_tables
    assert ors_items.items == ("Individually", "Interpersonally", "Socially", "Overall")
    assert ors_items.rows[0].values == tuple(ORS_ITEMS_1)
    assert ors_items.rows[1].values == (None, None, None, None)  # total only
    assert ors_items.lowest_item == "Socially" and ors_items.lowest_mean == 4.0
    assert srs_items.low_below == 9.0
    assert srs_items.rows[2].low == (True, False, False, False)
    assert not any(any(r.low) for r in srs_items.rows if r.session != 3)
    a = view.alliance
    assert a is not None
    assert a.below_cutoff == (3,) and a.lowest == 35.0 and a.latest == 38.0
    assert a.mean == pytest.approx(sum(SRS) / 7)
    assert a.signal == "green"
    titles = [n.title for n in view.signals]
    assert titles[0] == "Outcome signal (ORS): red"
    assert any("below the cutoff at session 3" in n.text for n in view.signals)
    assert view.sudden == ()
    # Lessons of this client up to today (not a later one, not another client's).
    assert [lesson.taught for lesson in view.lessons] == ["Hope rose before anything else did."]
    assert view.lessons[0].episode == "K07-A" and view.lessons[0].tags == ("hope",)
    assert [(n.session, n.text) for n in view.notes] == [
        (2, "Homework not done; agreed a smaller step.")
    ]
    assert view.tried == "" and view.questions == "" and view.brief_id is None


def test_an_earlier_episode_can_be_chosen_and_a_foreign_one_is_refused(
    brief_db: Database,
) -> None:
    with brief_db.session() as s:
        first = s.scalars(select(Episode.id).where(Episode.external_id == "K07-A")).one()
        foreign = s.scalars(select(Episode.id).join(Client).where(Client.code == "X-99")).one()
        view = load_consult_brief(s, "K-07", episode_id=first, today=TODAY)
        assert view.status == "Planned ending" and not view.open
        assert view.instruments[0].category == "recovered"  # 12 -> 26: d 14, crosses 25
        with pytest.raises(UserError, match="not one of client 'K-07's episodes"):
            load_consult_brief(s, "K-07", episode_id=foreign, today=TODAY)


def test_an_unknown_client_is_a_user_error(brief_db: Database) -> None:
    with brief_db.session() as s, pytest.raises(UserError, match="client 'K-7' was not found"):
        load_consult_brief(s, "K-7")


def test_save_and_reload_round_trip_updates_one_brief(brief_db: Database) -> None:
    episode_id = _current_id(brief_db)
    with brief_db.session() as s:
        saved = save_brief(s, episode_id, tried=HOSTILE, questions="1. Refer on?\n2. How?")
    assert saved.previous_tried is None  # a new brief
    with brief_db.session() as s:
        view = load_consult_brief(s, "K-07", today=TODAY)
        assert view.tried == HOSTILE and view.questions == "1. Refer on?\n2. How?"
        assert view.brief_id == saved.brief_id and view.brief_updated is not None
        again = save_brief(s, episode_id, tried="Changed", questions="")
    assert (again.previous_tried, again.previous_questions) == (HOSTILE, "1. Refer on?\n2. How?")
    with brief_db.session() as s:
        count = s.scalar(select(func.count(ConsultationBrief.id)))
        view = load_consult_brief(s, "K-07", today=TODAY)
    assert count == 1
    assert (view.tried, view.questions) == ("Changed", "")


def test_the_latest_of_several_briefs_is_shown(brief_db: Database) -> None:
    episode_id = _current_id(brief_db)
    with brief_db.session() as s:
        for day, text in ((dt.datetime(2026, 5, 1), "new"), (dt.datetime(2026, 1, 1), "old")):
            s.add(
                ConsultationBrief(episode_id=episode_id, created_at=day, updated_at=day, tried=text)
            )
    with brief_db.session() as s:
        assert load_consult_brief(s, "K-07", today=TODAY).tried == "new"


def _strings(value: Any) -> list[str]:
    """Every string anywhere inside a (nested) dataclass value."""
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [t for f in dataclasses.fields(value) for t in _strings(getattr(value, f.name))]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _strings(v)]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _strings(k) + _strings(v)]
    return []


def test_the_text_holds_the_code_and_no_other_identifying_field(brief_db: Database) -> None:
    episode_id = _current_id(brief_db)
    with brief_db.session() as s:
        save_brief(s, episode_id, tried=HOSTILE, questions="Is it time to refer on?")
        view = load_consult_brief(s, "K-07", today=TODAY)
    text = brief_as_text(view)
    assert "client K-07" in text
    for private in (
        PRIVATE,
        "Telehealth-Zeta",
        "Dr Therapist Fullname",
        "X-99",
        "A lesson of its own",
    ):
        assert private not in text
        assert not any(private in t for t in _strings(view))
    assert "gender" not in text.lower()
    # The sections a consultant reads, with the figures behind them.
    for expected in (
        "intake 20.0, latest 20.0, change +0.0 (unchanged)",
        "Signal: red",
        "Below the cutoff at session 3",
        "Hope rose before anything else did.",
        "Homework not done; agreed a smaller step.",
        "WHAT HAS BEEN TRIED\n-------------------\n  " + HOSTILE,
        "QUESTIONS FOR THE CONSULTANT\n----------------------------\n  Is it time to refer on?",
        "8.0*",
    ):
        assert expected in text
    assert "Homework" not in brief_as_text(view, notes=False)


def test_the_text_says_when_nothing_was_filled_in(brief_db: Database) -> None:
    with brief_db.session() as s:
        text = brief_as_text(load_consult_brief(s, "X-99", today=TODAY))
    assert "client X-99" in text and "K-07" not in text
    assert text.count("(not filled in)") == 2
    assert "None recorded for this client." not in text  # X-99 has a lesson
    assert OTHER_LESSON in text


def test_a_sudden_gain_is_listed_with_its_sessions(db: Database) -> None:
    # 10 -> 10.5 -> 18: d = 7.5 >= RC 5 and >= 25% of (40 - 10.5); windows differ by
    # 8.25 > t(3) 3.182 x pooled SD 0.456 (hand-checked in tests/gui/clients_sample_data).
    with db.session() as s:
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        episode = Episode(client=Client(code="S-01"), therapist=Therapist(code="T1"))
        for number, total in enumerate((10.0, 10.5, 18.0, 18.5, 19.0), start=1):
            day = FIRST + dt.timedelta(days=7 * (number - 1))
            episode.sessions.append(
                Session(number=number, date=day, scores=[Score(instrument=ors, total=total)])
            )
        s.add(episode)
    with db.session() as s:
        view = load_consult_brief(s, "S-01", today=TODAY)
    (gain,) = view.sudden
    assert (gain.kind, gain.from_session, gain.to_session) == ("gain", 2, 3)
    assert gain.magnitude == pytest.approx(7.5)
    assert gain.to_date == FIRST + dt.timedelta(days=14)
    assert "Sudden gain – session 2 → 3: 10.5 → 18.0 (7.5 points)" in brief_as_text(view)
    assert view.item_tables == ()  # totals only: no table of dashes
    assert view.alliance is None


def test_the_picker_puts_open_not_on_track_episodes_first(brief_db: Database) -> None:
    with brief_db.session() as s:
        picker = load_consult_picker(s, today=TODAY)
        assert isinstance(load_consult_screen(s), ConsultPicker)
        assert isinstance(load_consult_screen(s, " K-07 "), ConsultBriefView)
    rows = [(r.client, r.status, r.signal) for r in picker.rows]
    assert rows == [
        ("K-07", "open", "red"),
        ("X-99", "open", "none"),
        ("K-07", "Planned ending", "green"),
    ]


def _flat_client(db: Database, code: str, last_srs: float) -> None:
    """Nine flat ORS scores (red from the 6th: 4 reds) with a steady SRS ending at last_srs."""
    with db.session() as s:
        ors = s.scalars(select(Instrument).where(Instrument.name == "ORS")).one()
        srs = s.scalars(select(Instrument).where(Instrument.name == "SRS")).one()
        episode = Episode(client=Client(code=code), therapist=Therapist(code=f"T-{code}"))
        for number in range(1, 10):
            day = TODAY - dt.timedelta(days=7 * (10 - number))
            alliance = last_srs if number == 9 else 38.0
            episode.sessions.append(
                Session(
                    number=number,
                    date=day,
                    scores=[
                        Score(instrument=ors, total=20.0),
                        Score(instrument=srs, total=alliance),
                    ],
                )
            )
        s.add(episode)


def test_red_despite_a_good_alliance_follows_the_app_wide_bunt_rule(db: Database) -> None:
    from practice_app.services.patterns import load_bunt_list

    _flat_client(db, "B-01", 38.0)
    _flat_client(db, "B-02", 35.0)  # latest SRS below the cutoff 36: not a bunt
    with db.session() as s:
        good = load_consult_brief(s, "B-01", today=TODAY)
        weak = load_consult_brief(s, "B-02", today=TODAY)
        listed = {row.client for row in load_bunt_list(s, today=TODAY)}
    assert [p.signal for p in good.trajectory.points] == (
        ["none", "green"] + ["orange"] * 3 + ["red"] * 4
    )
    bunt = [n for n in good.signals if n.title == "Red despite a good alliance"]
    assert len(bunt) == 1 and "red at 4 of 9 measurements" in bunt[0].text
    assert not [n for n in weak.signals if n.title == "Red despite a good alliance"]
    assert listed == {"B-01"}
