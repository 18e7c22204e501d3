"""colorkit.evaluate.paper_protocol and `colorkit evaluate --protocol paper`, offline.

Randomly initialised networks stand in for the ImageNet weights in these tests only: the code under
test never builds a metric network without its weights.
"""
import csv
import math
import os

import numpy as np
import pytest
import torch

from colorkit.evaluate import metrics as M
from colorkit.evaluate import paper_protocol as P


@pytest.fixture
def empty_hub(tmp_path, monkeypatch):
    """torch hub pointing at an empty folder, downloads off: every weight file is missing."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("COLORKIT_ALLOW_DOWNLOAD", "0")
    monkeypatch.delenv("COLORKIT_FID_WEIGHTS", raising=False)
    monkeypatch.setattr("colorkit.runtime.in_colab", lambda: False)
    folder = tmp_path / "torch" / "hub" / "checkpoints"
    assert M._hub_file("x").parent == folder
    return folder


def _random_inception():
    import torchvision

    torch.manual_seed(0)
    return torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False)


@pytest.fixture
def random_networks(monkeypatch):
    """Random Inception-v3 / LPIPS-VGG in place of the weight loaders (tests only)."""
    from torchmetrics.functional.image.lpips import _LPIPS

    monkeypatch.setattr(P, "load_inception", lambda device="cpu": (P.InceptionPool3(_random_inception()).eval(), None))
    monkeypatch.setattr(P, "load_lpips_vgg",
                        lambda device="cpu": (_LPIPS(pretrained=True, net="vgg", pnet_rand=True).eval(), None))


def _photos(n, size=48, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (size, size + 8, 3)).astype(np.uint8) for _ in range(n)]


def test_preprocess_is_centre_crop_then_256_like_pil():
    from PIL import Image

    rng = np.random.default_rng(3)
    for h, w in ((300, 451), (517, 320), (256, 256), (100, 140)):
        img = rng.integers(0, 256, (h, w, 3)).astype(np.uint8)
        s = min(h, w)
        top, left = int(round((h - s) / 2)), int(round((w - s) / 2))
        ref = Image.fromarray(img).crop((left, top, left + s, top + s)).resize((256, 256), Image.BILINEAR)
        got = P.preprocess(img)
        assert got.shape == (256, 256, 3) and got.dtype == np.uint8
        np.testing.assert_array_equal(got, np.asarray(ref))


def test_colorfulness_on_absolute_values_closed_form():
    # half the pixels (200, 100, 0), half (100, 200, 0): |R-G| = 100 and |(R+G)/2-B| = 150 everywhere,
    # so both stds are 0 and CF = 0.3 * sqrt(100^2 + 150^2); the signed version gives 100 + 0.3 * 150
    img = np.zeros((4, 4, 3), np.uint8)
    img[:, :2] = (200, 100, 0)
    img[:, 2:] = (100, 200, 0)
    assert P.colorfulness_abs(img) == pytest.approx(0.3 * math.hypot(100, 150), abs=1e-9)
    assert M.colorfulness(img) == pytest.approx(100 + 0.3 * 150, rel=1e-6)  # float32 path
    # a two-valued |R-G| (0 and 60, yb 0 and 30): stds 30 and 15, means 30 and 15
    img2 = np.zeros((2, 2, 3), np.uint8)
    img2[0] = (60, 0, 0)
    assert P.colorfulness_abs(img2) == pytest.approx(math.hypot(30, 15) + 0.3 * math.hypot(30, 15), abs=1e-9)
    assert P.colorfulness_abs(np.full((5, 5, 3), 77, np.uint8)) == 0.0


def test_missing_weights_are_unavailable_naming_the_file(empty_hub):
    net, why = P.load_inception()
    assert net is None and "inception_v3_google-0cc3c7bd.pth" in why and str(empty_hub) in why
    net, why = P.load_lpips_vgg()
    assert net is None and "vgg16-397923af.pth" in why and str(empty_hub) in why
    scorer = P.PaperScorer(_photos(3))
    means, per = scorer.score(_photos(3, seed=1))
    assert math.isnan(means["fid"]) and math.isnan(means["lpips_vgg"]) and np.isfinite(means["cf"])
    notes = "\n".join(scorer.notes)
    assert notes.startswith(P.NOTE) and "fid: unavailable" in notes and "lpips_vgg: unavailable" in notes
    assert "inception_v3_google-0cc3c7bd.pth" in notes and "vgg16-397923af.pth" in notes


def test_inception_weights_in_the_hub_are_loaded_with_weights_only(empty_hub):
    empty_hub.mkdir(parents=True)
    torch.save(_random_inception().state_dict(), empty_hub / P.INCEPTION_FILES[1])  # the older file name
    net, why = P.load_inception()
    assert why is None and isinstance(net, P.InceptionPool3)
    feats = P.inception_pool3(net, _photos(2, size=40))
    assert feats.shape == (2, 2048) and np.isfinite(feats).all()


def test_paper_scores_are_finite_with_networks(random_networks):
    truths, preds = _photos(3), _photos(3, seed=1)
    scorer = P.PaperScorer(truths)
    assert scorer.notes == [P.NOTE]
    means, per = scorer.score(preds)
    for k in ("fid", "lpips_vgg", "cf", "delta_cf", "psnr"):
        assert np.isfinite(means[k]), k
    assert means["fid"] > 0 and len(per) == 3 and set(per[0]) == {"psnr", "cf", "lpips_vgg"}
    assert means["delta_cf"] == pytest.approx(abs(means["cf"] - np.mean([P.colorfulness_abs(t) for t in truths])))
    same, _ = scorer.score(truths)
    assert abs(same["fid"]) < 1e-3 and same["lpips_vgg"] == pytest.approx(0, abs=1e-6) and same["delta_cf"] == 0


def test_evaluate_paper_protocol_labels_its_table(random_networks):
    from colorkit.evaluate import evaluate

    ev = evaluate("samples", limit=2, baselines=("gray copy",), protocol="paper", progress=False)
    assert list(ev.table.columns) == list(P.TABLE_COLUMNS) and (ev.table["protocol"] == "paper").all()
    row = ev.table.loc["gray copy"]
    assert np.isfinite(row["fid"]) and np.isfinite(row["lpips_vgg"]) and 0 <= row["cf"] < 0.5  # 8-bit noise: |.| keeps it
    assert ev.notes[0] == P.NOTE and ev.markdown().startswith(f"**{P.NOTE}**")
    with pytest.raises(ValueError, match="protocol"):
        evaluate("samples", protocol="papers")


def test_low_rank_fid_equals_the_sqrtm_formula():
    rng = np.random.default_rng(0)
    for n1, n2, d in ((5, 7, 8), (30, 12, 64)):
        f1, f2 = rng.normal(size=(n1, d)), rng.normal(size=(n2, d)) * 2 + 0.5
        ref = M.frechet_distance(f1.mean(0), np.cov(f1, rowvar=False), f2.mean(0), np.cov(f2, rowvar=False))
        assert M.fid_from_features(f1, f2) == pytest.approx(ref, rel=1e-6)


@pytest.mark.parametrize("name", M.FID_WEIGHT_NAMES)
def test_fid_weights_under_either_name_compute_fid(name, empty_hub, monkeypatch):
    """Issue 16: the FID Inception weights under pytorch-fid's or torch-fidelity's file name are used."""
    import torch_fidelity.feature_extractor_inceptionv3 as fe

    with monkeypatch.context() as m:  # a randomly initialised FID Inception, only to get a valid state dict
        m.setattr(fe, "load_state_dict_from_url", lambda *a, **k: {})
        m.setattr(fe.FeatureExtractorInceptionV3, "load_state_dict", lambda self, *a, **k: None)
        torch.manual_seed(0)
        state = fe.FeatureExtractorInceptionV3("inception-v3-compat", ["2048"]).state_dict()
    empty_hub.mkdir(parents=True)
    torch.save(state, empty_hub / name)
    assert M.fid_weights_path() == empty_hub / name
    assert M.perceptual_status()["fid"] == "available"
    fk = M.fid_kid(_photos(3), _photos(3, seed=1))
    assert fk["fid"].available and np.isfinite(fk["fid"].value), fk["fid"].reason


def test_cli_paper_protocol_on_samples_labels_output(empty_hub, tmp_path, capsys):
    from colorkit.cli import main

    out = tmp_path / "out"
    assert main(["evaluate", "samples", "--protocol", "paper", "--limit", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert P.NOTE in printed and "paper protocol)" in printed
    with open(out / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["model"] == "gray copy" and all(r["protocol"] == "paper" for r in rows)
    assert {"fid", "lpips_vgg", "cf", "delta_cf", "psnr"} <= set(rows[0])
    assert (out / "results.md").read_text().startswith(f"**{P.NOTE}**")
    notes = (out / "notes.txt").read_text()
    assert notes.startswith(P.NOTE) and "inception_v3_google-0cc3c7bd.pth" in notes and "vgg16-397923af.pth" in notes
    assert len((out / "per_image.csv").read_text().splitlines()) == 1 + 3 * len(rows)
    assert not empty_hub.exists() or not os.listdir(empty_hub)  # nothing was downloaded
