"""colorkit.data.dataset: normalized tensors, crops and flips, DataLoader workers, evaluation arrays."""
import pickle

import numpy as np
import pytest
import torch
from skimage.color import rgb2lab

from colorkit.data import prepare as P
from colorkit.data.dataset import ShardDataset, ab_values, load_split, make_loaders
from colorkit.data.samples import COLOR_SAMPLES, sample_paths


@pytest.fixture(scope="module")
def samples_root(tmp_path_factory):
    out = tmp_path_factory.mktemp("shards")
    P.prepare(sample_paths("color"), out, size=48, workers=1, progress=False)
    return out


def test_splits_cover_all_samples(samples_root):
    n = {s: len(ShardDataset(samples_root, s).rows) for s in ("train", "val", "test")}
    assert sum(n.values()) == len(COLOR_SAMPLES) and min(n.values()) >= 1


def test_item_shapes_and_values_against_skimage(samples_root):
    ds = ShardDataset(samples_root, "test", augment=False)
    L, ab = ds[0]
    assert L.shape == (1, 48, 48) and ab.shape == (2, 48, 48) and L.dtype == ab.dtype == torch.float32
    ev = load_split(samples_root, "test")
    rgb = ev.rgb()[0]
    lab = rgb2lab(rgb)  # independent reference: back to RGB and through scikit-image
    assert np.abs((L[0].numpy() + 1) * 50 - lab[..., 0]).mean() < 0.5
    assert np.abs(ab.numpy().transpose(1, 2, 0) * 110 - lab[..., 1:]).mean() < 1.0
    assert -1 <= L.min() and L.max() <= 1 and ab.abs().max() <= 127 / 110


def test_centre_crop_and_augment(samples_root):
    full = ShardDataset(samples_root, "train", augment=False)
    ev = ShardDataset(samples_root, "train", crop=32, augment=False)
    L_full, _ = full[0]
    assert torch.equal(ev[0][0], L_full[:, 8:40, 8:40])
    tr = ShardDataset(samples_root, "train", crop=32, augment=True, repeats=5)
    assert len(tr) == 5 * len(tr.rows)
    crops = {tuple(tr[0][0].flatten()[:50].tolist()) for _ in range(20)}
    assert len(crops) > 1  # different random crops/flips
    seeded = ShardDataset(samples_root, "train", crop=32, augment=True, seed=3)
    assert torch.equal(seeded[1][0], seeded[1][0])
    # every augmented crop is a window (maybe mirrored) of the stored image
    L_t, _ = tr[0]
    big = L_full[0].numpy()
    small = L_t[0].numpy()
    found = any(np.array_equal(w, small) or np.array_equal(w[:, ::-1], small)
                for y in range(17) for x in range(17) for w in [big[y:y + 32, x:x + 32]])
    assert found


def test_max_crop_is_a_random_scale_matching_pillows_antialiased_resize(samples_root):
    from PIL import Image

    full = ShardDataset(samples_root, "train", augment=False, repeats=20)
    seeded = ShardDataset(samples_root, "train", crop=32, augment=True, seed=0, max_crop=44, repeats=20)
    sides = {seeded._window(i)[2] for i in range(len(seeded))}
    assert len(sides) > 3 and min(sides) >= 32 and max(sides) <= 44
    i = next(i for i in range(len(seeded)) if seeded._window(i)[2] > 40)
    L_full = full[i][0][0].numpy()  # the same stored photo, 48x48, normalized
    y, x, side, flip = seeded._window(i)
    L_t, ab_t = seeded[i]
    assert L_t.shape == (1, 32, 32) and ab_t.shape == (2, 32, 32)
    window = L_full[y:y + side, x:x + side]
    window = window[:, ::-1] if flip else window
    ref = np.asarray(Image.fromarray(window.astype(np.float32), mode="F").resize((32, 32), Image.BILINEAR))
    assert np.abs(L_t[0].numpy() - ref).max() < 0.02  # torch's antialias follows Pillow's filter
    same = ShardDataset(samples_root, "train", crop=32, augment=True, seed=0)  # no max_crop: plain crops
    assert all(same._window(i)[2] == 32 for i in range(10))
    with pytest.raises(ValueError, match="max_crop"):
        ShardDataset(samples_root, "train", crop=32, max_crop=64)


def test_crop_larger_than_stored_is_clear(samples_root):
    with pytest.raises(ValueError, match="prepare with --size"):
        ShardDataset(samples_root, "train", crop=64)


def test_pickles_and_works_with_workers(samples_root):
    ds = ShardDataset(samples_root, "train", crop=32)
    ds[0]
    assert len(pickle.dumps(ds)) < 20_000  # no arrays inside
    dl = torch.utils.data.DataLoader(ds, batch_size=2, num_workers=2)
    batches = list(dl)
    assert sum(b[0].shape[0] for b in batches) == len(ds)


def test_make_loaders_smoke(samples_root):
    train, val = make_loaders(samples_root, "smoke")
    L, ab = next(iter(train))
    assert L.shape[1:] == (1, 32, 32) and ab.shape[1:] == (2, 32, 32)
    assert len(train) >= 8 and len(val) >= 1


def test_load_split_and_ab_values(samples_root):
    ev = load_split(samples_root, "test", crop=32)
    assert ev.L.shape[1:] == (32, 32) and ev.ab.shape[1:] == (32, 32, 2) and ev.rgb().dtype == np.uint8
    assert 0 <= ev.L.min() and ev.L.max() <= 100
    v = ab_values(samples_root, max_pixels=1000)
    assert v.shape[1] == 2 and v.dtype == np.float32


def test_missing_manifest_message(tmp_path):
    with pytest.raises(FileNotFoundError, match="prepare"):
        ShardDataset(tmp_path)


def test_course_data_smoke_offline_and_folder(tmp_path, capsys):
    from PIL import Image

    from colorkit.data import course_data
    from colorkit.data.samples import load_sample

    root = course_data("smoke", root=tmp_path, progress=False)
    assert len(P.read_manifest(root)) == len(COLOR_SAMPLES)
    assert course_data("smoke", root=tmp_path, progress=False) == root  # cached
    assert min(len(ShardDataset(root, s).rows) for s in ("train", "val", "test")) >= 1
    off = course_data("cpu", root=tmp_path, progress=False, online=False)
    assert "offline" in capsys.readouterr().out and len(P.read_manifest(off)) == len(COLOR_SAMPLES)
    photos = tmp_path / "mine"
    photos.mkdir()
    for i, name in enumerate(("astronaut", "coffee", "chelsea")):
        Image.fromarray(load_sample(name)).save(photos / f"{i}.png")
    mine = course_data("smoke", data=str(photos), root=tmp_path, progress=False)
    assert len(P.read_manifest(mine)) == 3
    assert course_data("cpu", data=str(mine), root=tmp_path, progress=False) == mine  # a prepared folder
    with pytest.raises(FileNotFoundError, match="DATA"):
        course_data("smoke", data=str(tmp_path / "nope"), root=tmp_path)


def test_augmentation_follows_torch_seed(samples_root):
    ds = ShardDataset(samples_root, "train", crop=32, augment=True)
    torch.manual_seed(5)
    a = [ds[0][0] for _ in range(4)]
    torch.manual_seed(5)
    b = [ds[0][0] for _ in range(4)]
    assert all(torch.equal(x, y) for x, y in zip(a, b))
