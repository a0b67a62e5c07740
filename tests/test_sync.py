"""The two-way learner sync end to end (docs/sync.md): the settings flipped and the
change sets they give, the change files, nothing sent twice, and round trips.

One template: a generated population (generate_learner_systems: 300 learners,
15% of the fields differing) landed with the real `load`, the sync
models built once. Each settings case is a copy of it with a config file and
one build of the sync models; the tests of a case read its database.
"""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

import psycopg2
import pytest
import yaml

from tests.helpers import run_cli

FORMATS = ("a_learners", "b_learners", "a_officers", "b_officers", "a_organisations",
           "b_organisations", "a_qualifications", "b_qualifications")
SYNC = "+path:models/marts/sync +path:models/intermediate/sync"
CASES = {
    # Enabled, every other setting at its default.
    "defaults": {"enabled": True},
    "push": {"enabled": True, "learner_mode": "push", "officer_mode": "push",
             "organisation_mode": "push", "update_gender": True, "update_ethnicity": True,
             "send_disability": True, "student_id_from_lrn": True,
             "push_employer_changes": True, "push_assessor_changes": True,
             "second_assessor_role": "assessor", "welcome_email": False,
             "create_sso_users": True},
    "pull": {"enabled": True, "learner_mode": "pull", "officer_mode": "pull",
             "organisation_mode": "pull", "qualification_dates_mode": "pull",
             "update_gender": True, "risk_from_coach": True, "second_assessor_role": "none"},
    "disabled": {"enabled": False, "learner_mode": "push", "officer_mode": "pull"},
}


def ok(result):
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    return result


def config(folder: Path, sync: dict) -> Path:
    path = folder / "scorebridge.yml"
    path.write_text(yaml.safe_dump({"archive": str(folder / "archive"), "sources": [],
                                    "sync": sync}), encoding="utf-8")
    return path


def with_db(url: str, name: str) -> str:
    from tests.pg import with_dbname

    return with_dbname(url, name)


class Db:
    """A database of its own on the test server (a copy of a template)."""

    def __init__(self, admin: str, template: str) -> None:
        self.admin, self.name = admin, f"sbsync_{uuid.uuid4().hex[:10]}"
        conn = psycopg2.connect(admin)
        conn.autocommit = True
        conn.cursor().execute(f"create database {self.name} template {template}")
        conn.close()
        self.url = with_db(admin, self.name)
        self.conn = psycopg2.connect(self.url)
        self.conn.autocommit = True

    def sql(self, query: str, args: tuple = ()):
        with self.conn.cursor() as cur:
            cur.execute(query, args)
            return cur.fetchall() if cur.description else []

    def drop(self) -> None:
        self.conn.close()
        conn = psycopg2.connect(self.admin)
        conn.autocommit = True
        conn.cursor().execute(f"drop database if exists {self.name} with (force)")
        conn.close()


@pytest.fixture(scope="module")
def sync_files(tmp_path_factory):
    from loaders.devtools.generate import generate_learner_systems

    return generate_learner_systems(tmp_path_factory.mktemp("sync-day1"), 300, seed=5,
                                    differ=0.15, unlinked=0.05)


@pytest.fixture(scope="module")
def sync_template(pg_admin_url, tmp_path_factory, sync_files):
    from tests.pg import make_template

    folder = tmp_path_factory.mktemp("sync-template")

    def prepare(url: str) -> None:
        env = {"SCOREBRIDGE_DATABASE_URL": url}
        cfg = config(folder, {"enabled": True})
        for fmt in FORMATS:
            ok(run_cli("--config", str(cfg), "load", fmt, str(sync_files[fmt]), cwd=folder,
                       env=env))
        ok(run_cli("--config", str(cfg), "build", "--select", SYNC, cwd=folder, env=env,
                   timeout=600))

    with make_template(pg_admin_url, prepare) as name:
        yield name


@pytest.fixture(scope="module")
def case(pg_admin_url, sync_template, tmp_path_factory):
    """case(name) -> (Db, folder, config): the template rebuilt with that case's settings
    (once per module and case)."""
    built: dict = {}

    def get(name: str):
        if name not in built:
            db = Db(pg_admin_url, sync_template)
            folder = tmp_path_factory.mktemp(f"sync-{name}")
            cfg = config(folder, CASES[name])
            ok(run_cli("--config", str(cfg), "build", "--select", SYNC, cwd=folder,
                       env={"SCOREBRIDGE_DATABASE_URL": db.url}, timeout=600))
            built[name] = (db, folder, cfg)
        return built[name]

    yield get
    for db, _folder, _cfg in built.values():
        db.drop()


def actions(db: Db, entity: str, field: str | None) -> set[str]:
    """The actions of one field's differences (None: any field of the entity)."""
    return {r[0] for r in db.sql(
        "select distinct sync_action from marts.mart_sync_differences where entity = %s"
        + (" and field_name = %s" if field else ""), (entity, *([field] if field else [])))}


def outbound(db: Db, side: str, entity: str, field: str | None = None,
             kind: str = "update") -> list:
    return db.sql(f"select record_id, field_name, field_value from marts.outbound_sync_to_{side} "
                  "where change_kind = %s and entity = %s"
                  + (" and field_name = %s" if field else ""),
                  (kind, entity, *([field] if field else [])))


# -- each setting flipped -------------------------------------------------------------
def test_modes_none_report_push_sends_a_and_pull_sends_b(case):
    defaults, push, pull = case("defaults")[0], case("push")[0], case("pull")[0]
    for entity, field in (("learner", "last_name"), ("officer", None),
                          ("organisation", None)):
        assert actions(defaults, entity, field) == {"report"}, (entity, field)
        assert actions(push, entity, field) == {"push"}, (entity, field)
        assert actions(pull, entity, field) == {"pull"}, (entity, field)
    assert outbound(defaults, "b", "learner", "last_name") == []
    # A push sends A's value to B under B's id; a pull sends B's value to A under A's id.
    a_id, b_id, a_value, b_value = push.sql(
        "select a_id, b_id, a_value, b_value from marts.mart_sync_differences "
        "where entity = 'learner' and field_name = 'last_name' order by a_id limit 1")[0]
    assert (b_id, "last_name", a_value) in outbound(push, "b", "learner", "last_name")
    assert (a_id, "last_name", b_value) in outbound(pull, "a", "learner", "last_name")
    assert outbound(push, "a", "learner") == []


def test_qualification_dates_push_by_default_or_pull(case):
    defaults, pull = case("defaults")[0], case("pull")[0]
    for field in ("start_date", "planned_end_date"):
        assert actions(defaults, "qualification", field) == {"push"}
        assert actions(pull, "qualification", field) == {"pull"}
    assert outbound(defaults, "b", "qualification", "start_date")
    assert outbound(pull, "a", "qualification", "start_date")


def test_gender_and_ethnicity_follow_the_learner_mode_only_when_on(case):
    defaults, push, pull = case("defaults")[0], case("push")[0], case("pull")[0]
    assert actions(defaults, "learner", "gender") == {"report"}
    assert actions(push, "learner", "gender") == {"push"}
    assert actions(pull, "learner", "gender") == {"pull"}
    assert actions(push, "learner", "ethnicity") == {"push"}
    assert actions(pull, "learner", "ethnicity") == {"report"}  # update_ethnicity off


def test_disability_is_sent_to_b_only_when_asked(case):
    defaults, push = case("defaults")[0], case("push")[0]
    assert outbound(defaults, "b", "learner", "disability") == []
    sent = outbound(push, "b", "learner", "disability")
    linked = push.sql("select count(*) from intermediate.int_sync__links "
                      "where entity = 'learner' and link_state = 'linked'")[0][0]
    assert len(sent) == linked > 0
    assert {r[1] for r in push.sql("select a_id, field_name from marts.mart_sync_creates "
                                   "where entity = 'learner'")} >= {"disability"}
    assert all(r[1] != "disability" for r in case("pull")[0].sql(
        "select record_id, field_name from marts.outbound_sync_to_a"))


def test_student_id_from_lrn_and_risk_from_coach(case):
    defaults, push, pull = case("defaults")[0], case("push")[0], case("pull")[0]
    assert actions(defaults, "learner", "student_id") == set()
    assert actions(push, "learner", "student_id") == {"push"}
    lrn, student_id = push.sql(
        "select a.lrn, d.a_value from marts.mart_sync_differences as d join "
        "staging.stg_sync__a_learners as a on a.learner_id = d.a_id "
        "where d.field_name = 'student_id' limit 1")[0]
    assert lrn == student_id
    assert actions(defaults, "learner", "risk") == set()
    assert actions(pull, "learner", "risk") == {"pull"}
    assert outbound(pull, "a", "learner", "risk")


def test_employer_and_assessor_changes_are_pushed_only_when_asked(case):
    defaults, push = case("defaults")[0], case("push")[0]
    for entity, field in (("learner", "employer"), ("qualification", "assessor")):
        assert actions(defaults, entity, field) == {"report"}
        assert actions(push, entity, field) == {"push"}
    # An employer pushed is a B organisation id.
    values = {r[2] for r in outbound(push, "b", "learner", "employer")}
    b_orgs = {r[0] for r in push.sql("select org_id from staging.stg_sync__b_organisations")}
    assert values and values <= b_orgs | {None}


def test_second_assessor_role_chooses_what_b_gets(case):
    push, pull, defaults = case("push")[0], case("pull")[0], case("defaults")[0]
    assert actions(pull, "qualification", "second_assessor") == set()  # none
    assert actions(defaults, "qualification", "second_assessor") == {"report"}
    # With role "assessor", B's second assessor is compared with A's assessor.
    rows = push.sql(
        "select d.a_value, l.b_id from marts.mart_sync_differences as d "
        "join staging.stg_sync__a_qualifications as q "
        "on d.a_id = q.learner_id || '/' || q.qualification_code "
        "join intermediate.int_sync__links as l "
        "on l.entity = 'officer' and l.a_id = q.assessor_officer_id "
        "where d.field_name = 'second_assessor'")
    assert rows and all(a_value == b_id for a_value, b_id in rows)


def test_creates_carry_welcome_email_and_sso_flags(case):
    defaults, push = case("defaults")[0], case("push")[0]

    def flags(db, entity, field):
        return {r[0] for r in db.sql("select field_value from marts.mart_sync_creates "
                                     "where entity = %s and field_name = %s", (entity, field))}

    assert flags(defaults, "learner", "welcome_email") == {"Y"}
    assert flags(push, "learner", "welcome_email") == {"N"}
    assert flags(defaults, "officer", "create_sso_user") == {"N"}
    assert flags(push, "officer", "create_sso_user") == {"Y"}
    unlinked = defaults.sql("select a_id from intermediate.int_sync__links "
                            "where entity = 'learner' and link_state = 'unlinked'")
    created = defaults.sql("select distinct a_id from marts.mart_sync_creates "
                           "where entity = 'learner'")
    assert sorted(created) == sorted(unlinked) and unlinked
    assert {r[1] for r in outbound(defaults, "b", "learner", kind="create")} >= {
        "first_name", "last_name", "welcome_email"}


def test_disabled_reports_everything_and_sends_nothing(case):
    db, folder, cfg = case("disabled")
    assert {r[0] for r in db.sql("select distinct sync_action from marts.mart_sync_differences")} \
        == {"report"}
    assert db.sql("select count(*) from marts.outbound_sync_to_b") == [(0,)]
    refused = run_cli("--config", str(cfg), "export", "sync", "--to", "b", cwd=folder,
                      env={"SCOREBRIDGE_DATABASE_URL": db.url})
    assert refused.returncode == 1
    assert "sync.enabled is false in the configuration" in refused.stderr


def test_a_dangling_or_shared_link_is_a_conflict_and_not_compared(case, sync_files, tmp_path):
    db, folder, cfg = case("push")
    rows = list(csv.DictReader(sync_files["a_learners"].open(encoding="utf-8")))
    linked = [r for r in rows if r["b_learner_id"]]
    linked[0]["b_learner_id"] = "BL_GONE"
    linked[2]["b_learner_id"] = linked[1]["b_learner_id"]
    path = tmp_path / "a_learners.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    env = {"SCOREBRIDGE_DATABASE_URL": db.url}
    ok(run_cli("--config", str(cfg), "load", "a_learners", str(path), cwd=folder, env=env))
    ok(run_cli("--config", str(cfg), "build", "--select", SYNC, cwd=folder, env=env,
               timeout=600))
    conflicts = db.sql("select conflict_kind, a_id, b_id from marts.mart_sync_conflicts "
                       "where entity = 'learner' and conflict_kind <> 'only_on_b' order by 1, 2")
    assert conflicts == sorted([("dangling_link", linked[0]["learner_id"], "BL_GONE"),
                                ("shared_link", linked[1]["learner_id"], linked[1]["b_learner_id"]),
                                ("shared_link", linked[2]["learner_id"], linked[1]["b_learner_id"])])
    assert db.sql("select count(*) from marts.mart_sync_differences where a_id in (%s, %s, %s)",
                  tuple(r["learner_id"] for r in linked[:3])) == [(0,)]


# -- change files, nothing twice, round trips -----------------------------------------
FILES = {"learner": ("learners", "learner_id", "b_learner_id"),
         "officer": ("officers", "officer_id", "officer_id"),
         "organisation": ("organisations", "org_id", "org_id"),
         "qualification": ("qualifications", None, None)}
COLUMN = {("b", "employer"): "employer_b_org_id", ("a", "employer"): "employer_org_id",
          ("a", "assessor"): "assessor_officer_id", ("b", "assessor"): "assessor_officer_id",
          ("a", "second_assessor"): "second_assessor_officer_id",
          ("b", "second_assessor"): "second_assessor_officer_id"}


def apply_changes(change_file: Path, side: str, files: dict, folder: Path) -> dict:
    """What the other system does with a change file: each update written into its
    extract (creates are left to it: they need its ids); the next day's extracts."""
    updates = [r for r in csv.DictReader(change_file.open(encoding="utf-8"))
               if r["change_kind"] == "update"]
    out = {}
    for entity, (name, a_key, b_key) in FILES.items():
        fmt = f"{side}_{name}"
        rows = list(csv.DictReader(files[fmt].open(encoding="utf-8")))
        key = a_key if side == "a" else b_key

        def record_id(row, key=key):
            return f"{row['learner_id']}/{row['qualification_code']}" if key is None else row[key]

        by_id = {record_id(r): r for r in rows}
        for change in updates:
            if change["entity"] != entity:
                continue
            column = COLUMN.get((side, change["field_name"]), change["field_name"])
            if column not in rows[0]:
                continue  # disability: B's extract has no such column
            by_id[change["record_id"]][column] = change["field_value"]
        out[fmt] = folder / f"{fmt}.csv"
        with out[fmt].open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return out


@pytest.mark.parametrize("name,side,action", [("push", "b", "push"), ("pull", "a", "pull")])
def test_a_change_file_loaded_back_as_the_next_extract_leaves_no_differences(
        name, side, action, pg_admin_url, sync_template, sync_files, tmp_path):
    db = Db(pg_admin_url, sync_template)
    try:
        cfg = config(tmp_path, CASES[name])
        env = {"SCOREBRIDGE_DATABASE_URL": db.url}
        ok(run_cli("--config", str(cfg), "build", "--select", SYNC, cwd=tmp_path, env=env,
                   timeout=600))
        pending = db.sql("select count(*) from marts.mart_sync_differences where sync_action = %s",
                         (action,))[0][0]
        assert pending > 20
        sent = ok(run_cli("--config", str(cfg), "export", "sync", "--to", side, "--out",
                          str(tmp_path / "out"), cwd=tmp_path, env=env))
        change_file = next((tmp_path / "out").glob(f"SYNC_TO_{side.upper()}_*.csv"))
        assert f"{change_file}: " in sent.stdout
        recorded = db.sql("select count(*) from ops.sync_export_items")[0][0]
        assert recorded == sum(1 for _ in change_file.open(encoding="utf-8")) - 1 >= pending

        # Nothing changed since: nothing new is written.
        again = ok(run_cli("--config", str(cfg), "export", "sync", "--to", side, "--out",
                           str(tmp_path / "out"), cwd=tmp_path, env=env))
        assert f"0 new changes for side {side}: nothing written" in again.stdout

        # The other side applies the file; its next extracts land; nothing differs.
        before = db.sql("select fingerprint from intermediate.int_sync__inputs")[0][0]
        day2 = tmp_path / "day2"
        day2.mkdir()
        for fmt, path in apply_changes(change_file, side, sync_files, day2).items():
            ok(run_cli("--config", str(cfg), "load", fmt, str(path), cwd=tmp_path, env=env))
        ok(run_cli("--config", str(cfg), "build", "--select", SYNC, cwd=tmp_path, env=env,
                   timeout=600))
        assert db.sql("select entity, field_name, a_id from marts.mart_sync_differences "
                      "where sync_action = %s", (action,)) == []
        # The build read the new extracts: no row is left from the first day's.
        assert db.sql("select fingerprint from intermediate.int_sync__inputs")[0][0] != before
        assert db.sql("select count(*) from marts.mart_sync_differences "
                      "where inputs_fingerprint = %s", (before,)) == [(0,)]
        third = ok(run_cli("--config", str(cfg), "export", "sync", "--to", side, "--out",
                           str(tmp_path / "out"), cwd=tmp_path, env=env))
        assert "nothing written" in third.stdout
    finally:
        db.drop()


def test_a_second_build_with_nothing_changed_rewrites_nothing(case):
    db, folder, cfg = case("defaults")
    before = db.sql("select count(*), max(inputs_fingerprint) from marts.mart_sync_differences")
    xmin = db.sql("select max(xmin::text::bigint) from marts.mart_sync_differences")
    ok(run_cli("--config", str(cfg), "build", "--select", SYNC, cwd=folder,
               env={"SCOREBRIDGE_DATABASE_URL": db.url}, timeout=600))
    assert db.sql("select count(*), max(inputs_fingerprint) "
                  "from marts.mart_sync_differences") == before
    assert db.sql("select max(xmin::text::bigint) from marts.mart_sync_differences") == xmin
