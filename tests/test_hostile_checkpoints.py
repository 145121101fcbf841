"""mg.save / mg.load against damaged and hostile files and odd targets.

Every refusal is a CheckpointError (or the OS error that open() itself would give), and
a refused load or save changes nothing: not the file, not its folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad import serialization
from minigrad.serialization import CheckpointError

ROOT = Path(__file__).resolve().parents[1]
CHECKSUM_LABEL = b"minigrad-checkpoint sha256="  # the file format, spelled out independently

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (run as root in CI)")
needs_flock = pytest.mark.skipif(
    serialization.fcntl is None, reason="stale temporary files are told apart by flock (Unix)"
)


def small_checkpoint() -> dict:
    return {"model": {"layers.0.weight": np.arange(6, dtype=np.float32).reshape(2, 3)}, "step": 3}


def assert_is_small_checkpoint(loaded: dict) -> None:
    expected = small_checkpoint()["model"]["layers.0.weight"]
    assert list(loaded) == ["model", "step"] and list(loaded["model"]) == ["layers.0.weight"]
    weight = loaded["model"]["layers.0.weight"]
    assert weight.dtype == expected.dtype and weight.tobytes() == expected.tobytes()
    assert loaded["step"].dtype == np.int64 and loaded["step"] == 3


def refusals_of(path: Path, variants: list[tuple[str, bytes]]) -> list[str]:
    """Write each damaged variant to ``path`` and load it; what went wrong, one line a
    variant: loaded at all, or refused with anything but CheckpointError, or the load
    changed the file."""
    problems = []
    for label, data in variants:
        path.write_bytes(data)
        try:
            mg.load(path)
            problems.append(f"{label}: loaded")
        except CheckpointError:
            pass
        except Exception as err:
            problems.append(f"{label}: {type(err).__name__}: {err}")
        if path.read_bytes() != data:
            problems.append(f"{label}: the load changed the file")
    return problems


def flipped(data: bytes, position: int, mask: int) -> bytes:
    damaged = bytearray(data)
    damaged[position] ^= mask
    return bytes(damaged)


# ------------------------------------------------------------ damaged files


def test_every_single_flipped_byte_is_refused(tmp_path):
    path = tmp_path / "ckpt.npz"
    mg.save(small_checkpoint(), path)
    good = path.read_bytes()
    # every byte of the file, with its lowest bit flipped and with all eight bits flipped
    variants = [
        (f"byte {i} ^ {mask:#04x}", flipped(good, i, mask))
        for i in range(len(good))
        for mask in (0x01, 0xFF)
    ]
    assert len(variants) == 2 * len(good) > 2000
    assert refusals_of(path, variants) == []
    assert os.listdir(tmp_path) == ["ckpt.npz"]


def test_every_truncation_is_refused(tmp_path):
    path = tmp_path / "ckpt.npz"
    mg.save(small_checkpoint(), path)
    good = path.read_bytes()
    variants = [(f"first {n} bytes", good[:n]) for n in range(len(good))]
    assert refusals_of(path, variants) == []


def test_bytes_appended_after_the_checksum_are_refused(tmp_path):
    path = tmp_path / "ckpt.npz"
    mg.save(small_checkpoint(), path)
    good = path.read_bytes()
    variants = [("one zero byte", good + b"\0"), ("a second copy", good + good)]
    assert refusals_of(path, variants) == []


def test_the_file_ends_in_the_sha256_of_every_byte_before_its_digits(tmp_path):
    path = tmp_path / "ckpt.npz"
    mg.save(small_checkpoint(), path)
    data = path.read_bytes()
    body, digits = data[:-64], data[-64:]
    assert body.endswith(CHECKSUM_LABEL)
    assert digits == hashlib.sha256(body).hexdigest().encode()
    with zipfile.ZipFile(path) as archive:  # the digits are the zip comment's end
        assert archive.comment == CHECKSUM_LABEL + digits
    assert_is_small_checkpoint(mg.load(path))


def write_version_1_checkpoint(path: Path) -> None:
    """A checkpoint as minigrad wrote them before the checksum: np.savez, no comment."""
    header = {"format": "minigrad-checkpoint", "version": 1}
    header["tree"] = {"model": {"layers.0.weight": "a0"}, "step": "a1"}
    obj = small_checkpoint()
    with open(path, "wb") as f:
        np.savez(
            f,
            __minigrad__=np.array(json.dumps(header)),
            a0=obj["model"]["layers.0.weight"],
            a1=np.asarray(obj["step"]),
        )


def test_a_version_1_checkpoint_without_checksum_still_loads(tmp_path):
    write_version_1_checkpoint(tmp_path / "old.npz")
    assert_is_small_checkpoint(mg.load(tmp_path / "old.npz"))


def test_a_version_1_checkpoint_with_a_flipped_byte_is_refused_or_loads_the_same_values(
    tmp_path,
):
    # Version 1 has no checksum; zip's CRC-32 guards the entries' bytes, but a flip in
    # zip bookkeeping that nothing reads back (a time stamp) cannot be detected. Such a
    # file must load the very same values; every other flip must be a CheckpointError.
    old = tmp_path / "old.npz"
    write_version_1_checkpoint(old)
    good = old.read_bytes()
    path = tmp_path / "damaged.npz"
    undetected, problems = 0, []
    for i in range(len(good)):
        data = flipped(good, i, 0xFF)
        path.write_bytes(data)
        try:
            loaded = mg.load(path)
        except CheckpointError:
            continue
        except Exception as err:
            problems.append(f"byte {i}: {type(err).__name__}: {err}")
            continue
        assert_is_small_checkpoint(loaded)
        undetected += 1
    assert problems == []
    assert 0 < undetected < len(good) // 2  # most flips are caught even without a checksum
    variants = [(f"first {n} bytes", good[:n]) for n in range(len(good))]
    assert refusals_of(path, variants) == []


# ------------------------------------------------------------ hostile files
# A hostile file can carry a correct SHA-256 (anyone can compute one), so these files
# are sealed with one: what refuses them must be load's own checks.


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array)
    return buffer.getvalue()


def npy_claiming(shape: tuple, descr: str = "<f8", data: bytes = b"") -> bytes:
    """A .npy header that claims ``shape`` and ``descr``, followed by ``data`` only."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue() + data


def header_entry(tree: dict | str) -> bytes:
    if isinstance(tree, str):  # JSON text as it is, however odd
        return npy(np.array(tree))
    return npy(np.array(json.dumps({"format": "minigrad-checkpoint", "version": 2, "tree": tree})))


def seal(path: Path) -> None:
    """Fill in the SHA-256 digits at the end of ``path`` (a zip whose comment is the
    checksum label and 64 placeholder digits)."""
    body = path.read_bytes()[:-64]
    path.write_bytes(body + hashlib.sha256(body).hexdigest().encode())


def write_sealed(path: Path, entries: dict[str, bytes], compression=zipfile.ZIP_STORED) -> None:
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.comment = CHECKSUM_LABEL + b"0" * 64
        for name, data in entries.items():
            archive.writestr(name, data)
    seal(path)


def load_measuring_peak_memory(path: Path) -> tuple[BaseException | None, int]:
    """What ``mg.load(path)`` raised, and the most memory it held at once (numpy's
    arrays included: numpy reports them to tracemalloc)."""
    tracemalloc.start()
    try:
        mg.load(path)
        raised = None
    except BaseException as err:
        raised = err
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return raised, peak


def test_a_sealed_hand_made_checkpoint_loads(tmp_path):
    # the helpers below make files load accepts, so that a refusal is for its one flaw
    path = tmp_path / "hand.npz"
    write_sealed(path, {"__minigrad__.npy": header_entry({"x": "a0"}), "a0.npy": npy(np.ones(3))})
    assert mg.load(path)["x"].tolist() == [1.0, 1.0, 1.0]


def test_an_array_claiming_2_to_the_40_elements_is_refused(tmp_path):
    path = tmp_path / "hostile.npz"
    entries = {"__minigrad__.npy": header_entry({"x": "a0"})}
    entries["a0.npy"] = npy_claiming((2**40,), "<f8", b"\0" * 8)
    write_sealed(path, entries)
    with pytest.raises(CheckpointError, match=r"shape \(1099511627776,\).*MAX_ARRAY_ELEMENTS"):
        mg.load(path)


def test_an_array_claiming_more_bytes_than_its_entry_holds_is_refused_before_allocating(
    tmp_path,
):
    # 2**26 float64 are 512 MiB: below MAX_ARRAY_ELEMENTS, and allocatable, so only the
    # check against the entry's size stands between the claim and the allocation
    path = tmp_path / "hostile.npz"
    entries = {"__minigrad__.npy": header_entry({"x": "a0"})}
    entries["a0.npy"] = npy_claiming((2**26,), "<f8", b"\0" * 64)
    write_sealed(path, entries)
    raised, peak = load_measuring_peak_memory(path)
    assert isinstance(raised, CheckpointError), raised
    assert "claims 67,108,864 items of 8 bytes but holds 64 bytes" in str(raised)
    assert peak < 8 * 2**20


def test_zero_byte_items_cannot_claim_2_to_the_40_elements(tmp_path):
    # void items of 0 bytes take no room in the file, whatever the shape claims
    path = tmp_path / "hostile.npz"
    entries = {"__minigrad__.npy": header_entry({"x": "a0"})}
    entries["a0.npy"] = npy_claiming((2**40,), "|V0")
    write_sealed(path, entries)
    with pytest.raises(CheckpointError, match="MAX_ARRAY_ELEMENTS"):
        mg.load(path)


def claim_size_in_zip_directory(path: Path, entry_name: str, size: int) -> None:
    """Make the zip directory say ``entry_name`` holds ``size`` bytes, and reseal."""
    data = bytearray(path.read_bytes())
    record = data.index(b"PK\x01\x02")  # a central directory record; its name is at +46
    while data[record + 46 : record + 46 + len(entry_name)] != entry_name.encode():
        record = data.index(b"PK\x01\x02", record + 4)
    data[record + 20 : record + 28] = (size).to_bytes(4, "little") * 2  # packed, unpacked
    path.write_bytes(bytes(data))
    seal(path)


def test_a_header_claiming_gigabytes_is_refused_before_reading_it(tmp_path):
    path = tmp_path / "hostile.npz"
    write_sealed(path, {"__minigrad__.npy": header_entry({})})
    claim_size_in_zip_directory(path, "__minigrad__.npy", 3 * 10**9)
    with zipfile.ZipFile(path) as archive:  # the claim is what zipfile reports
        assert archive.getinfo("__minigrad__.npy").file_size == 3 * 10**9
    raised, peak = load_measuring_peak_memory(path)
    assert isinstance(raised, CheckpointError), raised
    assert "3,000,000,000 bytes" in str(raised)
    assert peak < 8 * 2**20


def test_an_array_whose_entry_claims_bytes_the_file_lacks_is_refused_before_allocating(
    tmp_path,
):
    # the .npy header and the zip directory agree on 512 MiB; the file has 64 bytes of it
    path = tmp_path / "hostile.npz"
    entries = {"__minigrad__.npy": header_entry({"x": "a0"})}
    entries["a0.npy"] = npy_claiming((2**26,), "<f8", b"\0" * 64)
    write_sealed(path, entries)
    claim_size_in_zip_directory(path, "a0.npy", 128 + 8 * 2**26)
    raised, peak = load_measuring_peak_memory(path)
    assert isinstance(raised, CheckpointError), raised
    assert "its entries claim" in str(raised)
    assert peak < 8 * 2**20


def test_a_header_above_max_header_bytes_is_refused_by_load_and_by_save(tmp_path, monkeypatch):
    obj = {f"key number {i}": np.zeros(1) for i in range(20)}
    mg.save(obj, tmp_path / "ckpt.npz")
    monkeypatch.setattr(serialization, "MAX_HEADER_BYTES", 1000)  # the header is ~3 KB
    with pytest.raises(CheckpointError, match="more than MAX_HEADER_BYTES"):
        mg.load(tmp_path / "ckpt.npz")
    with pytest.raises(CheckpointError, match="more than MAX_HEADER_BYTES"):
        mg.save(obj, tmp_path / "other.npz")
    assert os.listdir(tmp_path) == ["ckpt.npz"]


def header_with_tree_levels(levels: int) -> str:
    """A header's JSON text whose key tree has ``levels`` levels of dicts."""
    tree = '{"k":' * (levels - 1) + "{}" + "}" * (levels - 1)
    return f'{{"format": "minigrad-checkpoint", "version": 2, "tree": {tree}}}'


@pytest.mark.parametrize(
    "header_text",
    [
        header_with_tree_levels(5000),
        "[" * 100_000 + "]" * 100_000,
        header_with_tree_levels(serialization.MAX_KEY_DEPTH + 1),
    ],
    ids=["dicts_5000_deep", "lists_100000_deep", "dicts_one_level_too_deep"],
)
def test_keys_nested_too_deep_are_refused_before_recursing(tmp_path, header_text):
    # json.loads would recurse once per level; the refusal names the limit, which a
    # RecursionError caught afterwards would not
    path = tmp_path / "hostile.npz"
    write_sealed(path, {"__minigrad__.npy": header_entry(header_text)})
    with pytest.raises(CheckpointError, match=r"nested more than MAX_KEY_DEPTH \(64\)"):
        mg.load(path)


def test_brackets_inside_keys_do_not_count_as_nesting(tmp_path):
    obj = {"[[[[{{{{" * 100: {'"]]}}\\': np.ones(1)}}
    mg.save(obj, tmp_path / "ckpt.npz")
    assert list(mg.load(tmp_path / "ckpt.npz")) == list(obj)


def nested_dicts(depth: int) -> dict:
    obj: dict = {"leaf": np.ones(1)}
    for _ in range(depth - 1):
        obj = {"down": obj}
    return obj


def test_dicts_nested_exactly_max_key_depth_deep_round_trip(tmp_path):
    mg.save(nested_dicts(serialization.MAX_KEY_DEPTH), tmp_path / "ckpt.npz")
    loaded = mg.load(tmp_path / "ckpt.npz")
    for _ in range(serialization.MAX_KEY_DEPTH - 1):
        loaded = loaded["down"]
    assert loaded["leaf"].tolist() == [1.0]


def test_save_refuses_dicts_nested_deeper_than_max_key_depth_or_containing_themselves(tmp_path):
    with pytest.raises(CheckpointError, match=r"more than MAX_KEY_DEPTH \(64\) levels"):
        mg.save(nested_dicts(serialization.MAX_KEY_DEPTH + 1), tmp_path / "ckpt.npz")
    loop: dict = {"w": np.ones(1)}
    loop["self"] = loop
    with pytest.raises(CheckpointError, match="does a dict contain itself"):
        mg.save(loop, tmp_path / "ckpt.npz")
    assert os.listdir(tmp_path) == []


def test_a_compressed_entry_is_refused_before_it_is_unpacked(tmp_path):
    # 64 MiB of zeros deflate to some 64 KiB: a small file that would unpack to much more
    path = tmp_path / "bomb.npz"
    entries = {"__minigrad__.npy": header_entry({"x": "a0"}), "a0.npy": npy(np.zeros(2**23))}
    write_sealed(path, entries, compression=zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 2**20
    raised, peak = load_measuring_peak_memory(path)
    assert isinstance(raised, CheckpointError), raised
    assert "compressed entry" in str(raised)
    assert peak < 8 * 2**20


@pytest.mark.parametrize(
    "tree, arrays, message",
    [
        ({"x": "a1"}, ["a0"], "damaged checkpoint header"),  # names an array not there
        ({"x": "a0", "y": "a0"}, ["a0"], "damaged checkpoint header"),  # one array twice
        ({"x": "a0"}, ["a0", "a1"], r"no key names the arrays \['a1'\]"),  # one unnamed
        ({"x": 3}, ["a0"], "damaged checkpoint header"),  # a leaf that is not a name
        ({"x": "__minigrad__"}, ["a0"], "damaged checkpoint header"),  # the header itself
    ],
    ids=["missing_array", "array_named_twice", "array_never_named", "number_leaf", "self"],
)
def test_a_key_tree_that_does_not_match_the_arrays_is_refused(tmp_path, tree, arrays, message):
    path = tmp_path / "hostile.npz"
    entries = {"__minigrad__.npy": header_entry(tree)}
    entries.update({f"{name}.npy": npy(np.ones(2)) for name in arrays})
    write_sealed(path, entries)
    with pytest.raises(CheckpointError, match=message):
        mg.load(path)


@pytest.mark.parametrize(
    "entries",
    [
        {"__minigrad__.npy": npy(np.arange(3.0))},  # a header that is not text
        {"__minigrad__.npy": header_entry({}), "notes.txt": b"hello"},  # not an array
        {"__minigrad__.npy": header_entry({"x": "a0"}), "a0.npy": b"\x93NUMPY\x09\x00"},
    ],
    ids=["header_not_text", "entry_not_npy", "unknown_npy_version"],
)
def test_entries_that_save_never_writes_are_refused(tmp_path, entries):
    path = tmp_path / "hostile.npz"
    write_sealed(path, entries)
    with pytest.raises(CheckpointError):
        mg.load(path)


def test_an_entry_that_appears_twice_is_refused(tmp_path):
    path = tmp_path / "hostile.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        entries = {"__minigrad__.npy": header_entry({"x": "a0"}), "a0.npy": npy(np.ones(2))}
        write_sealed(path, entries)
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("a0.npy", npy(np.zeros(2)))
            archive.comment = CHECKSUM_LABEL + b"0" * 64
    seal(path)
    with pytest.raises(CheckpointError, match="is there twice"):
        mg.load(path)


def test_arrays_with_field_names_beyond_latin_1_round_trip(tmp_path):
    # numpy stores these in .npy format 3.0 (a UTF-8 header), which load checks as 2.0
    array = np.zeros(2, dtype=[("größe €", "<f4"), ("日本", "<i2")])
    array["日本"] = [7, 8]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy: "Stored array in format 3.0"
        mg.save({"x": array}, tmp_path / "ckpt.npz")
    loaded = mg.load(tmp_path / "ckpt.npz")["x"]
    assert loaded.dtype == array.dtype and loaded.tobytes() == array.tobytes()


# ------------------------------------------------------------ odd targets for save


def test_save_to_a_fifo_is_refused_and_the_fifo_stays(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # a reader that never blocks: if save opened the FIFO, it would not hang this test,
    # and what it wrote would show up here
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with pytest.raises(CheckpointError, match=r"is a named pipe \(FIFO\), not a regular"):
            mg.save(small_checkpoint(), fifo)
        assert os.read(reader, 100) == b""
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and os.listdir(tmp_path) == ["pipe"]


def test_save_to_dev_null_is_refused_and_dev_null_stays(monkeypatch):
    before = os.stat("/dev/null")

    def must_not_replace(src, dst):  # a safety net: replacing /dev/null as root breaks the machine
        raise AssertionError(f"save tried to replace {dst}")

    monkeypatch.setattr(serialization.os, "replace", must_not_replace)
    with pytest.raises(CheckpointError, match="'/dev/null' is a character device"):
        mg.save(small_checkpoint(), "/dev/null")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert not [name for name in os.listdir("/dev") if name.endswith(".minigrad-tmp")]


@needs_root
def test_as_root_save_to_a_device_node_is_refused_and_the_node_stays(tmp_path):
    node = tmp_path / "null"  # a node of its own, like /dev/null, that the test may risk
    os.mknod(node, stat.S_IFCHR | 0o666, os.stat("/dev/null").st_rdev)
    with pytest.raises(CheckpointError, match="is a character device, not a regular file"):
        mg.save(small_checkpoint(), node)
    assert stat.S_ISCHR(os.stat(node).st_mode) and os.listdir(tmp_path) == ["null"]


def test_save_to_a_folder_or_a_symlink_to_a_folder_is_refused(tmp_path):
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "notes.txt").write_text("keep me")
    os.symlink(tmp_path / "runs", tmp_path / "latest")
    for target in ["runs", "latest"]:
        with pytest.raises(IsADirectoryError, match=f"'{tmp_path / target}' is a folder"):
            mg.save(small_checkpoint(), tmp_path / target)
    assert os.listdir(tmp_path / "runs") == ["notes.txt"]
    assert sorted(os.listdir(tmp_path)) == ["latest", "runs"]
    assert os.path.islink(tmp_path / "latest")


def test_save_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "store").mkdir()
    real = tmp_path / "store" / "epoch3.npz"
    mg.save({"epoch": 2}, real)
    link = tmp_path / "latest.npz"
    os.symlink("store/epoch3.npz", link)  # relative, as links often are
    mg.save(small_checkpoint(), link)
    assert os.readlink(link) == "store/epoch3.npz"
    assert_is_small_checkpoint(mg.load(real))
    assert sorted(os.listdir(tmp_path)) == ["latest.npz", "store"]
    assert os.listdir(tmp_path / "store") == ["epoch3.npz"]


def test_save_through_a_dangling_symlink_creates_its_target(tmp_path):
    # as open(link, "wb") does
    os.symlink("made_by_save.npz", tmp_path / "link.npz")
    mg.save(small_checkpoint(), tmp_path / "link.npz")
    assert os.path.islink(tmp_path / "link.npz")
    assert_is_small_checkpoint(mg.load(tmp_path / "made_by_save.npz"))


def test_save_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "secret.npz"
    mg.save({"epoch": 1}, path)
    os.chmod(path, 0o600)
    mg.save({"epoch": 2}, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and mg.load(path)["epoch"] == 2


@needs_root
def test_as_root_save_over_a_read_only_file_succeeds_as_open_would(tmp_path):
    oracle = tmp_path / "oracle"
    oracle.write_bytes(b"old")
    os.chmod(oracle, 0o444)
    with open(oracle, "wb"):  # as root, open() may write a file of mode 0444...
        pass
    path = tmp_path / "ckpt.npz"
    mg.save({"epoch": 1}, path)
    os.chmod(path, 0o444)
    mg.save(small_checkpoint(), path)  # ...and so may save
    assert_is_small_checkpoint(mg.load(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444


def outcome(action) -> str:
    """What ``action()`` did, as text: "ok", or the exception's type and message."""
    try:
        action()
    except Exception as err:
        return f"{type(err).__name__}: {err}"
    return "ok"


def outcome_as_an_unprivileged_user(action) -> str:
    """``outcome(action)`` in a process without root's powers: this one if it has none,
    else a forked child that has become the user nobody. Forked, not started afresh,
    because this Python may live where nobody may not go (under /root)."""
    if os.geteuid() != 0:
        return outcome(action)
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("there is no user 'nobody' to switch to")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: reports through the pipe and never returns into pytest
        text = "the child did not report"
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            text = outcome(action)
        except BaseException as err:
            text = f"the child failed: {err!r}"
        finally:
            os.write(write_end, text.encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        text = pipe.read().decode()
    os.waitpid(pid, 0)
    return text


@pytest.fixture
def shared_folder():
    """A folder anyone may write in (so the unprivileged user could replace a file
    there): then only the file's own mode stands in the way."""
    folder = Path(tempfile.mkdtemp(prefix="minigrad-test-"))
    os.chmod(folder, 0o777)
    yield folder
    shutil.rmtree(folder)


def test_as_an_unprivileged_user_save_over_a_read_only_file_fails_as_open_would(shared_folder):
    oracle = shared_folder / "oracle"
    oracle.write_bytes(b"old")
    path = shared_folder / "ckpt.npz"
    mg.save({"epoch": 1}, path)
    os.chmod(oracle, 0o444)
    os.chmod(path, 0o444)
    before = path.read_bytes()

    opened = outcome_as_an_unprivileged_user(lambda: open(oracle, "wb").close())
    saved = outcome_as_an_unprivileged_user(lambda: mg.save(small_checkpoint(), path))
    assert opened.startswith("PermissionError: [Errno 13]")
    refused = f"PermissionError: [Errno 13] save: cannot write {str(path)!r}: Permission denied"
    assert saved == refused
    assert path.read_bytes() == before and oracle.read_bytes() == b"old"
    assert sorted(os.listdir(shared_folder)) == ["ckpt.npz", "oracle"]


# ------------------------------------------------------------ killed mid-save

# A child that saves a 16 MB checkpoint and pauses after its first array is written;
# the test then sends it a signal, so the kill always lands in the middle of the write.
PAUSING_SAVE = """
import signal, sys, time
import numpy as np
from minigrad import serialization

signal.signal(signal.SIGINT, signal.default_int_handler)  # even if the runner ignores it
write_array = serialization._write_array

def write_then_pause(archive, name, array):
    write_array(archive, name, array)
    print("paused", flush=True)
    time.sleep(60)

serialization._write_array = write_then_pause
serialization.save({"w": np.full(2_000_000, 2.0), "b": np.ones(3)}, sys.argv[1])
"""


def signal_a_save_in_the_middle(path: Path, signum: int) -> int:
    """Run PAUSING_SAVE on ``path``, send it ``signum`` once it has paused; its exit code."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", PAUSING_SAVE, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert child.stdout.readline() == b"paused\n", child.stderr.read().decode()
        child.send_signal(signum)
        child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return child.returncode


def temporary_files(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(".minigrad-tmp")]


def test_a_save_killed_by_sigkill_leaves_the_old_file_whole_and_the_next_save_cleans_up(
    tmp_path,
):
    path = tmp_path / "ckpt.npz"
    mg.save(small_checkpoint(), path)
    before = path.read_bytes()
    assert signal_a_save_in_the_middle(path, signal.SIGKILL) == -signal.SIGKILL
    assert path.read_bytes() == before
    assert_is_small_checkpoint(mg.load(path))
    (leftover,) = temporary_files(tmp_path)  # killed mid-write, so it could not clean up
    assert os.path.getsize(tmp_path / leftover) > 16_000_000
    mg.save({"epoch": 4}, path)
    assert os.listdir(tmp_path) == ["ckpt.npz"] and mg.load(path)["epoch"] == 4


def test_a_save_interrupted_by_sigint_leaves_the_old_file_whole_and_no_temporary_file(tmp_path):
    path = tmp_path / "ckpt.npz"
    mg.save(small_checkpoint(), path)
    before = path.read_bytes()
    # Python ends a program that a KeyboardInterrupt stops by SIGINT, so that its parent
    # sees why; the except clause in save ran first and removed the temporary file
    assert signal_a_save_in_the_middle(path, signal.SIGINT) == -signal.SIGINT
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ckpt.npz"]
    mg.save({"epoch": 4}, path)
    assert os.listdir(tmp_path) == ["ckpt.npz"] and mg.load(path)["epoch"] == 4


@needs_flock
def test_a_temporary_file_that_a_running_save_holds_locked_is_left_alone(tmp_path):
    import fcntl

    live = tmp_path / ".ckpt.npz.0123456789ab.minigrad-tmp"
    with open(live, "wb") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)  # as a save in another process holds it
        mg.save(small_checkpoint(), tmp_path / "ckpt.npz")
        assert live.exists()
    mg.save(small_checkpoint(), tmp_path / "ckpt.npz")  # the lock is gone: now it is stale
    assert os.listdir(tmp_path) == ["ckpt.npz"]


@needs_flock
def test_files_that_only_resemble_save_temporaries_are_left_alone(tmp_path):
    look_alikes = [
        ".other.npz.0123456789ab.minigrad-tmp",  # another target's
        ".ckpt.npz.0123456789.minigrad-tmp",  # 10 digits, not 12
        ".ckpt.npz.0123456789ab.tmp",  # another program's naming
        "ckpt.npz.0123456789ab.minigrad-tmp",  # not hidden
    ]
    for name in look_alikes:
        (tmp_path / name).write_text("not save's")
    (tmp_path / ".ckpt.npz.0123456789ab.minigrad-tmp").write_text("save's, and stale")
    mg.save(small_checkpoint(), tmp_path / "ckpt.npz")
    assert sorted(os.listdir(tmp_path)) == sorted([*look_alikes, "ckpt.npz"])


# ------------------------------------------------------------ odd paths for load


def test_load_refuses_a_fifo_and_a_device_without_reading_them(tmp_path):
    # opening the FIFO would wait for a writer forever; /dev/zero never ends
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(CheckpointError, match=r"is a named pipe \(FIFO\), not a regular file"):
        mg.load(tmp_path / "pipe")
    with pytest.raises(CheckpointError, match="is a character device, not a regular file"):
        mg.load("/dev/zero")


def test_load_of_a_folder_is_an_is_a_directory_error_as_open_gives(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a folder"):
        mg.load(tmp_path)
