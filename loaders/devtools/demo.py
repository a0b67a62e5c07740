"""``demo``: the whole scheduled job on the embedded database, with generated
vendor files served from a local inbox.

Everything lives in ``.scorebridge/demo/``: its config file, the inbox that
plays the vendors' servers, and the archive. Each demo run drops a fresh set
of files (a new seed), so a second run receives new files too.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import yaml

from loaders.core.paths import STATE_DIR

log = logging.getLogger(__name__)

DEMO_DIR = STATE_DIR / "demo"
# (source name, format, file name pattern) served from the inbox.
DEMO_SOURCES = [
    ("act", "act_csv", "ACT_{stamp}.csv"),
    ("sat", "sat_csv", "SAT_{stamp}.csv"),
    ("ap", "ap_csv", "AP_{stamp}.csv"),
    ("preact", "preact_fixed", "PREACT_{stamp}.txt"),
    ("accuplacer", "accuplacer_csv", "ACCUPLACER_{stamp}.csv"),
    ("gre", "gre_fixed", "GRE_{stamp}.dat"),
    ("gmat", "gmat_csv", "GMAT_{stamp}.csv"),
    ("prometric", "prometric_results", "RESULTS_DEMO_{stamp}.csv"),
    ("persons", "persons", "persons_{stamp}.csv"),
    ("indicators", "admission_test_indicators", "indicators_{stamp}.csv"),
    ("applications", "applications", "applications_{stamp}.csv"),
]


def write_demo_config() -> Path:
    inbox = DEMO_DIR / "inbox"
    sources = []
    for name, fmt, _ in DEMO_SOURCES:
        (inbox / name).mkdir(parents=True, exist_ok=True)
        sources.append({
            "name": name, "format": fmt, "transport": "local",
            "remote_folder": f"inbox/{name}", "pattern": "*", "expect_every": "1d",
            "settle_seconds": 0,
        })
    config = {"archive": "archive", "log_file": "scorebridge-demo.log", "sources": sources}
    path = DEMO_DIR / "scorebridge.yml"
    path.write_text("# Written by `python cli.py demo`.\n" + yaml.safe_dump(config, sort_keys=False))
    return path


# The vendors' usual mistakes, appended to the generated files (each a copy of
# the file's first record with these values), so status, the email and the
# report have problems to show: results no application matches, a result code
# nobody knows, ACT scores out of range or not numbers.
DEMO_MISTAKES = {
    "prometric": [{"EligibilityID": "E00000", "CandidateID": "P9990001"},
                  {"EligibilityID": "", "CandidateID": "P9990002"},
                  {"Result": "MAYBE"}],
    "act": [{"Composite": "99"}, {"Mth": "3O"}],
}


def append_mistakes(path: Path, changes: list[dict]) -> None:
    import csv

    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        first = next(reader)
        header = reader.fieldnames
    with open(path, "a", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        for change in changes:
            writer.writerow({**first, **change})


def same_day_sitting(act: Path, sat: Path) -> str | None:
    """Moves one person's latest SAT to the 1st of the month of their ACT (ACT
    dates are months, read as the 1st), so the same-date fix has a pair to move
    (docs/evaluation.md); returns that person's CB id. The files list the same
    people in the same order."""
    import csv

    with open(act, newline="", encoding="utf-8") as f:
        acts = list(csv.DictReader(f))
    with open(sat, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header, sats = reader.fieldnames, list(reader)
    for i, row in enumerate(acts[:len(sats)]):
        month = row.get("Test_Dte", "")
        if row.get("Composite", "").isdigit() and len(month) == 6:
            sats[i]["LATEST_SAT_DATE"] = f"{month[2:]}-{month[:2]}-01"
            with open(sat, "w", newline="", encoding="utf-8") as f:
                writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
                writer.writeheader()
                writer.writerows(sats)
            return sats[i].get("CB_ID")
    return None


def drop_files(records: int, seed: int) -> None:
    from loaders.devtools.generate import generate, generate_people, retakers

    people = generate_people(max(records, 10), seed=seed)
    stamp = time.strftime("%Y%m%d_%H%M%S")
    dropped: dict[str, Path] = {}
    for name, fmt, pattern in DEMO_SOURCES:
        path = DEMO_DIR / "inbox" / name / pattern.format(stamp=stamp)
        # Applications: every person's current one, then the earlier attempts of
        # those retaking the exam.
        n = records + len(retakers(people)) if fmt == "applications" else records
        generate(fmt, path, n, seed=seed, people=people)
        if name in DEMO_MISTAKES:
            append_mistakes(path, DEMO_MISTAKES[name])
        log.info("demo: vendor %s dropped %s", name, path.name)
        dropped[name] = path
    same_day_sitting(dropped["act"], dropped["sat"])
    # A persons file sent where the applications go: quarantined, not loaded.
    misfiled = DEMO_DIR / "inbox" / "applications" / f"persons_sent_as_applications_{stamp}.csv"
    generate("persons", misfiled, 5, seed=seed + 1)


def run_demo(records: int = 200, quiet: bool = False, verbose: bool = False):
    """Returns the context and the run's result."""
    from loaders.core.context import open_context
    from loaders.runs import jobs

    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    config = write_demo_config()
    ctx = open_context(config, quiet=quiet, verbose=verbose)
    drop_files(records, seed=int(time.time()))
    return ctx, jobs.run(ctx)
