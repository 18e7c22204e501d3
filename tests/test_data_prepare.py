"""colorkit.data.prepare / shards: bad inputs, resume after a crash, parallel == serial, storage error."""
import hashlib
import json

import numpy as np
import pytest
from PIL import Image

from colorkit.color import rgb_to_lab
from colorkit.data import prepare as P
from colorkit.data import shards as S
from colorkit.data.problem_photos import write_problem_photos
from colorkit.data.samples import load_sample


def _photo_folder(folder, n=12, side=48):
    """n distinct colour photos: crops of the built-in samples."""
    folder.mkdir(parents=True, exist_ok=True)
    srcs = [load_sample(s) for s in ("astronaut", "coffee", "chelsea", "rocket")]
    for i in range(n):
        src = srcs[i % 4]
        y, x = 7 * i, 11 * i
        im = Image.fromarray(src[y:y + 200, x:x + 240]).resize((side + i, side))
        im.save(folder / f"p{i:03d}.jpg", quality=92)
    return folder


def _content(out):
    """{hash: (L, ab)} of every image in a prepared folder."""
    res = {}
    for r in P.read_manifest(out):
        a = S.open_shard(out / r["shard"])
        res[r["hash"]] = (np.array(a["L"][r["index"]]), np.array(a["ab"][r["index"]]))
    return res


def test_bad_input_folder(tmp_path):
    src = tmp_path / "in"
    expected = write_problem_photos(src)
    rep = P.prepare(src, tmp_path / "out", size=32, workers=1, progress=False)
    rows = P.read_manifest(tmp_path / "out")
    got = sorted(r["source"].split("/")[-1] for r in rows)
    assert got == sorted(n for n, e in expected.items() if e == "ok")  # each good image exactly once
    skipped = {s["source"].split("/")[-1]: s for s in P.read_skipped(tmp_path / "out")}
    for name, e in expected.items():
        if e in ("unreadable", "too_small", "grayscale", "duplicate"):
            assert skipped[name]["kind"] == e and skipped[name]["reason"], name
    assert rep.ignored_files == 1  # notes.txt
    assert rep.images == len(rows) and "skipped" in rep.summary()


def test_values_match_skimage_within_quantization(tmp_path):
    from skimage.color import rgb2lab

    src = tmp_path / "in"
    src.mkdir()
    rgb = load_sample("coffee")[:200, :200]
    Image.fromarray(rgb).save(src / "c.png")
    P.prepare(src, tmp_path / "out", size=200, workers=1, progress=False)  # no resize: exact comparison
    (L, ab), = _content(tmp_path / "out").values()
    ref = rgb2lab(rgb)
    assert np.abs(S.decode_l(L) - ref[..., 0]).max() <= 0.5 / 2.55 + 1e-3
    assert np.abs(S.decode_ab(ab) - ref[..., 1:]).max() <= 0.5 + 1e-3


def test_storage_error_over_all_8bit_colours_sampled():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (1, 200_000, 3), dtype=np.uint8)
    lab = rgb_to_lab(rgb)
    L, ab = S.encode_lab(lab)
    back = S.decode_lab(L, ab)
    err = np.abs(back - lab)
    assert err[..., 0].max() <= 0.197 and err[..., 1:].max() <= 0.5 + 1e-4
    assert 0.25 < np.sqrt((err[..., 1:] ** 2).mean()) < 0.32  # uniform rounding: 1/sqrt(12)


def test_lut_equals_direct_conversion():
    start = 123 << 16
    lut = np.zeros(1 << 24, np.uint32)
    lut[start:start + 65536] = S.lut_block(start, start + 65536)
    i = np.arange(start, start + 65536, dtype=np.uint32)
    rgb = np.stack([(i >> 16) & 255, (i >> 8) & 255, i & 255], -1).astype(np.uint8).reshape(256, 256, 3)
    L1, ab1 = S.encode_rgb(rgb)
    L2, ab2 = S.encode_rgb(rgb, lut)
    assert np.array_equal(L1, L2) and np.array_equal(ab1, ab2) and ab2.dtype == np.int8
    # written in place into a slot of a shard buffer, as prepare() does
    buf_L, buf_ab = np.zeros((3, 256, 256), np.uint8), np.zeros((3, 256, 256, 2), np.int8)
    S.encode_rgb(rgb, lut, out=(buf_L[1], buf_ab[1]))
    assert np.array_equal(buf_L[1], L1) and np.array_equal(buf_ab[1], ab1) and not buf_L[0].any()
    # a strided output works too (no in-place fast path there)
    Ls, abs_ = np.zeros((256, 512), np.uint8)[:, ::2], np.zeros((256, 256, 2), np.int8)
    S.encode_rgb(rgb, lut, out=(Ls, abs_))
    assert np.array_equal(Ls, L1) and np.array_equal(abs_, ab1)


def test_storage_quarter_of_float64(tmp_path):
    _photo_folder(tmp_path / "in", n=4)
    P.prepare(tmp_path / "in", tmp_path / "out", size=64, workers=1, progress=False)
    size = sum(f.stat().st_size for f in (tmp_path / "out").glob("part-*.npz"))
    assert size / 4 <= 64 * 64 * 3 * 8 / 4


def test_resize_modes():
    rgb = np.zeros((100, 200, 3), np.uint8)
    rgb[:, :100] = 255
    crop, (r, c) = P.resize_square(rgb, 50, "crop")
    assert crop.shape == (50, 50, 3) and (r, c) == (slice(0, 50), slice(0, 50))
    assert crop[:, :24].min() == 255 and crop[:, 26:].max() == 0  # centre square: half white
    pad, (r, c) = P.resize_square(rgb, 50, "pad")
    assert pad.shape == (50, 50, 3) and (r.stop - r.start, c.stop - c.start) == (25, 50)
    assert (pad[:12] == P.PAD_VALUE).all() and (pad[-12:] == P.PAD_VALUE).all()
    up, _ = P.resize_square(rgb[:20, :30], 64, "crop")
    assert up.shape == (64, 64, 3)


def test_chroma_spread_gray_tinted_and_colour():
    gray = np.repeat(load_sample("camera")[..., None], 3, -1)
    assert P.chroma_spread(rgb_to_lab(gray)) < 0.5
    sepia = (gray.astype(float) * np.array([1.0, 0.85, 0.65])).astype(np.uint8)  # toned B&W
    assert P.chroma_spread(rgb_to_lab(sepia)) < P.GRAY_THRESHOLD
    assert P.chroma_spread(rgb_to_lab(load_sample("coffee"))) > 4 * P.GRAY_THRESHOLD


def test_chroma_spread_is_not_hasler_susstrunk_colourfulness():
    """The reason for its name: a strongly toned B&W photo is as colourful as a colour photo for Hasler and
    Suesstrunk (the ``cf`` of the score tables), yet near-gray for the preparation's measure."""
    from colorkit.evaluate.metrics import colorfulness

    gray = np.repeat(load_sample("camera")[..., None], 3, -1)
    toned = (gray.astype(float) * np.array([1.0, 0.6, 0.2])).astype(np.uint8)
    coffee = load_sample("coffee")
    assert colorfulness(toned) > 0.8 * colorfulness(coffee)
    assert P.chroma_spread(rgb_to_lab(toned)) < P.GRAY_THRESHOLD < P.chroma_spread(rgb_to_lab(coffee))


def test_manifest_chroma_spread_and_folders_with_the_old_column_name(tmp_path):
    """manifest.csv's chroma_spread is the measure of each stored photo; a folder prepared before the rename
    (column and part rows named ``colorfulness``) still reads, and a resumed run writes the new name."""
    out = tmp_path / "out"
    P.prepare(_photo_folder(tmp_path / "in", n=5), out, size=32, workers=1, progress=False)
    rows = P.read_manifest(out)
    for r in rows:  # 32x32 = 1024 pixels: both paths use every pixel
        a = S.open_shard(out / r["shard"])
        lab = np.dstack([a["L"][r["index"]] / S.L_TO_U8, a["ab"][r["index"]]]).astype(np.float64)
        assert r["chroma_spread"] == pytest.approx(P.chroma_spread(lab), abs=1e-3)
    manifest = out / "manifest.csv"
    manifest.write_text(manifest.read_text().replace("chroma_spread", "colorfulness", 1))
    old = P.read_manifest(out)
    assert [r["chroma_spread"] for r in old] == [r["chroma_spread"] for r in rows]
    assert not any("colorfulness" in r for r in old)
    part = out / "part-00000.json"
    part.write_text(part.read_text().replace('"chroma_spread"', '"colorfulness"'))
    assert P.prepare(tmp_path / "in", out, size=32, workers=1, progress=False).new_images == 0
    assert "chroma_spread" in manifest.read_text().splitlines()[0]
    assert [r["chroma_spread"] for r in P.read_manifest(out)] == [r["chroma_spread"] for r in rows]


def test_resume_after_crash_equals_clean_run(tmp_path, monkeypatch):
    src = _photo_folder(tmp_path / "in", n=14)
    write_problem_photos(tmp_path / "in" / "bad")
    clean = P.prepare(src, tmp_path / "clean", size=32, workers=1, shard_size=4, progress=False)

    real = S.write_shard
    calls = {"n": 0}

    def dying(*a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed")
        return real(*a, **k)

    monkeypatch.setattr(S, "write_shard", dying)
    with pytest.raises(KeyboardInterrupt):
        P.prepare(src, tmp_path / "resumed", size=32, workers=1, shard_size=4, progress=False)
    assert not (tmp_path / "resumed" / "manifest.csv").exists()
    monkeypatch.setattr(S, "write_shard", real)
    again = P.prepare(src, tmp_path / "resumed", size=32, workers=1, shard_size=4, progress=False)
    assert 0 < again.new_images < clean.images  # it really resumed
    a, b = _content(tmp_path / "clean"), _content(tmp_path / "resumed")
    assert a.keys() == b.keys()
    for h in a:
        assert np.array_equal(a[h][0], b[h][0]) and np.array_equal(a[h][1], b[h][1])
    sk = lambda out: sorted((s["source"], s["kind"]) for s in P.read_skipped(out))  # noqa: E731
    assert sk(tmp_path / "clean") == sk(tmp_path / "resumed")
    # and a third run does nothing
    third = P.prepare(src, tmp_path / "resumed", size=32, workers=1, shard_size=4, progress=False)
    assert third.new_images == 0 and third.images == clean.images


def test_half_written_shard_is_discarded(tmp_path):
    src = _photo_folder(tmp_path / "in", n=5)
    out = tmp_path / "out"
    P.prepare(src, out, size=32, workers=1, progress=False)
    # simulate a kill between the .npz and its .json of a second part
    (out / "part-00001.npz").write_bytes(b"partial")
    rep = P.prepare(src, out, size=32, workers=1, progress=False)
    assert not (out / "part-00001.npz").exists() and rep.images == 5


def test_parallel_equals_serial(tmp_path):
    src = _photo_folder(tmp_path / "in", n=10)
    P.prepare(src, tmp_path / "one", size=32, workers=1, progress=False)
    P.prepare(src, tmp_path / "two", size=32, workers=2, progress=False, shard_size=3)
    a, b = _content(tmp_path / "one"), _content(tmp_path / "two")
    assert a.keys() == b.keys() and all(np.array_equal(a[h][1], b[h][1]) for h in a)


def test_manifest_and_split(tmp_path):
    src = _photo_folder(tmp_path / "in", n=10)
    P.prepare(src, tmp_path / "out", size=32, workers=1, progress=False)
    rows = P.read_manifest(tmp_path / "out")
    for r in rows:
        data = open(r["source"], "rb").read()
        assert r["hash"] == hashlib.sha256(data).hexdigest()
        w, h = Image.open(r["source"]).size
        assert (r["width"], r["height"]) == (w, h)
    assert {r["split"] for r in rows} == {"train", "val", "test"}
    meta = json.loads((tmp_path / "out" / "prepare.json").read_text())
    assert meta["complete"] and meta["images"] == 10


def test_other_settings_refused(tmp_path):
    src = _photo_folder(tmp_path / "in", n=3)
    P.prepare(src, tmp_path / "out", size=32, workers=1, progress=False)
    with pytest.raises(ValueError, match="overwrite"):
        P.prepare(src, tmp_path / "out", size=48, workers=1, progress=False)
    rep = P.prepare(src, tmp_path / "out", size=48, workers=1, progress=False, overwrite=True)
    assert rep.images == 3 and rep.size == 48


def test_max_images_subset_is_deterministic(tmp_path):
    src = _photo_folder(tmp_path / "in", n=10)
    a = P.prepare(src, tmp_path / "a", size=32, workers=1, max_images=4, progress=False)
    P.prepare(src, tmp_path / "b", size=32, workers=1, max_images=4, progress=False)
    assert a.images == 4
    assert _content(tmp_path / "a").keys() == _content(tmp_path / "b").keys()


def test_cli_folder(tmp_path, capsys):
    from colorkit.cli import main

    src = _photo_folder(tmp_path / "in", n=3)
    assert main(["prepare", str(src), "--size", "32", "--out", str(tmp_path / "out"), "--workers", "1",
                 "--no-progress"]) == 0
    assert "3 images of 32x32" in capsys.readouterr().out
    assert main(["prepare", str(tmp_path / "missing"), "--out", str(tmp_path / "o2"), "--no-progress"]) == 2


@pytest.mark.slow
def test_sigkill_midway_with_two_workers_then_rerun(tmp_path):
    """A real kill (SIGKILL, no cleanup at all) of a 2-worker run, then a re-run == a clean run."""
    import signal
    import subprocess
    import sys
    import time

    src = _photo_folder(tmp_path / "in", n=40, side=64)
    code = ("import sys; from colorkit.data.prepare import prepare; "
            "prepare(sys.argv[1], sys.argv[2], size=48, workers=2, shard_size=2, progress=False)")
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", code, str(src), str(out)])
    deadline = time.time() + 60
    while time.time() < deadline and len(list(out.glob("part-*.json"))) < 3 and proc.poll() is None:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out / "manifest.csv").exists()  # it really died midway
    P.prepare(src, out, size=48, workers=2, shard_size=2, progress=False)
    P.prepare(src, tmp_path / "clean", size=48, workers=1, progress=False)
    a, b = _content(tmp_path / "clean"), _content(out)
    assert a.keys() == b.keys() and len(a) >= 35  # (a few crops are near-gray or identical)
    assert all(np.array_equal(a[h][0], b[h][0]) and np.array_equal(a[h][1], b[h][1]) for h in a)
    assert len(P.read_manifest(out)) == len(a)  # no duplicates


def test_duplicates_within_one_part_are_kept_once(tmp_path):
    src = _photo_folder(tmp_path / "in", n=4)
    (src / "p000_copy.jpg").write_bytes((src / "p000.jpg").read_bytes())
    rep = P.prepare(src, tmp_path / "out", size=32, workers=1, progress=False)
    assert rep.images == 4 and rep.skipped_by_kind() == {"duplicate": 1}
    assert len(_content(tmp_path / "out")) == 4


@pytest.mark.slow
def test_prepare_benchmark_runs_and_prints_results(tmp_path):
    """benchmarks/prepare.py on a few built-in photos: it runs and ends with the RESULT lines scripts read."""
    import subprocess
    import sys
    from pathlib import Path

    src = _photo_folder(tmp_path / "in", n=6, side=64)
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "prepare.py"
    out = subprocess.run([sys.executable, str(script), "--photos", str(src), "--size", "32", "--repeats", "1"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    results = dict(line.split()[1:3] for line in out.stdout.splitlines() if line.startswith("RESULT "))
    for name in ("prepare_speedup", "prepare_vs_decode_resize", "prepare_scaling_2_workers"):
        assert float(results[name]) > 0


def test_process_chunk_writes_exactly_the_good_images(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    src = _photo_folder(tmp_path / "in", n=3)
    write_problem_photos(tmp_path / "bad")
    files = sorted(str(p) for p in src.iterdir()) + [str(tmp_path / "bad" / "empty.jpg")]
    cfg = P._Config(32, "crop", P.MIN_SIDE, None, P.GRAY_THRESHOLD)
    with ThreadPoolExecutor(1) as writer:
        rows, skips, pending = P.process_chunk(files, cfg, tmp_path / "shard.npz", writer=writer)
        pending.result()
    assert [r["index"] for r in rows] == [0, 1, 2] and [s["kind"] for s in skips] == ["unreadable"]
    shard = S.open_shard(tmp_path / "shard.npz")
    for r in rows:  # each slot holds what converting that file alone gives
        alone = P.process_file(r["source"], cfg)
        assert np.array_equal(shard["L"][r["index"]], alone["L"])
        assert np.array_equal(shard["ab"][r["index"]], alone["ab"])
