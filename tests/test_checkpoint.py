"""Model cards, exports and colorkit.load from paths and URLs (loopback HTTP server), tampering refused."""
from __future__ import annotations

import hashlib
import http.server
import json
import threading
from functools import partial

import pytest
import torch
from torch import nn

import colorkit
from colorkit import checkpoint as hub
from colorkit.checkpoint import FORMAT, ChecksumMismatchError, UnsafeCheckpointError, load_checkpoint, save_checkpoint
from colorkit.models import _REGISTRY, register

torch.set_num_threads(1)


class HubTiny(nn.Module):
    stride = 1

    def __init__(self, width: int = 3):
        super().__init__()
        self.a = nn.Conv2d(1, width, 3, padding=1)
        self.b = nn.Conv2d(width, 2, 1)

    def forward(self, x):
        return torch.tanh(self.b(torch.relu(self.a(x))))


if "test_hub_tiny" not in _REGISTRY:
    register("test_hub_tiny")(HubTiny)


def write_ckpt(path, seed=0, card=True):
    torch.manual_seed(seed)
    m = HubTiny(width=4)
    c = hub.make_card("test_hub_tiny", {"width": 4}, preset="smoke", data={"source": "samples", "images": 4},
                      steps=12, metrics={"de2000": 9.5, "gray_copy_de2000": 11.6}, model=m) if card else None
    save_checkpoint({"format": FORMAT, "model": {"name": "test_hub_tiny", "kwargs": {"width": 4}},
                     "state": {"generator": m.state_dict()}, "optim": {"lr": 1e-3}, "step": 12, "card": c}, path)
    return m


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def server(tmp_path):
    """A loopback HTTP server over ``tmp_path/www``; ``server.hits`` counts requests."""
    root = tmp_path / "www"
    root.mkdir()
    hits = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            hits.append(self.path)
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    httpd.root, httpd.hits = root, hits
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_card_has_the_required_fields_and_is_plain_data(tmp_path):
    m = HubTiny(4)
    card = hub.make_card("test_hub_tiny", {"width": 4}, preset="cpu", data="tiny64", steps=torch.tensor(7),
                         metrics={"de2000": torch.tensor(9.25), "bad": float("nan")}, model=m)
    for key in hub.CARD_FIELDS:
        assert key in card
    assert card["steps"] == 7 and card["metrics"]["de2000"] == pytest.approx(9.25)
    assert card["architecture"]["parameters"] == sum(p.numel() for p in m.parameters()) == 4 * 9 + 4 + 4 * 2 + 2
    assert card["colorkit_version"] == colorkit.__version__
    json.dumps(card)  # JSON-able (NaN became a string)
    path = tmp_path / "m.pt"
    save_checkpoint({"card": card}, path)
    assert load_checkpoint(path)["card"] == card  # and weights_only-loadable
    js = hub.write_card(card, path)
    assert js.name == "m.json" and hub.read_card(path) == card
    assert "test_hub_tiny(width=4)" in hub.format_card(card) and "de2000 9.25" in hub.format_card(card)


def test_load_from_path_rebuilds_the_same_network(tmp_path):
    p = tmp_path / "m.pt"
    ref = write_ckpt(p)
    m = colorkit.load(p)
    assert m is not ref and not m.training and m.model_name == "test_hub_tiny"
    assert m.card["steps"] == 12 and m.card["preset"] == "smoke"
    x = torch.randn(1, 1, 8, 8)
    torch.testing.assert_close(m(x), ref(x))
    assert colorkit.load(p, sha256=sha(p)).card == m.card


def test_checksum_mismatch_is_refused_for_a_path(tmp_path):
    p = tmp_path / "m.pt"
    write_ckpt(p)
    with pytest.raises(ChecksumMismatchError, match="expected 00"):
        hub.load(p, sha256="00" * 32)


def test_pickle_that_would_run_code_is_refused(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    p = tmp_path / "evil.pt"
    torch.save({"format": FORMAT, "model": {"name": "test_hub_tiny"}, "x": Payload()}, p)
    with pytest.raises(UnsafeCheckpointError, match="would run code"):
        hub.load(p)
    # even with the matching checksum: a checksum says "same file", not "safe file"
    with pytest.raises(UnsafeCheckpointError):
        hub.load(p, sha256=sha(p))
    assert not marker.exists()


def test_foreign_or_incomplete_checkpoint_gives_clear_errors(tmp_path):
    p = tmp_path / "f.pt"
    save_checkpoint({"weights": torch.zeros(1)}, p)
    with pytest.raises(UnsafeCheckpointError, match="not a colorkit checkpoint"):
        hub.load(p)
    save_checkpoint({"format": FORMAT, "model": {"name": "no_such_model"}, "state": {}}, p)
    with pytest.raises(KeyError, match="no_such_model"):
        hub.load(p)
    with pytest.raises(FileNotFoundError):
        hub.load(tmp_path / "missing.pt")


def test_load_from_url_is_cached_and_verified(tmp_path, server):
    ref = write_ckpt(server.root / "m.pt")
    digest = sha(server.root / "m.pt")
    cache = tmp_path / "cache"
    url = f"{server.url}/m.pt"
    m = hub.load(url, sha256=digest, cache_dir=cache)
    x = torch.randn(2, 1, 6, 6)
    torch.testing.assert_close(m(x), ref(x))
    assert len(server.hits) == 1
    hub.load(url, sha256=digest, cache_dir=cache)
    assert len(server.hits) == 1  # second time from the cache
    cached = hub.cache_path(url, cache)
    assert cached.is_file() and sha(cached) == digest
    # a damaged cache entry is detected and downloaded again
    cached.write_bytes(b"garbage")
    hub.load(url, sha256=digest, cache_dir=cache)
    assert len(server.hits) == 2 and sha(cached) == digest


def test_url_with_wrong_checksum_is_refused_and_not_cached(tmp_path, server):
    write_ckpt(server.root / "m.pt")
    cache = tmp_path / "cache"
    with pytest.raises(ChecksumMismatchError, match="refused"):
        hub.load(f"{server.url}/m.pt", sha256="ab" * 32, cache_dir=cache)
    assert not any(cache.iterdir())


def test_replaced_file_on_the_server_is_refused(tmp_path, server):
    write_ckpt(server.root / "m.pt", seed=0)
    digest = sha(server.root / "m.pt")
    write_ckpt(server.root / "m.pt", seed=1)  # someone swapped the file
    with pytest.raises(ChecksumMismatchError):
        hub.load(f"{server.url}/m.pt", sha256=digest, cache_dir=tmp_path / "c")


def test_missing_url_gives_a_connection_error(tmp_path, server):
    with pytest.raises(ConnectionError, match="could not download"):
        hub.download(f"{server.url}/nothing.pt", cache_dir=tmp_path / "c")


def test_export_model_is_slim_and_loadable(tmp_path):
    src = tmp_path / "full.pt"
    ref = write_ckpt(src)
    out, digest = hub.export_model(src, tmp_path / "share" / "m.pt")
    assert digest == sha(out)
    slim = load_checkpoint(out)
    assert "optim" not in slim and slim["card"]["steps"] == 12
    assert (tmp_path / "share" / "m.json").is_file()
    m = hub.load(out, sha256=digest)
    x = torch.randn(1, 1, 5, 5)
    torch.testing.assert_close(m(x), ref(x))


def test_update_card_adds_test_metrics(tmp_path):
    p = tmp_path / "m.pt"
    write_ckpt(p)
    card = hub.update_card(p, metrics={"test_de2000": 9.1})
    assert card["metrics"] == {"de2000": 9.5, "gray_copy_de2000": 11.6, "test_de2000": 9.1}
    assert hub.read_card(p)["metrics"]["test_de2000"] == 9.1  # the JSON beside it
    assert load_checkpoint(p)["card"]["metrics"]["test_de2000"] == 9.1  # and inside the checkpoint
    assert load_checkpoint(p)["optim"] == {"lr": 1e-3}  # training state kept


def test_engine_style_card_is_formatted():
    text = hub.format_card({"colorkit": "0.1.0", "model": "unet", "objective": "regression", "steps": 40,
                            "val": {"de2000": 10.5}})
    assert text.startswith("unet(") and "steps 40" in text and "de2000 10.5" in text


def test_pretrained_weights_are_not_fetched_again(tmp_path):
    from colorkit.models import build

    m = build("resnet_unet", pretrained=False)
    p = tmp_path / "r.pt"
    save_checkpoint({"format": FORMAT, "model": {"name": "resnet_unet", "kwargs": {"pretrained": True}},
                     "state": {"generator": m.state_dict()}}, p)
    assert hub.load(p).model_name == "resnet_unet"  # offline: would fail if it tried to download


def test_engine_card_is_completed_with_the_architecture(tmp_path):
    p = tmp_path / "e.pt"
    m = HubTiny(4)
    save_checkpoint({"format": FORMAT, "model": {"name": "test_hub_tiny", "kwargs": {"width": 4}},
                     "state": {"generator": m.state_dict()}, "card": {"model": "test_hub_tiny", "steps": 5}}, p)
    card = hub.load(p).card
    assert card["architecture"] == {"name": "test_hub_tiny", "kwargs": {"width": 4}, "parameters": 50}
    assert card["steps"] == 5
