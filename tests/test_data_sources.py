"""colorkit.data.sources against a loopback HTTP server (no internet): resume, checksums, safe zips, Kaggle errors."""
import hashlib
import io
import sys
import threading
import types
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from colorkit.files import ChecksumMismatchError
from colorkit.data import sources as src
from colorkit.data.samples import load_sample


def _zip_bytes(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _jpeg(i):
    buf = io.BytesIO()
    Image.fromarray(load_sample("coffee")[i * 10:i * 10 + 60, :80]).save(buf, "JPEG")
    return buf.getvalue()


class _Server:
    """Serves ``files`` (path -> bytes) with Range support; ``cut[path] = n`` drops the connection after n bytes once."""

    def __init__(self):
        self.files, self.cut, self.requests = {}, {}, []
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                outer.requests.append((self.path, self.headers.get("Range")))
                data = outer.files.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                rng = self.headers.get("Range")
                if rng:
                    start = int(rng.split("=")[1].split("-")[0])
                    if start >= len(data):
                        self.send_response(416)
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                n = outer.cut.pop(self.path, None)
                self.wfile.write(body if n is None else body[:n])
                if n is not None:
                    self.wfile.flush()
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def test_download_resumes_after_interruption(server, tmp_path):
    data = bytes(range(256)) * 4000
    server.files["/big.bin"] = data
    server.cut["/big.bin"] = 300_000
    dest = tmp_path / "big.bin"
    with pytest.raises(src.SourceError, match="resume"):
        src.download(server.url + "/big.bin", dest, size=len(data), progress=False, chunk=65536)
    part = tmp_path / "big.bin.part"
    assert part.exists() and 0 < part.stat().st_size < len(data)
    got = src.download(server.url + "/big.bin", dest, size=len(data), md5=hashlib.md5(data).hexdigest(),
                       sha256=hashlib.sha256(data).hexdigest(), progress=False)
    assert got.read_bytes() == data and not part.exists()
    assert server.requests[-1][1] is not None and server.requests[-1][1].startswith("bytes=")  # a Range request
    n = len(server.requests)
    src.download(server.url + "/big.bin", dest, size=len(data), progress=False)  # cached: no request
    assert len(server.requests) == n


def test_bad_checksum_deletes_and_raises(server, tmp_path):
    server.files["/a.zip"] = b"x" * 1000
    with pytest.raises(ChecksumMismatchError):
        src.download(server.url + "/a.zip", tmp_path / "a.zip", md5="0" * 32, progress=False)
    assert not (tmp_path / "a.zip").exists() and not (tmp_path / "a.zip.part").exists()
    with pytest.raises(ChecksumMismatchError):
        src.download(server.url + "/a.zip", tmp_path / "a.zip", size=999, progress=False)


def test_http_error_and_unreachable(server, tmp_path):
    with pytest.raises(src.SourceError, match="404"):
        src.download(server.url + "/missing", tmp_path / "m", progress=False)
    with pytest.raises(src.SourceError, match="cannot reach"):
        src.download("http://127.0.0.1:1/x", tmp_path / "x", progress=False, timeout=2)


def test_safe_extract_refuses_escapes(tmp_path):
    for bad in ("../evil.txt", "/abs/evil.txt", "ok/../../evil.txt"):
        z = tmp_path / "bad.zip"
        z.write_bytes(_zip_bytes({"fine.txt": b"1", bad: b"evil"}))
        with pytest.raises(src.UnsafeArchiveError, match="refused"):
            src.safe_extract(z, tmp_path / "out", progress=False)
        assert not (tmp_path / "out" / "fine.txt").exists()  # nothing written
        assert not (tmp_path / "evil.txt").exists()
    # a symbolic link member
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    (tmp_path / "link.zip").write_bytes(buf.getvalue())
    with pytest.raises(src.UnsafeArchiveError, match="symbolic link"):
        src.safe_extract(tmp_path / "link.zip", tmp_path / "out2", progress=False)


def _remote(server, name, members, folders):
    data = _zip_bytes(members)
    server.files[f"/{name}.zip"] = data
    return src.RemoteZip(name, f"{server.url}/{name}.zip", len(data), hashlib.md5(data).hexdigest(), folders, name)


def test_coco_and_tiny_imagenet_code_paths(server, tmp_path, monkeypatch):
    coco = _remote(server, "val2017", {f"val2017/{i:012d}.jpg": _jpeg(i) for i in range(6)}, ("val2017",))
    monkeypatch.setitem(src.COCO, "val2017", coco)
    folders = src.coco("val2017", root=tmp_path, progress=False)
    assert len(list(folders[0].glob("*.jpg"))) == 6
    sub = src.coco("val2017", max_images=3, root=tmp_path, progress=False)  # a seeded random subset
    assert len(list(sub[0].glob("*.jpg"))) == 3
    n = len(server.requests)
    assert src.coco("val2017", root=tmp_path, progress=False) == folders and len(server.requests) == n  # cached
    tiny_members = {f"tiny-imagenet-200/train/n01/images/n01_{i}.JPEG": _jpeg(i) for i in range(4)}
    tiny_members["tiny-imagenet-200/val/images/val_0.JPEG"] = _jpeg(5)
    tiny_members["tiny-imagenet-200/test/images/test_0.JPEG"] = _jpeg(6)
    monkeypatch.setattr(src, "TINY_IMAGENET", _remote(server, "tiny", tiny_members,
                                                      ("tiny-imagenet-200/train", "tiny-imagenet-200/val")))
    files, label = src.source_files("tiny-imagenet", root=tmp_path, progress=False)
    assert label == "tiny-imagenet" and [f.name for f in files] == ["train", "val"]
    from colorkit.data.prepare import prepare

    rep = prepare(files, tmp_path / "prep", size=32, workers=1, progress=False)
    assert rep.images + len(rep.skipped) == 5  # train + val, not the test folder


def test_bad_remote_checksum_is_refused(server, tmp_path, monkeypatch):
    r = _remote(server, "val2017", {"val2017/a.jpg": _jpeg(0)}, ("val2017",))
    monkeypatch.setitem(src.COCO, "val2017", src.RemoteZip(r.name, r.url, r.size, "f" * 32, r.image_folders))
    with pytest.raises(ChecksumMismatchError):
        src.coco("val2017", root=tmp_path, progress=False)


def _fake_kaggle(monkeypatch, authenticate):
    mod = types.ModuleType("kaggle.api.kaggle_api_extended")

    class KaggleApi:
        def authenticate(self):
            authenticate()

    mod.KaggleApi = KaggleApi
    for name in ("kaggle", "kaggle.api"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "kaggle.api.kaggle_api_extended", mod)


@pytest.mark.parametrize("error", [SystemExit(1), OSError("Could not find kaggle.json"), ValueError("bad json")])
def test_kaggle_credential_errors(monkeypatch, tmp_path, error):
    def fail():
        raise error

    _fake_kaggle(monkeypatch, fail)
    with pytest.raises(src.SourceError) as e:
        src.kaggle(root=tmp_path, progress=False)
    msg = str(e.value)
    for needle in ("~/.kaggle/kaggle.json", "~/.config/kaggle", "KAGGLE_USERNAME", "KAGGLE_KEY"):
        assert needle in msg


def test_kaggle_real_client_without_credentials(monkeypatch, tmp_path):
    for var in ("KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_API_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "kcfg"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for name in list(sys.modules):
        if name == "kaggle" or name.startswith("kaggle."):
            monkeypatch.delitem(sys.modules, name)
    pytest.importorskip("kaggle.api.kaggle_api_extended")
    with pytest.raises(src.SourceError, match="KAGGLE_USERNAME"):
        src.kaggle_api()


def test_kaggle_uses_colour_folders_only(monkeypatch, tmp_path):
    members = {f"data/train_color/{i}.jpg": _jpeg(i) for i in range(2)}
    members.update({f"data/train_black/{i}.jpg": _jpeg(i) for i in range(2)})
    members["data/test_color/9.jpg"] = _jpeg(3)

    class Api:
        def dataset_download_files(self, ref, path, unzip, quiet):
            assert ref == src.KAGGLE_DATASET
            (tmp_path / "k.zip").write_bytes(_zip_bytes(members))
            import shutil

            shutil.copy(tmp_path / "k.zip", f"{path}/image-colorization-dataset.zip")

    monkeypatch.setattr(src, "kaggle_api", lambda: Api())
    folders = src.kaggle(root=tmp_path, progress=False)
    assert sorted(f.name for f in folders) == ["test_color", "train_color"]


def test_local_folder_and_samples(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.jpg").write_bytes(_jpeg(0))
    files, label = src.source_files(str(tmp_path / "a"))
    assert files == [tmp_path / "a"] and label == "folder-a"
    from colorkit.data.prepare import list_images

    assert [p.endswith("x.jpg") for p in list_images(tmp_path / "a")[0]] == [True]
    files, label = src.source_files("samples")
    assert label == "samples" and len(files) == 8
    with pytest.raises(src.SourceError, match="unknown source"):
        src.source_files(str(tmp_path / "nope"))


def test_is_online_respects_offline_switch(monkeypatch, server):
    monkeypatch.setenv("COLORKIT_OFFLINE", "1")
    assert src.is_online() is False
    monkeypatch.delenv("COLORKIT_OFFLINE")
    port = int(server.url.rsplit(":", 1)[1])
    assert src.is_online(host="127.0.0.1", port=port, timeout=1) is True
    assert src.is_online(host="127.0.0.1", port=1, timeout=0.5) is False


def test_kaggle_broken_install_names_the_missing_module(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *a, **k):
        if name.startswith("kaggle"):
            raise ModuleNotFoundError("No module named 'six'", name="six")
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(src.SourceError, match="pip install six"):
        src.kaggle_api()
