"""The reference models shipped in colorkit/weights/: the index's checksums, tampering refused, float16 weights
loaded as float32, ``colorkit.load("reference")``, ``colorkit colorize --model reference``, packaging a trained
checkpoint, and URL entries with mirrors (a loopback HTTP server: a dead first mirror, a wrong file refused)."""
from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import socket
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

import colorkit
from colorkit import reference as ref
from colorkit.checkpoint import FORMAT, save_checkpoint
from colorkit.cli import main
from colorkit.color import normalize_l, rgb_to_lab
from colorkit.colorize import predict_ab
from colorkit.data.samples import load_sample, sample_path
from colorkit.files import ChecksumMismatchError
from colorkit.models import build

torch.set_num_threads(1)


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def tiny_last_pt(path: Path, seed: int = 0) -> Path:
    """A stand-in for the ``last.pt`` of ``colorkit train``: a small U-Net, an engine card, a config."""
    torch.manual_seed(seed)
    kwargs = {"base_width": 4, "depth": 2, "zero_init_head": False, "stem": "half"}
    m = build("unet", **kwargs)
    card = {"colorkit": colorkit.__version__, "model": "unet", "objective": "regression", "loss": "l1",
            "steps": 7, "images_seen": 56, "train_minutes": 0.05, "image_size": 32}
    save_checkpoint({"format": FORMAT, "model": {"name": "unet", "kwargs": kwargs},
                     "state": {"generator": m.state_dict()}, "optim": {"lr": 1e-3}, "step": 7, "card": card,
                     "config": {"loss": "l1", "extra": {}}}, path)
    return path


@pytest.fixture
def weights_copy(tmp_path):
    """A copy of the shipped weights folder, to tamper with."""
    return Path(shutil.copytree(ref.WEIGHTS_DIR, tmp_path / "weights"))


class Files(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files`` (``{"/name.pt": bytes}``) and records each path asked for in ``server.hits``."""

    def log_message(self, *a):
        pass

    def do_GET(self):
        self.server.hits.append(self.path)
        body = self.server.files.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


@pytest.fixture
def server():
    """A loopback HTTP server (127.0.0.1) serving files from memory."""
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files) as httpd:
        httpd.files, httpd.hits = {}, []
        httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        yield httpd
        httpd.shutdown()


def dead_url() -> str:
    """An address on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/unet.pt"


# --- the shipped files ---------------------------------------------------------------------------------
def test_shipped_files_match_the_index_and_their_cards():
    index = ref.read_index()
    assert {"unet", "unet_gan"} <= set(index["models"]) and index["aliases"]["reference"] in index["models"]
    for name, entry in index["models"].items():
        path = ref.WEIGHTS_DIR / entry["file"]
        assert sha(path) == entry["sha256"] and path.stat().st_size == entry["bytes"], name
        card = json.loads((ref.WEIGHTS_DIR / entry["card"]).read_text())
        assert card["weights"]["sha256"] == entry["sha256"] and card["weights"]["dtype"] == "float16"
        assert card["architecture"]["name"] in ("unet", "unet_gan", "unet_hints") and card["architecture"]["kwargs"]
        for key in ("data", "steps", "minutes", "colorkit_version", "held_out", "image_size"):
            assert card.get(key) is not None, f"{name}: card has no {key}"
        assert card["data"]["terms"]
        table = card["held_out"]["table"]
        assert set(table) == {"gray copy", "model"} and table["model"]["de2000"] == card["metrics"]["de2000"]
        assert card["metrics"]["gray_copy_de2000"] == table["gray copy"]["de2000"]


def test_shipped_weights_are_float16_and_small():
    total = sum(p.stat().st_size for p in ref.WEIGHTS_DIR.rglob("*") if p.is_file())
    assert total <= ref.MAX_SHIPPED_BYTES == 7_500_000
    state = torch.load(ref.WEIGHTS_DIR / "unet.pt", weights_only=True)["state"]["generator"]
    floats = [v for v in state.values() if v.is_floating_point()]
    assert floats and all(v.dtype == torch.float16 for v in floats)


def test_a_tampered_weights_file_is_refused(weights_copy):
    path = weights_copy / "unet.pt"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ref.ReferenceIntegrityError, match="reinstall colorkit") as e:
        ref.load_reference("reference", folder=weights_copy)
    assert isinstance(e.value, ChecksumMismatchError)
    ref.load_reference("unet_gan", folder=weights_copy)  # the other file is untouched: it still loads


def test_an_edited_card_is_refused(weights_copy):
    card = json.loads((weights_copy / "unet_gan.json").read_text())
    card["weights"]["sha256"] = "0" * 64
    (weights_copy / "unet_gan.json").write_text(json.dumps(card))
    with pytest.raises(ref.ReferenceIntegrityError, match="reinstall colorkit"):
        ref.load_reference("reference:unet_gan", folder=weights_copy)


# --- loading -------------------------------------------------------------------------------------------
def test_load_reference_equals_the_float16_file_loaded_by_hand():
    model = colorkit.load("reference")
    ckpt = torch.load(ref.WEIGHTS_DIR / "unet.pt", map_location="cpu", weights_only=True)
    by_hand = build(ckpt["model"]["name"], **ckpt["model"]["kwargs"])
    by_hand.load_state_dict({k: v.float() if v.is_floating_point() else v
                             for k, v in ckpt["state"]["generator"].items()})
    by_hand.eval()
    assert model.reference_name == "unet" and model.model_name == "unet" and not model.training
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert model.card["weights"]["sha256"] == ref.read_index()["models"]["unet"]["sha256"]
    assert model.colorkit_train_size == model.card["image_size"]
    rgb = load_sample("astronaut")[::8, ::8]
    L = torch.from_numpy(normalize_l(rgb_to_lab(rgb)[..., 0])).float()[None, None]
    with torch.no_grad():
        torch.testing.assert_close(predict_ab(model, L), by_hand(L), rtol=0, atol=0)


def test_reference_names_and_paths(tmp_path, monkeypatch):
    assert colorkit.load("reference:unet_gan").reference_name == "unet_gan"
    assert colorkit.load("unet_gan").reference_name == "unet_gan"
    with pytest.raises(KeyError, match="shipped: reference, unet, unet_gan"):
        colorkit.load("reference:nosuch")
    with pytest.raises(ChecksumMismatchError):
        colorkit.load("reference", sha256="0" * 64)
    monkeypatch.chdir(tmp_path)  # a file named like a reference wins: paths load as they always did
    shutil.copy(ref.WEIGHTS_DIR / "unet_gan.pt", tmp_path / "unet")
    m = colorkit.load("unet")
    assert not hasattr(m, "reference_name") and m.checkpoint_path == "unet"
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        colorkit.load(str(tmp_path / "missing.pt"))


# --- the command line ----------------------------------------------------------------------------------
def test_colorize_with_the_reference_offline(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "home"))  # no course checkpoints
    photo = sample_path("chelsea")
    assert main(["colorize", "--model", "reference", str(photo), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "reference model unet" in out and (tmp_path / "out" / "chelsea.png").is_file()
    assert main(["colorize", "--model", "unet_gan", str(photo), "--out", str(tmp_path / "gan")]) == 0
    assert (tmp_path / "gan" / "chelsea.png").is_file()
    assert main(["colorize", "--model", "nosuch", str(photo), "--out", str(tmp_path / "x")]) == 2
    assert "--model reference" in capsys.readouterr().err


def test_colorize_refuses_a_tampered_reference(tmp_path, weights_copy, monkeypatch, capsys):
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(ref, "WEIGHTS_DIR", weights_copy)
    path = weights_copy / "unet.pt"
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))
    assert main(["colorize", "--model", "reference", str(sample_path("chelsea")), "--out", str(tmp_path / "o")]) == 2
    assert "reinstall colorkit" in capsys.readouterr().err
    assert not (tmp_path / "o" / "chelsea.png").exists()


# --- packaging -----------------------------------------------------------------------------------------
def test_a_fine_tunes_card_counts_every_stage(tmp_path):
    first = tiny_last_pt(tmp_path / "a" / "last.pt")
    second = tiny_last_pt(tmp_path / "b" / "last.pt", seed=1)
    ckpt = torch.load(second, weights_only=False)
    ckpt["config"]["extra"] = {"init_generator": str(first)}
    ckpt["card"].update(steps=3, images_seen=24, train_minutes=0.02, loss="de2000")
    ckpt["step"] = 3
    torch.save(ckpt, second)
    card = ref.package_reference(second, "tiny", "samples", folder=tmp_path / "w", limit=1)
    assert card["steps"] == 7 + 3 and card["images_seen"] == 56 + 24 and card["minutes"] == 0.07
    assert [st["steps"] for st in card["stages"]] == [7, 3] and card["stages"][1]["loss"] == "de2000"
    first.unlink()  # the start is gone: only the last stage is counted, and the card says so
    card = ref.package_reference(second, "tiny", "samples", folder=tmp_path / "w", limit=1)
    assert card["steps"] == 3 and card["stages"][0] == {"from": str(first), "steps": None, "minutes": None}


def test_package_reference_writes_fp16_weights_a_card_and_the_index(tmp_path):
    ckpt = tiny_last_pt(tmp_path / "run" / "last.pt")
    folder = tmp_path / "weights"
    card = ref.package_reference(ckpt, "tiny", "samples", folder=folder, limit=2, default=True,
                                 data={"source": "test photos"})
    entry = ref.read_index(folder)["models"]["tiny"]
    assert sha(folder / "tiny.pt") == entry["sha256"] == card["weights"]["sha256"]
    assert ref.read_index(folder)["aliases"]["reference"] == "tiny"
    assert json.loads((folder / "tiny.json").read_text()) == card
    assert card["steps"] == 7 and card["minutes"] == 0.05 and card["image_size"] == 32
    assert card["held_out"]["images"] == 2 and card["held_out"]["size"] == 32
    assert card["metrics"]["gray_copy_de2000"] > 0 and "terms" in card["data"]
    slim = torch.load(folder / "tiny.pt", weights_only=True)
    assert set(slim) >= {"format", "model", "state"} and "optim" not in slim and set(slim["state"]) == {"generator"}
    model = ref.load_reference("reference", folder=folder)
    original = build("unet", **slim["model"]["kwargs"])
    original.load_state_dict(torch.load(ckpt, weights_only=True)["state"]["generator"])
    L = torch.rand(1, 1, 32, 32) * 2 - 1
    with torch.no_grad():  # float16 storage changes the output only a little
        torch.testing.assert_close(model(L), original.eval()(L), atol=2e-3, rtol=0)


def test_package_is_one_command(tmp_path, capsys):
    ckpt = tiny_last_pt(tmp_path / "last.pt", seed=1)
    folder = tmp_path / "w"
    assert ref.main(["package", str(ckpt), "--name", "small", "--photos", "samples", "--limit", "1",
                     "--folder", str(folder)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["weights"]["sha256"] == sha(folder / "small.pt")
    assert ref.read_index(folder)["aliases"]["reference"] == "unet"  # not --default: the alias is unchanged


# --- URLs and mirrors ----------------------------------------------------------------------------------
def test_a_dead_first_mirror_falls_through_to_the_second(server, tmp_path):
    src = ref.WEIGHTS_DIR / "unet_gan.pt"
    server.files["/unet_gan.pt"] = src.read_bytes()
    good, digest = f"{server.url}/unet_gan.pt", sha(src)
    m = colorkit.load([dead_url(), f"{server.url}/gone.pt", good], sha256=digest, cache_dir=tmp_path / "c")
    assert m.model_name == "unet_gan" and server.hits == ["/gone.pt", "/unet_gan.pt"]
    again = colorkit.load(dead_url(), sha256=digest, mirrors=[good], cache_dir=tmp_path / "c")
    assert server.hits == ["/gone.pt", "/unet_gan.pt"]  # the verified copy is reused: no second download
    x = torch.rand(1, 1, 32, 32) * 2 - 1
    with torch.no_grad():
        torch.testing.assert_close(again(x), ref.load_reference("unet_gan")(x))


def test_a_checksum_mismatch_from_a_url_is_refused(server, tmp_path):
    server.files["/evil.pt"] = (ref.WEIGHTS_DIR / "unet.pt").read_bytes()  # other bytes than promised
    server.files["/good.pt"] = (ref.WEIGHTS_DIR / "unet_gan.pt").read_bytes()
    want = sha(ref.WEIGHTS_DIR / "unet_gan.pt")
    with pytest.raises(ChecksumMismatchError, match="refused"):
        colorkit.load([f"{server.url}/evil.pt"], sha256=want, cache_dir=tmp_path / "c")
    assert not [p for p in (tmp_path / "c").iterdir() if p.is_file()]  # the wrong file was deleted
    with pytest.raises(ChecksumMismatchError):
        colorkit.load(f"{server.url}/evil.pt", sha256=want, mirrors=[dead_url()], cache_dir=tmp_path / "c")
    m = colorkit.load([f"{server.url}/evil.pt", f"{server.url}/good.pt"], sha256=want, cache_dir=tmp_path / "c")
    assert m.source_urls[-1].endswith("/good.pt")  # a wrong mirror is skipped; only the promised file loads
    with pytest.raises(ConnectionError, match="any of 1"):
        ref.fetch_any([dead_url()], sha256=want, cache_dir=tmp_path / "c2")


def test_a_registry_entry_with_urls_downloads_from_its_mirrors(server, weights_copy, tmp_path):
    server.files["/big.pt"] = (ref.WEIGHTS_DIR / "unet_gan.pt").read_bytes()
    card = {"architecture": {"name": "unet", "kwargs": {}}, "metrics": {"de2000": 9.0, "gray_copy_de2000": 10.0}}
    ref.add_remote("big", [dead_url(), f"{server.url}/big.pt"], hashlib.sha256(server.files["/big.pt"]).hexdigest(), card=card,
                   folder=weights_copy)
    model = ref.load_reference("reference:big", folder=weights_copy, cache_dir=tmp_path / "cache")
    assert model.reference_name == "big" and model.card == card and server.hits == ["/big.pt"]
    rows = {r["name"]: r for r in ref.list_models(home=tmp_path / "nohome", folder=weights_copy)}
    assert rows["big"]["where"].startswith("download: ") and rows["big"]["minus_gray"] == -1.0
    ref.add_remote("bad", [f"{server.url}/big.pt"], "0" * 64, folder=weights_copy)
    with pytest.raises(ChecksumMismatchError):
        ref.load_reference("bad", folder=weights_copy, cache_dir=tmp_path / "cache")


def test_list_models_finds_references_and_trained_checkpoints(tmp_path):
    home = tmp_path / "home"
    tiny_last_pt(home / "runs" / "myrun" / "last.pt")
    tiny_last_pt(home / "runs" / "checkpoints" / "cpu" / "unet.pt")
    rows = ref.list_models(home)
    names = [r["name"] for r in rows]
    assert names[:2] == ["unet (reference)", "unet_gan"] and {"myrun", "cpu/unet"} <= set(names)
    shipped = rows[0]
    assert shipped["kind"] == "reference" and shipped["use"] == "--model reference:unet"
    assert shipped["minus_gray"] == pytest.approx(shipped["de2000"] - shipped["gray_copy_de2000"], abs=1e-3)
    trained = {r["name"]: r for r in rows if r["kind"] == "trained"}
    assert trained["cpu/unet"]["use"] == "--model unet --preset cpu"
    assert trained["myrun"]["use"].startswith("--checkpoint ") and "7 steps" in trained["myrun"]["summary"]
    text = ref.format_models(rows)
    assert "unet (reference)" in text and "myrun" in text and np.isfinite(shipped["de2000"])


def test_a_failed_packaging_leaves_the_shipped_files_as_they_were(tmp_path, weights_copy):
    before = {p.name: p.read_bytes() for p in weights_copy.iterdir()}
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no usable photos"):  # nothing to measure on: nothing shipped half-done
        ref.package_reference(tiny_last_pt(tmp_path / "last.pt"), "unet", tmp_path / "empty", folder=weights_copy)
    assert {p.name: p.read_bytes() for p in weights_copy.iterdir()} == before
    ref.load_reference("reference", folder=weights_copy)


def test_hint_references_are_the_ones_measured_with_hints(tmp_path):
    """The shipped hint model is named; a copy of the weights folder whose hint card lost its hint metrics is not
    (the cards, not the names, decide)."""
    assert ref.hint_reference_names() == ["unet_hints"]
    weights_copy = tmp_path / "weights"
    shutil.copytree(ref.WEIGHTS_DIR, weights_copy)
    card = json.loads((weights_copy / "unet_hints.json").read_text())
    card["metrics"] = {k: v for k, v in card["metrics"].items() if "hints" not in k}
    (weights_copy / "unet_hints.json").write_text(json.dumps(card))
    assert ref.hint_reference_names(weights_copy) == []


def test_automatic_comparisons_leave_the_hint_model_out():
    from colorkit.course.progress import reference_models

    assert set(reference_models()) == {f"reference_{n}" for n in ref.reference_names()} - {"reference_unet_hints"}


def test_the_hint_model_shares_its_frozen_unet_with_the_shipped_unet(weights_copy):
    """unet_hints.pt leaves out its frozen automatic U-Net (bit for bit the shipped unet.pt) and names that file
    by SHA-256; loading by name puts it back, a bare checkpoint load says how, a tampered unet.pt is refused."""
    from colorkit.checkpoint import load as load_checkpoint_model

    index = ref.read_index()
    raw = torch.load(ref.WEIGHTS_DIR / "unet_hints.pt", weights_only=True)
    assert raw["shared_weights"] == {"prefix": "reference.", "reference": "unet",
                                     "sha256": index["models"]["unet"]["sha256"]}
    assert not any(k.startswith("reference.") for k in raw["state"]["generator"])
    hints, unet = ref.load_reference("unet_hints"), ref.load_reference("unet")
    frozen = hints.reference.state_dict()
    assert set(frozen) == set(unet.state_dict())
    for k, v in unet.state_dict().items():
        assert torch.equal(frozen[k], v), k
    with pytest.raises(ValueError, match="unet_hints"):
        load_checkpoint_model(ref.WEIGHTS_DIR / "unet_hints.pt")
    with open(weights_copy / "unet.pt", "r+b") as f:  # one byte of the shared file changed
        f.seek(-100, 2)
        b = f.read(1)
        f.seek(-100, 2)
        f.write(bytes([b[0] ^ 1]))
    with pytest.raises(Exception, match="(?i)sha-?256|checksum|integrity"):
        ref.load_reference("unet_hints", folder=weights_copy)
