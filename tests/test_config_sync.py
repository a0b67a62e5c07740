"""The sync: section of the configuration (docs/sync.md, Settings) and its way
to the dbt models as vars."""

import json
from pathlib import Path

import pytest
import yaml

from loaders.core.config import ConfigError, SyncSettings, parse_config
from tests.helpers import ROOT, run_cli, write_config

BASE = Path("/tmp")

EVERY_KEY = {
    "enabled": True,
    "learner_mode": "push",
    "officer_mode": "pull",
    "organisation_mode": "push",
    "qualification_dates_mode": "pull",
    "update_gender": True,
    "update_ethnicity": True,
    "send_disability": True,
    "student_id_from_lrn": True,
    "risk_from_coach": True,
    "push_employer_changes": True,
    "push_assessor_changes": True,
    "second_assessor_role": "assessor",
    "welcome_email": False,
    "create_sso_users": True,
}

VAR_NAMES = {
    "sync_enabled", "sync_learner_mode", "sync_officer_mode", "sync_organisation_mode",
    "sync_qualification_dates_mode", "sync_update_gender", "sync_update_ethnicity",
    "sync_send_disability", "sync_student_id_from_lrn", "sync_risk_from_coach",
    "sync_push_employer_changes", "sync_push_assessor_changes", "sync_second_assessor_role",
    "sync_welcome_email", "sync_create_sso_users",
}


def sync_error(section) -> str:
    with pytest.raises(ConfigError) as exc:
        parse_config({"sync": section}, BASE)
    return str(exc.value)


@pytest.mark.parametrize("data", [{}, {"sync": None}, {"sync": {}}])
def test_defaults_when_the_section_is_missing_or_empty(data):
    sync = parse_config(data, BASE).sync
    assert sync == SyncSettings()
    assert (sync.enabled, sync.learner_mode, sync.officer_mode, sync.organisation_mode) == (
        False, "none", "none", "none")
    assert sync.qualification_dates_mode == "push"
    assert sync.second_assessor_role == "second_assessor"
    assert sync.welcome_email is True
    assert not any((sync.update_gender, sync.update_ethnicity, sync.send_disability,
                    sync.student_id_from_lrn, sync.risk_from_coach, sync.push_employer_changes,
                    sync.push_assessor_changes, sync.create_sso_users))
    assert sync.changed_dbt_vars() == {}


def test_every_key_is_parsed():
    sync = parse_config({"sync": EVERY_KEY}, BASE).sync
    for key, value in EVERY_KEY.items():
        assert getattr(sync, key) == value, key
    # Every value above differs from its default: each key was read, none defaulted.
    assert all(getattr(SyncSettings(), key) != value for key, value in EVERY_KEY.items())


def test_dbt_vars_are_named_and_declared_with_the_same_defaults():
    sync = parse_config({"sync": EVERY_KEY}, BASE).sync
    assert sync.dbt_vars() == {f"sync_{key}": value for key, value in EVERY_KEY.items()}
    assert set(sync.dbt_vars()) == VAR_NAMES
    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]
    assert {k: project[k] for k in VAR_NAMES} == SyncSettings().dbt_vars()


def test_only_the_changed_settings_go_on_the_command_line():
    sync = parse_config({"sync": {"learner_mode": "pull", "welcome_email": True}}, BASE).sync
    assert sync.changed_dbt_vars() == {"sync_learner_mode": "pull"}


@pytest.mark.parametrize("section,expected", [
    ({"qualification_dates_mode": "none"},
     "sync.qualification_dates_mode: none is not allowed: qualification dates are always "
     "brought into line (push or pull)"),
    ({"disability_mode": "pull"},
     "sync.disability_mode: disability is sent from A to B only (send_disability: true); "
     "it can never be pulled"),
    ({"disability_mode": "push"},
     "sync.disability_mode: not a setting: disability is sent from A to B or not "
     "(send_disability: true or false)"),
    ({"learner_mode": "both"}, "sync.learner_mode: 'both' is not one of none, push, pull"),
    ({"officer_mode": "PUSH"}, "sync.officer_mode: 'PUSH' is not one of none, push, pull"),
    ({"organisation_mode": "sideways"},
     "sync.organisation_mode: 'sideways' is not one of none, push, pull"),
    ({"qualification_dates_mode": "both"},
     "sync.qualification_dates_mode: 'both' is not one of push, pull"),
    ({"second_assessor_role": "coach"},
     "sync.second_assessor_role: 'coach' is not one of second_assessor, assessor, none"),
    ({"learner_mode": True}, "sync.learner_mode: expected str, got True"),
    ({"enabled": "yes"}, "sync.enabled: expected bool, got 'yes'"),
    ({"send_disability": 1}, "sync.send_disability: expected bool, got 1"),
    ({"welcome_email": "false"}, "sync.welcome_email: expected bool, got 'false'"),
    ({"learner_mod": "push"}, "sync.learner_mod: unknown key"),
])
def test_refusals_are_one_line_naming_the_key(section, expected):
    assert sync_error(section) == expected


def test_a_section_that_is_not_a_mapping():
    with pytest.raises(ConfigError) as exc:
        parse_config({"sync": ["enabled"]}, BASE)
    assert str(exc.value) == "sync: expected dict, got ['enabled']"


def test_the_cli_refuses_a_bad_sync_section_in_one_line(tmp_path):
    config = write_config(tmp_path, [], sync={"qualification_dates_mode": "none"})
    result = run_cli("--config", str(config), "dbt", "parse", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: sync.qualification_dates_mode: none is not allowed: qualification dates are "
        "always brought into line (push or pull)")


def test_the_settings_reach_dbt_from_the_dbt_verb_and_from_build(tmp_path, db_url):
    """`dbt ...` and `build` both hand the settings to dbt; --vars given wins."""
    config = str(write_config(tmp_path, [], sync={"learner_mode": "pull",
                                                  "second_assessor_role": "none"}))
    inline = "{{ var('sync_learner_mode') }}/{{ var('sync_second_assessor_role') }}/" \
             "{{ var('sync_officer_mode') }}"
    shown = run_cli("--config", config, "dbt", "compile", "--inline", inline, cwd=tmp_path)
    assert shown.returncode == 0, shown.stdout[-2000:] + shown.stderr
    assert "pull/none/none" in shown.stdout
    own = run_cli("--config", config, "dbt", "compile", "--inline", inline,
                  "--vars", "{sync_learner_mode: push}", cwd=tmp_path)
    assert own.returncode == 0, own.stdout[-2000:] + own.stderr
    assert "push/second_assessor/none" in own.stdout
    # build: a selection of nothing still hands dbt the vars (the log has the command).
    built = run_cli("--config", config, "build", "--select", "no_such_model_here", cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    vars_json = json.dumps({"sync_learner_mode": "pull", "sync_second_assessor_role": "none"},
                           sort_keys=True)
    assert f"--vars {vars_json}" in (tmp_path / "scorebridge.log").read_text()


def test_the_docs_table_and_example_match_the_settings():
    text = (ROOT / "docs" / "sync.md").read_text()
    settings = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:4] for line in settings.splitlines() if line.startswith("| `")]
    documented = {key.strip().strip("`"): default.strip() for key, _values, default in rows}
    defaults = {k: str(v).lower() for k, v in SyncSettings().dbt_vars().items()}
    assert {f"sync_{k}": v for k, v in documented.items()} == defaults
    example = yaml.safe_load(settings.split("```yaml", 1)[1].split("```", 1)[0])
    assert set(example["sync"]) == set(EVERY_KEY)
    parse_config(example, BASE)
