"""Placement scores: LMS holding rows upserted per student and test, latest wins,
holding rows marked applied by the same build that applied them."""

from tests.helpers import run_cli

HEADER = "StudentID,TestCode,Score,CompletedAt\n"
FIRST = HEADER + """S1,MPT,50,2026-01-10T09:00:00
S2,wpc,4,2026-01-11
S3,XYZ,5,2026-01-11
S4,MPT,101,2026-01-11
"""
# S1 retook math later (wins); S2's writing row is older than the stored one
# (loses); S5 is new; S6's time is not a real time.
SECOND = HEADER + """S1,MPT,70,2026-02-01T10:30
S2,WPC,2,2025-12-01
S5,WPG,3,2026-02-02
S6,WPS,3,2026-02-30
"""


# The placement models and what they read: the build of this domain alone.
PLACEMENT = ("--select", "+models/marts/placement")


def ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def scores(sql):
    return sql("select student_id, test_code, score from marts.mart_placement_scores order by 1, 2")


def applied(sql, file_name):
    return sorted(r[0] for r in sql(
        "select a.line_number from ops.placement_applied as a "
        "join raw.file_manifest as m on m.file_id = a.file_id where m.original_name = %s",
        (file_name,)))


def test_latest_wins_and_holding_rows_are_applied_with_the_update(tmp_path, sql):
    (tmp_path / "lms1.csv").write_text(FIRST)
    (tmp_path / "lms2.csv").write_text(SECOND)
    ok(run_cli("load", "placement_csv", str(tmp_path / "lms1.csv"), cwd=tmp_path))
    assert applied(sql, "lms1.csv") == []  # landed, not applied before a build
    ok(run_cli("build", *PLACEMENT, cwd=tmp_path, timeout=900))
    assert scores(sql) == [("S1", "MPT", 50), ("S2", "WPC", 4)]
    assert applied(sql, "lms1.csv") == [2, 3]  # the bad lines 4 and 5 stay unapplied
    assert sorted(sql("select line_number, field from marts.mart_placement_errors")) == [
        (4, "TestCode"), (5, "Score")]

    ok(run_cli("load", "placement_csv", str(tmp_path / "lms2.csv"), cwd=tmp_path))
    assert applied(sql, "lms2.csv") == []
    ok(run_cli("build", *PLACEMENT, cwd=tmp_path, timeout=900))
    assert scores(sql) == [("S1", "MPT", 70), ("S2", "WPC", 4), ("S5", "WPG", 3)]
    # The older S2 row was considered and lost: applied too. S6 is an error.
    assert applied(sql, "lms2.csv") == [2, 3, 4]
    assert (5, "CompletedAt") in sql("select line_number, field from marts.mart_placement_errors")

    before = (sql("select * from marts.mart_placement_scores order by 1, 2"),
              sql("select file_id, line_number, applied_at from ops.placement_applied order by 1, 2"))
    ok(run_cli("build", *PLACEMENT, cwd=tmp_path, timeout=900))
    after = (sql("select * from marts.mart_placement_scores order by 1, 2"),
             sql("select file_id, line_number, applied_at from ops.placement_applied order by 1, 2"))
    assert after == before  # a rerun changes nothing

    # Rebuilding from all holding rows at once gives the same table.
    ok(run_cli("dbt", "build", "--full-refresh", "--select", "mart_placement_scores",
               cwd=tmp_path, timeout=900))
    assert sql("select * from marts.mart_placement_scores order by 1, 2") == before[0]
