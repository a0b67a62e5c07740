"""Landing is lossless: every line of every file, with its file and line number."""

import codecs
import csv
from pathlib import Path

import pytest

from loaders.core.names import column_names
from loaders.landing.landing import sniff_text
from tests.helpers import SAMPLES, run_cli

# The columns a prometric_results header must carry (is_required in the layout seed).
REQUIRED = "CandidateID,EligibilityID,ExamCode,TestDate,Result"

pytestmark = pytest.mark.skipif(not SAMPLES.exists(), reason="../shared/vendor-samples missing")

SAMPLE_FILES = [
    ("act_csv", "act_sample.csv", "act_csv"),
    ("sat_csv", "sat_sample.csv", "sat_csv"),
    ("ap_csv", "ap_sample_2324.csv", "ap_csv"),
    ("preact_fixed", "preact_fixed_width.txt", "preact_fixed"),
    ("accuplacer_csv", "accuplacer_sample.csv", "accuplacer_csv"),
]


def csv_records(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def test_every_vendor_sample_loads_unmodified(tmp_path, sql):
    for fmt, name, _ in SAMPLE_FILES:
        result = run_cli("load", fmt, str(SAMPLES / name), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    for fmt, name, table in SAMPLE_FILES:
        path = SAMPLES / name
        (file_id, rows, status), = sql(
            "select file_id, rows_landed, status from raw.file_manifest where original_name = %s",
            (name,))
        assert status == "landed"
        lines = sql(f"select _line_number, _parse_error from raw.{table} where _file_id = %s "
                    "order by _line_number", (file_id,))
        if fmt == "preact_fixed":
            expected = path.read_bytes().decode().splitlines()
            assert [n for n, _ in lines] == list(range(1, len(expected) + 1))
        else:
            expected = csv_records(path)[1:]
            assert [n for n, _ in lines] == list(range(2, len(expected) + 2))
        assert rows == len(expected) == len(lines)
        assert all(err is None for _, err in lines), lines


def test_wide_csv_keeps_every_column_and_value(tmp_path, sql):
    assert run_cli("load", "sat_csv", str(SAMPLES / "sat_sample.csv"), cwd=tmp_path).returncode == 0
    records = csv_records(SAMPLES / "sat_sample.csv")
    header, first = records[0], records[1]
    assert len(header) == 860
    cols = sql("select header_name, column_name from raw.file_columns order by ordinal")
    assert [h for h, _ in cols] == [h.strip() for h in header]
    names = [c for _, c in cols]
    row = sql(f"select {', '.join(names)} from raw.sat_csv where _line_number = 2")[0]
    # An empty CSV field lands as NULL (COPY's csv format cannot tell them apart).
    assert list(row) == [v if v != "" else None for v in first]


def test_repeated_filler_headers_and_fixed_records(tmp_path, sql):
    assert run_cli("load", "ap_csv", str(SAMPLES / "ap_sample_2324.csv"),
                   cwd=tmp_path).returncode == 0
    fillers = sql("select column_name from raw.file_columns where header_name = 'Filler' "
                  "order by ordinal")
    assert [c for c, in fillers][:3] == ["filler", "filler_2", "filler_3"]
    assert run_cli("load", "preact_fixed", str(SAMPLES / "preact_fixed_width.txt"),
                   cwd=tmp_path).returncode == 0
    raw = (SAMPLES / "preact_fixed_width.txt").read_bytes()
    assert not raw.endswith(b"\n")  # the sample has no newline after its last record
    records = [r for r, in sql("select record from raw.preact_fixed order by _line_number")]
    assert records == raw.decode().split("\n")
    assert {len(r) for r in records} == {1145}


def test_bad_rows_land_with_reason_and_nothing_is_dropped(tmp_path, sql):
    path = tmp_path / "results.csv"
    path.write_bytes(
        b"CandidateID,EligibilityID,ExamCode,TestDate,Result\r\n"
        b"C1,E1,X,2026-01-05,PASS\r\n"
        b"C2,E2\r\n"  # three fields short
        b"\r\n"  # blank line
        b"\"C3\",\"E3 with, comma\",X,2026-01-05,\"multi\r\nline\"\r\n"
        b"C4,E4,X,2026-01-05,FAIL,extra\r\n"
        b"C5,E5,X,2026-01-05,NS")  # no line end after the last record
    assert run_cli("load", "prometric_results", str(path), cwd=tmp_path).returncode == 0
    rows = sql("select _line_number, candidateid, eligibilityid, result, _parse_error, "
               "_raw_record from raw.prometric_results order by _line_number")
    assert [r[0] for r in rows] == [2, 3, 4, 5, 7, 8]
    assert rows[0][1:5] == ("C1", "E1", "PASS", None)
    assert rows[1][4] == "expected 5 fields, found 2" and rows[1][5] == "C2,E2\r\n"
    assert rows[2][4] == "blank line"
    assert rows[3][1:5] == ("C3", "E3 with, comma", "multi\r\nline", None)
    assert rows[4][4] == "expected 5 fields, found 6"
    assert rows[4][5] == "C4,E4,X,2026-01-05,FAIL,extra\r\n"
    assert rows[5][1:4] == ("C5", "E5", "NS")
    (rows_landed, ending), = sql("select rows_landed, line_ending from raw.file_manifest")
    assert rows_landed == 6 and ending == "CRLF"


def test_encodings_are_detected_and_recorded(tmp_path, sql):
    utf8_bom = tmp_path / "bom.csv"
    utf8_bom.write_bytes(codecs.BOM_UTF8 + "person_id,last_name\nP1,Núñez\n".encode())
    cp1252 = tmp_path / "cp.csv"
    cp1252.write_bytes("person_id,last_name\nP2,O’Brien\n".encode("cp1252"))
    for path in (utf8_bom, cp1252):
        assert run_cli("load", "persons", str(path), cwd=tmp_path).returncode == 0
    assert sql("select original_name, encoding, has_bom from raw.file_manifest "
               "order by file_id") == [("bom.csv", "utf-8", True), ("cp.csv", "cp1252", False)]
    assert sql("select person_id, last_name from raw.persons order by 1") == [
        ("P1", "Núñez"), ("P2", "O’Brien")]


def test_sniff_text_line_endings(tmp_path):
    for data, ending in ((b"a\nb\n", "LF"), (b"a\r\nb", "CRLF"), (b"a\rb", "CR"), (b"ab", "none")):
        path = tmp_path / "f.txt"
        path.write_bytes(data)
        assert sniff_text(path).line_ending == ending


def test_sniff_text_encoding_fallbacks(tmp_path):
    # UTF-8 first ('Á' is C3 81; 81 is not cp1252), then a cp1252 quote: neither
    # UTF-8 nor cp1252 reads the whole file, so it is latin-1.
    cases = ((b"ok\n", "utf-8"), ("O’Brien\n".encode("cp1252"), "cp1252"),
             ("Á\n".encode() + "’\n".encode("cp1252"), "latin-1"),
             (codecs.BOM_UTF8 + b"a\xff\n", "utf-8-replace"), (codecs.BOM_UTF8[:2], "cp1252"))
    for data, encoding in cases:
        path = tmp_path / "f.txt"
        path.write_bytes(data)
        assert sniff_text(path).encoding == encoding, data


def test_column_names_are_unique_and_fit_postgres():
    long = "Next-Generation Quantitative Reasoning, Algebra, and Statistics, and more text"
    names = column_names(["Filler", "Filler", "filler_2", "1st Choice", long, long, "", "_x"])
    assert len(set(names)) == len(names)
    assert names[:4] == ["filler", "filler_2", "filler_2_2", "c_1st_choice"]
    assert all(len(n) <= 63 for n in names)
    assert names[4] != names[5] or names[5].endswith("_2")


@pytest.mark.parametrize("chunk", [3, 7, 1 << 20])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_fixed_width_lines_are_exact_across_chunks(tmp_path, monkeypatch, chunk, encoding):
    # One trailing CR goes with each line end; a CR inside a line, an empty
    # line and a last record without a line end all stay as they are.
    import loaders.landing.landing as landing

    monkeypatch.setattr(landing, "CHUNK_BYTES", chunk)
    lines = ["AB12  ñ", "", "x\ry", "tail\r", "last"]
    path = tmp_path / "f.txt"
    path.write_bytes("\r\n".join(lines).encode(encoding))
    text = sniff_text(path)
    assert text.encoding == encoding
    got = [s for batch in landing._lines(path, text) for s in batch.to_pylist()]
    assert got == lines
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    got = [s for batch in landing._lines(path, sniff_text(path)) for s in batch.to_pylist()]
    assert got == ["AB12  ñ", "", "x\ry", "tail", "last"]


def test_a_file_of_another_format_is_quarantined_whole_before_it_lands(tmp_path, sql):
    """A persons file loaded as `applications` lacks application_id: it lands no row
    and adds no column (ssn, ...) to raw.applications; a real one still lands."""
    persons = tmp_path / "persons.csv"
    persons.write_text("person_id,last_name,first_name,ssn\nP1,Able,Ann,123-45-6789\n")
    wrong = run_cli("load", "applications", str(persons), cwd=tmp_path)
    assert "quarantined" in wrong.stdout + wrong.stderr
    (status, reason, landed), = sql("select status, quarantine_reason, rows_landed "
                                    "from raw.file_manifest")
    assert status == "quarantined" and landed is None
    assert reason.startswith(
        "header lacks the required column(s) application_id, exam_code of applications")
    columns = {r[0] for r in sql("select column_name from information_schema.columns "
                                 "where table_schema = 'raw' and table_name = 'applications'")}
    assert "ssn" not in columns
    assert sql("select count(*) from raw.file_columns") == [(0,)]

    right = tmp_path / "applications.csv"
    right.write_text("application_id,person_id,exam_code\nA1,P1,CPA\n")
    ok = run_cli("load", "applications", str(right), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert sql("select application_id, person_id from raw.applications") == [("A1", "P1")]
    shown = run_cli("status", cwd=tmp_path)
    assert "persons.csv" in shown.stdout and "application_id" in shown.stdout


def test_nul_bytes_flag_their_lines_and_the_rest_lands(tmp_path, sql):
    """PostgreSQL's text holds no NUL: such a record is an error row (its text with
    \\0), the others land; no traceback, no file left half-landed."""
    csv_path = tmp_path / "nul.csv"
    csv_path.write_bytes(b"person_id,last_name\nP1,Sm\x00ith\nP2,Jones\n")
    result = run_cli("load", "persons", str(csv_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert sql("select _line_number, person_id, last_name, _raw_record, _parse_error "
               "from raw.persons order by 1") == [
        (2, None, None, "P1,Sm\\0ith\n", "NUL byte in the record (shown as \\0 in _raw_record)"),
        (3, "P2", "Jones", None, None)]

    lines = (SAMPLES / "preact_fixed_width.txt").read_bytes().splitlines(keepends=True)
    broken = lines[1][:10] + b"\x00" + lines[1][11:]
    fixed_path = tmp_path / "preact_nul.txt"
    fixed_path.write_bytes(lines[0] + broken + b"".join(lines[2:]))
    result = run_cli("load", "preact_fixed", str(fixed_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = sql("select _line_number, record is null, _raw_record, _parse_error "
               "from raw.preact_fixed order by 1")
    assert len(rows) == len(lines)
    assert rows[1][:2] == (2, True) and rows[1][2].startswith(broken[:10].decode() + "\\0")
    assert rows[1][3].startswith("NUL byte")
    assert all(not is_null and error is None for n, is_null, _, error in rows if n != 2)
    assert sql("select status from raw.file_manifest order by file_id") == [
        ("landed",), ("landed",)]


def test_binary_and_compressed_files_are_quarantined_before_they_land(tmp_path, sql):
    """gzip, zip, UTF-16 (NUL bytes), random bytes and text in no known encoding,
    delivered as CSV or fixed width: each is quarantined with its reason before a
    row lands, and none adds a column to a raw table; the good file still lands."""
    import gzip
    import random
    import zipfile

    good = b"CandidateID,EligibilityID,ExamCode,TestDate,Result\nC1,E1,X,2026-01-05,PASS\n"
    noise = random.Random(11).randbytes(8192)
    files = {
        "gz.csv": gzip.compress(good),
        "utf16.csv": good.decode().encode("utf-16"),
        "random.csv": noise,
        "mixed.csv": (REQUIRED + ",LastName\nC2,E2,X,2026-01-05,PASS,Á\n").encode()
        + "C3,E3,X,2026-01-05,PASS,’\n".encode("cp1252"),
        "good.csv": good,
    }
    with zipfile.ZipFile(tmp_path / "zip.csv", "w") as z:
        z.writestr("inner.csv", good)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    names = ["zip.csv", *files]
    result = run_cli("load", "prometric_results", *(str(tmp_path / n) for n in names),
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    reasons = dict(sql("select original_name, coalesce(quarantine_reason, status) "
                       "from raw.file_manifest"))
    assert reasons["gz.csv"] == "gzip-compressed: not a text file"
    assert reasons["zip.csv"] == "zip-compressed: not a text file"
    assert reasons["utf16.csv"].startswith("binary: NUL share 4")
    assert reasons["random.csv"].startswith("binary: ")
    assert reasons["mixed.csv"].startswith("not UTF-8 at byte 111 (0x92) nor cp1252 at byte 85 (0x81)")
    assert reasons["good.csv"] == "landed"
    assert set(sql("select status from raw.file_manifest where original_name <> 'good.csv'")) \
        == {("quarantined",)}
    assert sql("select candidateid from raw.prometric_results") == [("C1",)]

    # The same for a format whose layout the models judge, and for fixed width.
    before = sql("select table_name, count(*) from information_schema.columns "
                 "where table_schema = 'raw' group by 1 order by 1")
    (tmp_path / "act.csv").write_bytes(noise[:4096])
    (tmp_path / "preact.txt.gz").write_bytes(gzip.compress(b"x" * 1145))
    for fmt, name in (("act_csv", "act.csv"), ("preact_fixed", "preact.txt.gz")):
        result = run_cli("load", fmt, str(tmp_path / name), cwd=tmp_path)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert sql("select original_name, status from raw.file_manifest "
               "where original_name in ('act.csv', 'preact.txt.gz') order by 1") == [
        ("act.csv", "quarantined"), ("preact.txt.gz", "quarantined")]
    assert sql("select count(*) from raw.act_csv") == [(0,)]
    assert sql("select count(*) from raw.preact_fixed") == [(0,)]
    assert sql("select table_name, count(*) from information_schema.columns "
               "where table_schema = 'raw' group by 1 order by 1") == before


def test_a_header_must_fit_its_format_to_add_columns(tmp_path, sql):
    """A header with the required columns and an unknown extra column lands (the
    column is added, recorded in raw.file_columns); a header cell that is no column
    name (control bytes, replacement characters, too long) quarantines the file."""
    extra = tmp_path / "extra.csv"
    extra.write_text(REQUIRED + ",Proctor\nC1,E1,X,2026-01-05,PASS,Ann\n")
    junk = tmp_path / "junk.csv"
    junk.write_bytes(REQUIRED.encode() + b",\x1b[2J\x07\nC2,E2,X,2026-01-05,FAIL,x\n")
    long = tmp_path / "long.csv"
    long.write_text(REQUIRED + "," + "x" * 300 + "\nC3,E3,X,2026-01-05,FAIL,x\n")
    result = run_cli("load", "prometric_results", str(extra), str(junk), str(long),
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sql("select original_name, status, quarantine_reason from raw.file_manifest "
               "order by file_id") == [
        ("extra.csv", "landed", None),
        ("junk.csv", "quarantined",
         "header field 6 is not a column name (it holds control characters)"),
        ("long.csv", "quarantined",
         "header field 6 is not a column name (300 characters, more than 200)")]
    assert sql("select candidateid, proctor from raw.prometric_results") == [("C1", "Ann")]
    columns = {c for c, in sql("select column_name from information_schema.columns "
                               "where table_schema = 'raw' "
                               "and table_name = 'prometric_results'")}
    assert not [c for c in columns if c.startswith("x") or "2j" in c]
