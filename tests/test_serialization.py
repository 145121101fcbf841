"""mg.save / mg.load: exact round trips, atomic writes, and refusing what is not a
minigrad checkpoint."""

from __future__ import annotations

import gc
import json
import os
import warnings
import zipfile

import numpy as np
import pytest

import minigrad as mg
from minigrad import serialization
from minigrad.serialization import CheckpointError


def assert_same_tree(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for k in a:
        if isinstance(a[k], dict):
            assert_same_tree(a[k], b[k])
        else:
            assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape, k
            np.testing.assert_array_equal(a[k], b[k])


def test_nested_dicts_with_dotted_keys_round_trip_exactly(tmp_path):
    obj = {
        "model": {
            "layers.0.weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 7,
            "layers.1.num_batches_tracked": np.array(3, dtype=np.int64),
        },
        "optimizer": {"hyperparameters": {"lr": np.array(0.1)}, "state": {}},
        "a/b\\c ü": np.array([True, False]),
        "half": np.array([1.5, -2.25], dtype=np.float16),
        "bytes": np.array([1, 2], dtype=np.uint8),
        "text": np.array('{"epochs": 3}'),
        "empty": np.zeros((0, 3)),
        "big_endian": np.array([1.0, 2.0], dtype=">f8"),
    }
    path = tmp_path / "ckpt.npz"
    mg.save(obj, path)
    assert_same_tree(mg.load(path), obj)


def test_python_scalars_and_tensors_are_stored_as_arrays(tmp_path):
    mg.save({"epoch": 3, "lr": 0.5, "flag": True, "t": mg.tensor([1.0, 2.0])}, tmp_path / "c")
    out = mg.load(tmp_path / "c")
    assert out["epoch"].dtype == np.int64 and out["epoch"] == 3
    assert out["lr"].dtype == np.float64 and out["lr"] == 0.5
    assert out["flag"].dtype == np.bool_ and out["flag"]
    assert out["t"].dtype == np.float32


@pytest.mark.parametrize("name", ["model.ckpt", "model", "model.npz"])
def test_the_file_is_written_at_exactly_the_given_path(tmp_path, name):
    mg.save({"x": np.ones(2)}, tmp_path / name)
    assert sorted(os.listdir(tmp_path)) == [name]


def test_save_accepts_str_paths_and_overwrites(tmp_path):
    path = str(tmp_path / "c.npz")
    mg.save({"x": np.ones(2)}, path)
    mg.save({"y": np.zeros(3)}, path)
    assert list(mg.load(path)) == ["y"]


def test_a_crash_mid_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    mg.save({"version": np.array(1)}, path)
    before = path.read_bytes()

    def crash(archive, name, array):
        with archive.open(f"{name}.npy", "w") as entry:
            entry.write(b"\x93NUMPY half of an array")  # some bytes reach the disk...
            raise OSError("disk full")  # ...then the write dies

    monkeypatch.setattr(serialization, "_write_array", crash)
    with pytest.raises(OSError, match="disk full"):
        mg.save({"version": np.array(2)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.npz"]  # no temporary file left behind
    monkeypatch.undo()
    assert mg.load(path)["version"] == 1


def test_an_interrupted_rename_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    mg.save({"v": np.array(1)}, path)

    def no_rename(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization.os, "replace", no_rename)
    with pytest.raises(KeyboardInterrupt):
        mg.save({"v": np.array(2)}, path)
    monkeypatch.undo()
    assert mg.load(path)["v"] == 1 and os.listdir(tmp_path) == ["ckpt.npz"]


@pytest.mark.parametrize(
    "obj, message",
    [
        ([np.ones(2)], "expected a dict"),
        ({"x": [1.0, 2.0]}, r"\['x'\] is a list"),
        ({"a": {"b": "text"}}, r"\['a'\]\['b'\] is a str"),
        ({"x": np.array([None], dtype=object)}, "object array"),
        ({1: np.ones(2)}, "keys must be str"),
    ],
    ids=["not_a_dict", "list_value", "nested_str_value", "object_array", "int_key"],
)
def test_save_refuses_bad_content_before_writing_anything(tmp_path, obj, message):
    with pytest.raises(TypeError, match=message):
        mg.save(obj, tmp_path / "c.npz")
    assert os.listdir(tmp_path) == []


def test_a_text_file_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(CheckpointError, match="not a minigrad checkpoint"):
        mg.load(path)


def test_a_plain_npz_or_npy_is_not_a_checkpoint(tmp_path):
    np.savez(tmp_path / "plain.npz", x=np.ones(2))
    with pytest.raises(CheckpointError, match="not a minigrad checkpoint"):
        mg.load(tmp_path / "plain.npz")
    np.save(tmp_path / "one.npy", np.ones(2))
    with pytest.raises(CheckpointError, match=r"not a minigrad checkpoint \(not an .npz"):
        mg.load(tmp_path / "one.npy")


def test_a_truncated_checkpoint_is_refused_naming_the_path(tmp_path):
    path = tmp_path / "ckpt.npz"
    mg.save({"w": np.arange(1000.0)}, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match=r"ckpt\.npz.*truncated or corrupt"):
        mg.load(path)


def test_a_corrupted_array_is_refused(tmp_path):
    path = tmp_path / "ckpt.npz"
    mg.save({"w": np.arange(1000.0)}, path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # flip bits inside the array's bytes: the CRC catches it
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        mg.load(path)


def _write_checkpoint_by_hand(path, header: dict, **arrays) -> None:
    with open(path, "wb") as f:
        np.savez(f, __minigrad__=np.array(json.dumps(header)), **arrays)


def test_object_arrays_in_a_file_are_never_unpickled(tmp_path):
    path = tmp_path / "evil.npz"
    header = {"format": "minigrad-checkpoint", "version": 1, "tree": {"x": "a0"}}
    _write_checkpoint_by_hand(path, header, a0=np.array([{"pickled": 1}], dtype=object))
    with pytest.raises(CheckpointError, match="object arrays"):
        mg.load(path)


def test_a_newer_format_version_or_a_damaged_header_is_refused(tmp_path):
    path = tmp_path / "c.npz"
    _write_checkpoint_by_hand(path, {"format": "minigrad-checkpoint", "version": 99, "tree": {}})
    with pytest.raises(CheckpointError, match="format version 99"):
        mg.load(path)
    header = {"format": "minigrad-checkpoint", "version": 1, "tree": {"x": "a7"}}
    _write_checkpoint_by_hand(path, header, a0=np.ones(1))
    with pytest.raises(CheckpointError, match="damaged"):
        mg.load(path)


def test_checkpoint_error_is_a_value_error_and_missing_files_are_file_not_found(tmp_path):
    assert issubclass(CheckpointError, ValueError)
    with pytest.raises(FileNotFoundError, match="no file"):
        mg.load(tmp_path / "nothing.npz")


def test_the_file_is_a_standard_npz_with_a_marker_entry(tmp_path):
    mg.save({"w": np.ones(2)}, tmp_path / "c.npz")
    with zipfile.ZipFile(tmp_path / "c.npz") as z:
        assert sorted(z.namelist()) == ["__minigrad__.npy", "a0.npy"]
    header = json.loads(str(np.load(tmp_path / "c.npz")["__minigrad__"]))
    assert header == {"format": "minigrad-checkpoint", "version": 2, "tree": {"w": "a0"}}


def _damaged_checkpoint(path, damage: str) -> None:
    mg.save({"w": np.arange(1000.0)}, path)
    data = bytearray(path.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "zip_magic_then_garbage":
        data = bytearray(b"PK\x03\x04" + b"garbage" * 10)
    else:
        data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["truncated", "zip_magic_then_garbage", "flipped_bits"])
def test_a_failed_load_leaves_no_file_open_and_the_file_unchanged(tmp_path, damage):
    path = tmp_path / "ckpt.npz"
    _damaged_checkpoint(path, damage)
    before = path.read_bytes()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(CheckpointError, match="ckpt.npz"):
            mg.load(path)
        gc.collect()  # an unclosed file warns when it is collected
    assert [w.message for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ckpt.npz"]


def test_save_into_a_missing_folder_names_the_given_path_and_the_fix(tmp_path):
    path = tmp_path / "no" / "such" / "ckpt.npz"
    with pytest.raises(FileNotFoundError) as err:
        mg.save({"w": np.ones(2)}, path)
    message = str(err.value)
    assert str(path) in message and "create it first" in message
    assert ".tmp" not in message  # not the internal temporary file
    assert os.listdir(tmp_path) == []


def test_save_onto_a_folder_names_the_folder(tmp_path):
    (tmp_path / "ckpt").mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder"):
        mg.save({"w": np.ones(2)}, tmp_path / "ckpt")
    assert os.listdir(tmp_path / "ckpt") == [] and os.listdir(tmp_path) == ["ckpt"]


def test_any_other_write_error_names_the_given_path_not_the_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    mg.save({"v": np.array(1)}, path)

    def disk_full(src, dst):
        raise OSError(28, "No space left on device", src)

    monkeypatch.setattr(serialization.os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left on device") as err:
        mg.save({"v": np.array(2)}, path)
    assert str(path) in str(err.value) and ".tmp" not in str(err.value)
    monkeypatch.undo()
    assert mg.load(path)["v"] == 1 and os.listdir(tmp_path) == ["ckpt.npz"]
