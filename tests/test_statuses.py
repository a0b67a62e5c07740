"""One list of file statuses: the Python constants, the seed and the
accepted_values test on the manifest's status column say the same."""

import csv
from pathlib import Path

import yaml

from loaders.core import statuses

ROOT = Path(__file__).resolve().parents[1]


def seed_rows() -> list[dict]:
    with open(ROOT / "seeds" / "file_statuses.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_seed_lists_the_python_statuses_in_order():
    assert tuple(r["status"] for r in seed_rows()) == statuses.FILE_STATUSES


def test_seed_and_python_agree_on_the_originals():
    assert tuple(r["status"] for r in seed_rows() if r["is_original"] == "true") == \
        statuses.ORIGINAL_STATUSES


def test_manifest_status_accepted_values_are_the_list():
    models = yaml.safe_load((ROOT / "models" / "staging" / "raw" / "_raw__models.yml")
                            .read_text(encoding="utf-8"))["models"]
    manifest = next(m for m in models if m["name"] == "stg_raw__file_manifest")
    status = next(c for c in manifest["columns"] if c["name"] == "status")
    accepted = next(t["accepted_values"] for t in status["data_tests"]
                    if isinstance(t, dict) and "accepted_values" in t)
    assert tuple(accepted["arguments"]["values"]) == statuses.FILE_STATUSES


def test_the_unique_index_of_originals_names_the_same_statuses():
    # The last migration that (re)creates the index says what it holds now.
    ddl = [path.read_text() for path in
           sorted((ROOT / "loaders" / "core" / "migrations").glob("*.sql"))
           if "index if not exists file_manifest_one_original" in path.read_text()][-1]
    listed = "(" + ", ".join(f"'{s}'" for s in statuses.ORIGINAL_STATUSES) + ")"
    assert f"status in {listed}" in ddl
