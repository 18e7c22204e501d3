"""colorkit.evaluate.baselines, colorkit.evaluate (+ the CLI) and colorkit.evaluate.gallery, offline on tiny data."""
import csv

import numpy as np
import pytest
import torch

from colorkit.evaluate import baselines as B
from colorkit.color import gray_copy, lab_to_rgb, rgb_to_lab


def _lab_image(L, a, b):
    return lab_to_rgb(np.stack(np.broadcast_arrays(np.float32(L), np.float32(a), np.float32(b)), -1), dtype=np.uint8)


def test_gray_copy_baseline_is_the_color_module_gray_copy():
    img = np.random.default_rng(0).integers(0, 256, (12, 12, 3)).astype(np.uint8)
    np.testing.assert_allclose(B.GrayCopy().colorize(img), gray_copy(img), atol=1e-6)


def test_mean_ab_and_lightness_lookup_closed_form():
    # two flat training photos: L=30 with ab=(20, 10), L=70 with ab=(-10, 30), half of the pixels each
    ramp = np.zeros((8, 8)); ramp[:, 4:] = 1
    train = _lab_image(30 + 40 * ramp, np.where(ramp, -10, 20), np.where(ramp, 30, 10))
    lab = rgb_to_lab(train)  # what the baselines actually see (8-bit rounding)
    mean = B.MeanAb().fit([train]).mean_ab
    np.testing.assert_allclose(mean, lab[..., 1:].reshape(-1, 2).mean(0), atol=1e-4)
    look = B.LightnessLookup().fit([train])
    pred = look.predict_ab(np.array([[30.0, 70.0]]))
    np.testing.assert_allclose(pred[0, 0], lab[0, 0, 1:], atol=1e-3)
    np.testing.assert_allclose(pred[0, 1], lab[0, -1, 1:], atol=1e-3)
    # an unseen lightness in between is interpolated linearly between the two seen bins
    mid = look.predict_ab(np.array([[50.0]]))[0, 0]
    L0, L1 = np.rint(lab[0, 0, 0]), np.rint(lab[0, -1, 0])
    w = (50 - L0) / (L1 - L0)
    np.testing.assert_allclose(mid, (1 - w) * lab[0, 0, 1:] + w * lab[0, -1, 1:], atol=1e-3)
    assert look.n_params == 202


def test_nearest_image_and_leave_one_out():
    rng = np.random.default_rng(1)
    imgs = [rng.integers(0, 256, (32, 32, 3)).astype(np.uint8) for _ in range(3)]
    nn_ = B.NearestImage().fit(imgs)
    # querying with a training image's own L returns (a resized copy of) its own ab
    lab = rgb_to_lab(imgs[1])
    got = nn_.predict_ab(lab[..., 0])
    import cv2

    small = cv2.resize(lab[..., 1:], (64, 64), interpolation=cv2.INTER_AREA)
    np.testing.assert_allclose(got, cv2.resize(small, (32, 32), interpolation=cv2.INTER_LINEAR), atol=1e-3)
    # leave-one-out never sees the image it predicts
    loo = B.NearestImage().fit_leave_one_out(imgs)
    assert len(loo) == 3 and all(len(m.thumbs) == 2 for m in loo)
    means = B.MeanAb().fit_leave_one_out(imgs)
    others = np.concatenate([rgb_to_lab(imgs[i])[..., 1:].reshape(-1, 2) for i in (0, 2)])
    np.testing.assert_allclose(means[1].mean_ab, others.mean(0), atol=1e-3)
    with pytest.raises(ValueError, match="at least one"):
        B.MeanAb().fit([])


@pytest.fixture(scope="module")
def photo_dir(tmp_path_factory):
    """Six small colour photos cut from the built-in samples, as PNG/JPEG files."""
    from PIL import Image

    from colorkit.data.samples import SAMPLE_NAMES, load_sample

    d = tmp_path_factory.mktemp("photos")
    for i, name in enumerate(SAMPLE_NAMES):
        img = load_sample(name)
        Image.fromarray(img[::6, ::6]).save(d / f"{name}.png")
        if i < 2:
            Image.fromarray(img[1::5, 1::5]).save(d / f"{name}_b.jpg", quality=95)
    (d / "notes.txt").write_text("not a photo")
    (d / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    return d


def _tiny_checkpoint(path, name="unet", **kwargs):
    from colorkit.checkpoint import FORMAT, save_checkpoint
    from colorkit.models import build

    torch.manual_seed(0)
    model = build(name, **kwargs)
    save_checkpoint({"format": FORMAT, "model": {"name": name, "kwargs": kwargs},
                     "state": {"generator": model.state_dict()}, "step": 0}, path)
    return sum(p.numel() for p in model.parameters())


def test_evaluate_cli_writes_table_with_gray_copy_first(photo_dir, tmp_path, capsys):
    from colorkit.cli import main

    ck = tmp_path / "unet.pt"
    n_params = _tiny_checkpoint(ck, "unet", base_width=4, depth=2)
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"not a checkpoint")
    out = tmp_path / "out"
    rc = main(["evaluate", str(photo_dir), "--checkpoint", str(ck), "--checkpoint", str(bad),
               "--size", "32", "--out", str(out), "--no-perceptual"])
    assert rc == 2 and not out.exists()  # the CLI refuses a file that is not a checkpoint before scoring
    assert "broken.pt is not a colorkit checkpoint" in capsys.readouterr().err
    rc = main(["evaluate", str(photo_dir), "--checkpoint", str(ck), "--size", "32", "--out", str(out),
               "--no-perceptual"])
    assert rc == 0
    printed = capsys.readouterr().out
    with open(out / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    names = [r["model"] for r in rows]
    assert names[0] == "gray copy" and "unet" in names and "broken" not in names
    assert set(names) >= {"mean ab", "L lookup", "nearest image"}
    unet = rows[names.index("unet")]
    assert int(unet["params"]) == n_params and float(unet["ms_per_image"]) > 0
    for col in ("de2000", "psnr", "ssim", "cf", "dcf", "mae_ab", "acc_de"):
        assert col in rows[0]
    assert (out / "results.md").read_text().startswith("| model |")
    per = (out / "per_image.csv").read_text().splitlines()
    assert len(per) == 1 + 6 * len(rows)  # 6 readable photos; the broken JPEG was skipped
    assert "leave-one-out" in (out / "notes.txt").read_text()
    # evaluate() itself notes a checkpoint it cannot load and scores the rest
    from colorkit.evaluate import evaluate

    ev = evaluate(photo_dir, {"broken": bad}, size=32, baselines=("gray copy",), perceptual=False, progress=False)
    assert "broken" not in ev.table.to_string() and any("broken" in n for n in ev.notes)
    assert printed.index("gray copy") < printed.index("unet")


def test_evaluate_gray_row_matches_metrics_and_classifier_row(photo_dir):
    from colorkit.evaluate import metrics as M
    from colorkit.evaluate import evaluate, load_images
    from colorkit.models import build

    torch.manual_seed(0)
    clf = build("unet_classifier", base_width=4, depth=2)
    ev = evaluate(photo_dir, {"unet_classifier": clf}, size=32, perceptual=False, keep_predictions=True,
                  progress=False, baselines=("gray copy", "mean ab"),
                  predict_kwargs={"unet_classifier": {"temperature": 1.0}})
    imgs, _ = load_images(photo_dir, 32)
    ref = M.score_images([gray_copy(i) for i in imgs], imgs)
    assert list(ev.table.index) == ["gray copy", "mean ab", "unet_classifier"]
    gray_row = ev.table.loc["gray copy"]
    # the pipeline's gray copy is rounded to 8 bits, the reference is float: tiny tolerance
    assert gray_row["de2000"] == pytest.approx(ref["de2000"], abs=0.05)
    assert gray_row["psnr"] == pytest.approx(ref["psnr"], abs=0.05)
    assert ev.table.loc["unet_classifier", "params"] == sum(p.numel() for p in clf.parameters())
    assert len(ev.preds["unet_classifier"]) == len(imgs)
    assert any("leave-one-out" in n for n in ev.notes)


@pytest.fixture(scope="module")
def cat():
    from colorkit.data.samples import load_sample

    return np.ascontiguousarray(load_sample("chelsea")[::4, ::4])


def _failures(true):
    """Each of Larsson et al.'s five failure modes, made on purpose from the truth."""
    import cv2

    lab = rgb_to_lab(true)
    rng = np.random.default_rng(0)
    out = {}
    d = lab.copy(); d[..., 1:] *= 0.3  # noqa: E702
    out["desaturated"] = d
    h = lab.copy()
    ang = rng.uniform(0, 2 * np.pi, lab.shape[:2]); C = np.hypot(lab[..., 1], lab[..., 2])  # noqa: E702
    h[..., 1], h[..., 2] = C * np.cos(ang), C * np.sin(ang)
    out["inconsistent_hue"] = h
    c = lab.copy()
    f = cv2.GaussianBlur(rng.uniform(0, 2, lab.shape[:2]).astype(np.float32), (0, 0), 1.5)
    c[..., 1:] *= np.clip((f - f.mean()) / f.std() * 0.5 + 1, 0, 3)[..., None]
    out["inconsistent_chroma"] = c
    b = lab.copy(); b[..., 1:] = cv2.GaussianBlur(lab[..., 1:], (0, 0), 4)  # noqa: E702
    out["color_bleeding"] = b
    e = lab.copy()
    edges = cv2.dilate(cv2.Canny(np.clip(lab[..., 0] * 2.55, 0, 255).astype(np.uint8), 50, 150), np.ones((3, 3))) > 0
    e[edges, 1] += 40  # a magenta halo along every lightness edge
    out["edge_pollution"] = e
    return {k: lab_to_rgb(v, dtype=np.uint8) for k, v in out.items()}


def test_failure_scores_recognize_each_mode(cat):
    from colorkit.evaluate import gallery as G

    perfect = G.failure_scores(cat, cat)
    assert all(perfect[m] == 0 for m in G.FAILURE_MODES) and perfect["de2000"] < 1e-3
    cases = _failures(cat)
    scores = {k: G.failure_scores(v, cat) for k, v in cases.items()}
    for mode, s in scores.items():
        assert max(G.FAILURE_MODES, key=lambda m: s[m]) == mode, (mode, s)
    # desaturation is the closed form 1 - 0.3 (up to 8-bit rounding and gamut clipping)
    assert scores["desaturated"]["desaturated"] == pytest.approx(0.7, abs=0.03)
    # the gray copy is purely desaturated, not "inconsistent" or "bleeding"
    g = G.failure_scores(gray_copy(cat), cat)
    assert g["desaturated"] == pytest.approx(1.0, abs=0.01) and g["inconsistent_hue"] == 0 and g["color_bleeding"] == 0


def test_gallery_table_worst_cases_and_plot(cat):
    import matplotlib

    matplotlib.use("Agg")
    from colorkit.evaluate import gallery as G
    from colorkit.evaluate import metrics as M

    cases = _failures(cat)
    truths = [cat] * 5
    preds = {"model": [cases[m] for m in G.FAILURE_MODES], "perfect": [cat] * 5}
    table = G.failure_table(preds, truths, names=list(G.FAILURE_MODES))
    assert len(table) == 10
    worst = G.worst_cases(table, "model", k=1)
    assert set(worst) == set(G.FAILURE_MODES)
    assert list(G.dominant_mode(table[table.model == "model"])) == list(G.FAILURE_MODES)
    fig = G.plot_gallery(preds["model"], truths, table, "model", k=1)
    assert len(fig.axes) >= 5 * 5
    # a model without failures has no worst cases; its gallery falls back to its worst image
    assert G.worst_cases(table, "perfect") == {m: [] for m in G.FAILURE_MODES}
    import matplotlib.pyplot as plt

    plt.close(G.plot_gallery(preds["perfect"], truths, table, "perfect"))
    with pytest.raises(ValueError, match="failure_table"):
        G.plot_gallery(preds["model"], truths, table, "unknown")
    # the heat map shows the metrics module's ΔE2000 map
    im = G.delta_e_heatmap(cases["desaturated"], cat, ax=fig.axes[3])
    np.testing.assert_allclose(im.get_array(), M.delta_e2000_map(cases["desaturated"], cat))
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_why_brown_lab_configs_share_one_budget():
    from colorkit.course import why_brown as W
    from colorkit.presets import get_preset

    for preset in ("smoke", "cpu"):
        cfgs = W.lab_configs(preset, "/tmp/unused")
        assert list(cfgs) == ["L2", "L1", "classification", "GAN"]
        same = {(c.max_steps, c.max_minutes, c.seed, c.batch_size, c.model_kwargs.get("base_width"),
                 c.model_kwargs.get("depth")) for c in cfgs.values()}
        assert len(same) == 1
        assert cfgs["L2"].loss == "l2" and cfgs["L1"].loss == "l1"
        assert cfgs["classification"].model == "unet_classifier" and cfgs["GAN"].objective == "gan"
    assert W.lab_budget("cpu")["max_minutes"] * 4 < 15  # the four variants fit the lesson's 15 minutes
    assert W.lab_budget("smoke")["max_steps"] == get_preset("smoke").max_steps


def test_why_brown_table_and_temperature_sweep(cat):
    from colorkit.evaluate import metrics as M
    from colorkit.course import why_brown as W
    from colorkit.models import build

    truths = [cat[:32, :32], cat[32:64, 32:64]]
    torch.manual_seed(0)
    clf = build("unet_classifier", base_width=4, depth=2).eval()
    table, preds = W.lab_table({"mean ab": B.MeanAb().fit([cat]), "classification": clf}, truths)
    assert list(table.index) == ["gray copy", "mean ab", "classification", "truth"]
    assert table.loc["truth", "de2000"] == 0 and table.loc["gray copy", "cf"] < 0.5
    assert table.loc["truth", "cf"] == pytest.approx(np.mean([M.colorfulness(t) for t in truths]))
    sweep = W.temperature_sweep(clf, truths, temperatures=(1.0, 0.38))
    assert sweep.loc[0.38, "de2000"] == pytest.approx(table.loc["classification", "de2000"], abs=1e-6)


def test_evaluate_prepared_folder_scores_test_split_and_fits_on_train(tmp_path, monkeypatch):
    from PIL import Image

    from colorkit.data.prepare import prepare, read_manifest
    from colorkit.evaluate import evaluate, find_prepared, load_images

    rng = np.random.default_rng(0)
    src = tmp_path / "src"
    src.mkdir()
    for i in range(20):  # smooth random colour fields: distinct, colourful, not grayscale
        small = rng.integers(0, 256, (4, 4, 3)).astype(np.uint8)
        Image.fromarray(small).resize((40, 40), Image.BILINEAR).save(src / f"p{i:02d}.png")
    out = tmp_path / "data" / "prepared" / "mine-32-crop"
    prepare(src, out, size=32, workers=1, progress=False)
    rows = read_manifest(out)
    n_test = sum(r["split"] == "test" for r in rows)
    imgs, names = load_images(out, 32, split="test")
    assert len(imgs) == n_test > 0 and imgs[0].shape == (32, 32, 3)
    ev = evaluate(out, {}, size=32, perceptual=False, progress=False, baselines=("gray copy", "mean ab"))
    assert list(ev.table.index) == ["gray copy", "mean ab"]
    assert not any("leave-one-out" in n for n in ev.notes)  # fitted on the train split instead
    assert len(ev.per_image) == 2 * n_test
    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path))
    assert find_prepared(32) == out and find_prepared(24) == out and find_prepared(64) is None
    # a smaller evaluation size scores centre crops of the stored images (as colorkit.data.dataset does)
    from colorkit.data.dataset import load_split

    crops, _ = load_images(out, 24, split="test")
    ref = load_split(out, "test", crop=24).rgb()
    np.testing.assert_array_equal(np.stack(crops), ref)
    from colorkit.evaluate import course_eval_source
    from colorkit.presets import get_preset

    assert course_eval_source(get_preset("smoke"), str(out)) == out  # a prepared DATA folder is used as is


def test_lab_summary_and_batched_sweep_match_direct_scoring(cat):
    from colorkit.course import why_brown as W
    from colorkit.evaluate import evaluate
    from colorkit.models import build

    truths = [cat[:32, :32], cat[32:64, 32:64], cat[:32, 40:72]]
    torch.manual_seed(0)
    clf = build("unet_classifier", base_width=4, depth=2).eval()
    ev = evaluate(truths, {"lab classification": clf}, size=32, perceptual=False, progress=False,
                  baselines=("gray copy",))
    summary = W.lab_summary(ev.table, truths)
    direct, _ = W.lab_table({"classification": clf}, truths)
    assert list(summary.index) == list(direct.index) == ["gray copy", "classification", "truth"]
    np.testing.assert_allclose(summary.values.astype(float), direct.values.astype(float), rtol=1e-6)
    sweep = W.temperature_sweep(clf, truths, temperatures=(1.0, 0.38), batch_size=2)
    for t in (1.0, 0.38):  # batched decoding = one image at a time through predict_ab
        one = W.lab_table({"c": clf}, truths, {"c": {"temperature": t}})[0].loc["c"]
        assert sweep.loc[t, "de2000"] == pytest.approx(one["de2000"], abs=1e-4)
        assert sweep.loc[t, "cf"] == pytest.approx(one["cf"], abs=1e-3)


def test_course_eval_source_prepares_a_photo_folder_with_a_split(photo_dir, tmp_path, monkeypatch):
    from colorkit.evaluate import course_eval_source, is_prepared, load_images
    from colorkit.presets import get_preset

    monkeypatch.setenv("COLORKIT_HOME", str(tmp_path))
    smoke = get_preset("smoke")
    builtin = course_eval_source(smoke)  # nothing prepared: the built-in photos, prepared with a split
    assert is_prepared(builtin) and str(builtin).startswith(str(tmp_path))
    rows = list(csv.DictReader(open(builtin / "manifest.csv")))
    train_src = {r["source"] for r in rows if r["split"] == "train"}
    test_src = {r["source"] for r in rows if r["split"] == "test"}
    assert train_src and test_src and not train_src & test_src  # no scored photo is trained on
    src = course_eval_source(smoke, str(photo_dir))
    assert is_prepared(src) and str(src).startswith(str(tmp_path))
    train, _ = load_images(src, smoke.image_size, split="train")
    test, _ = load_images(src, smoke.image_size, split="test")
    assert len(train) + len(test) <= 6 and len(train) > 0  # the broken JPEG is skipped, the rest split


def test_checkpoint_names_never_collide():
    from colorkit.evaluate import checkpoint_names

    names = checkpoint_names(["runs/a/L2/last.pt", "runs/a/GAN/last.pt", "x/unet.pt", "y/L2/last.pt"])
    assert list(names) == ["L2/last", "GAN/last", "unet", "L2/last (2)"]
    assert names["unet"] == "x/unet.pt"


@pytest.mark.parametrize("preset", ["cpu", "gpu"])
def test_classifier_has_the_regression_unets_body(preset):
    """The "why is it brown?" lab compares losses, so both models must share the body (stem included)."""
    from colorkit.models import build
    from colorkit.train import TrainConfig

    clf = build("unet_classifier", **TrainConfig.from_preset(preset, model="unet_classifier").model_kwargs)
    reg = build("unet", **TrainConfig.from_preset(preset, model="unet").model_kwargs)
    body = lambda m: {k: tuple(v.shape) for k, v in m.state_dict().items() if not k.startswith("head.")}  # noqa: E731
    assert body(clf.body) == body(reg) and clf.body.stem == reg.stem == "half"
