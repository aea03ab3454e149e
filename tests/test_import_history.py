"""The import history service: batches newest first, with their counts,
user and file checksum; and the wizard's overview of a file."""

from __future__ import annotations

from datetime import date

import pytest

from gridadmin.models import ImportBatch, User
from gridadmin.services.areas.tree import AreaInput, add_area, load_tree
from gridadmin.services.importing.history import list_batches
from gridadmin.services.importing import FileRefused, file_sha256, import_job
from gridadmin.services.importing.overview import inspect_file, missing_required, overrides_for
from gridadmin.services.common.progress import run_to_end
from tests.test_import_support import HEADERS, person, write_workbook


def _rows():
    return [person("H1", "户主", "李  云", date(1980, 1, 2), 11), person("H1", "妻", "王芳", date(1981, 3, 4), 22)]


def test_batches_newest_first_with_counts_and_user(township_db, tmp_path):
    community = next(n for n in load_tree(township_db) if n.name == "河街社区")
    add_area(township_db, community.id, AreaInput("一网格", grid_code=community.division_code + "001"))
    assert list_batches(township_db) == []
    path = write_workbook(tmp_path / "人口.xlsx", _rows())
    first = run_to_end(import_job(township_db, path, "residents"))
    with township_db.session() as s:
        user = User(username="clerk1", display_name="王会计")
        s.add(user)
        s.flush()
        user_id = user.id
    second = run_to_end(import_job(township_db, path, "residents", mode="insert", user_id=user_id))
    batches = list_batches(township_db)
    assert [b.id for b in batches] == [second.batch_id, first.batch_id]
    newest, oldest = batches
    assert (oldest.file_name, oldest.kind_label, oldest.mode_label, oldest.rows, oldest.inserted, oldest.user) == \
        ("人口.xlsx", "户籍人口", "新增并更新", 2, 2, "系统")
    assert (newest.mode_label, newest.inserted, newest.unchanged, newest.user) == ("仅新增", 0, 2, "王会计")
    assert newest.sha256 == file_sha256(path) and newest.sha_short == newest.sha256[:12]
    assert newest.created_at is not None and newest.undone_at is None
    assert list_batches(township_db, kind="grids") == []
    assert len(list_batches(township_db, limit=1)) == 1
    with township_db.session() as s:
        assert s.get(ImportBatch, first.batch_id).rows == 2


def test_skip_errors_with_no_valid_row_records_no_batch(township_db, tmp_path):
    """Every row wrong and "skip the errors" chosen: nothing would be
    written, so nothing is committed and no empty batch enters the history."""
    rows = [person("H1", "户主", "李云", date(1980, 1, 2), 11, 民族="火星"), person("H2", "户主", "王芳", date(1981, 3, 4), 22)]
    path = write_workbook(tmp_path / "人口.xlsx", rows)  # no grid set up: H2 has none to go to
    result = run_to_end(import_job(township_db, path, "residents", skip_errors=True))
    assert result.plan.counts()["errors"] == 2
    assert (result.committed, result.batch_id) == (False, None)
    assert list_batches(township_db) == []


def test_overview_maps_without_refusing_a_missing_required_column(tmp_path):
    headers = [h if h != "公民身份号码*" else "号码" for h in HEADERS]
    rows = [{("号码" if k == "公民身份号码*" else k): v for k, v in r.items()} for r in _rows()]
    path = write_workbook(tmp_path / "a.xlsx", rows, headers=headers, extra_sheets=("说明",))
    overview = inspect_file(path, "residents")
    assert (overview.sheet_names, overview.sheet_name, overview.detected_sheet) == (("说明", "人口"), "人口", "人口")
    assert overview.header_row == 3 and overview.data_rows == 2
    assert overview.headers[5] == "姓 名*" and overview.samples[5] == "李云"  # as the import reads it
    assert overview.field_of(5) == "name" and overview.field_of(6) is None
    assert [f.key for f in missing_required("residents", overview.columns)] == ["id_number"]
    chosen = dict(overview.columns, id_number=6)
    overrides = overrides_for("residents", chosen)
    assert overrides["id_number"] == 6 and overrides["address"] is None
    with pytest.raises(FileRefused, match="工作表“说明”中找不到"):
        inspect_file(path, "residents", sheet="说明")
    with pytest.raises(FileRefused, match="文件不存在"):
        inspect_file(tmp_path / "nope.xlsx", "residents")
