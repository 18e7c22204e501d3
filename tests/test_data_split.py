"""colorkit.data.split: deterministic 60/20/20 by content hash."""
import hashlib
import warnings

import pytest

from colorkit.data.split import assign_splits, bucket, content_hash, split_indices, split_of


def _hashes(n, salt="x"):
    return [hashlib.sha256(f"{salt}{i}".encode()).hexdigest() for i in range(n)]


def test_content_hash_is_sha256():
    assert content_hash(b"abc") == hashlib.sha256(b"abc").hexdigest()


def test_fractions_close_to_60_20_20():
    hs = _hashes(20000)
    s = [split_of(h) for h in hs]
    for name, frac in (("train", 0.6), ("val", 0.2), ("test", 0.2)):
        assert abs(s.count(name) / len(s) - frac) < 0.015


def test_bucket_boundaries():
    # the first 8 hex digits decide: 0 -> train, 60 -> val, 80 -> test, 99 -> test
    assert split_of(f"{0:08x}" + "0" * 56) == "train"
    assert split_of(f"{60:08x}" + "0" * 56) == "val"
    assert split_of(f"{79:08x}" + "0" * 56) == "val"
    assert split_of(f"{80:08x}" + "0" * 56) == "test"
    assert bucket(f"{199:08x}") == 99


def test_adding_images_never_moves_old_ones():
    hs = _hashes(500)
    before = assign_splits(hs)
    after = assign_splits(hs + _hashes(300, "new"))
    assert after[:500] == before


def test_duplicates_same_split():
    hs = _hashes(100)
    s = assign_splits(hs + hs[:30])
    assert s[100:] == s[:30]


def test_small_datasets_never_have_empty_val_test():
    for n in range(3, 12):
        for salt in "abcdefgh":
            s = assign_splits(_hashes(n, salt))
            assert {"train", "val", "test"} <= set(s) or n < 3, (n, salt, s)
            assert s.count("train") >= 1


def test_tiny_dataset_fallback_warns():
    s = assign_splits(_hashes(2))
    assert s == ["train", "train"]
    with pytest.warns(UserWarning, match="NOT held-out"):
        assert split_indices(s, "test") == [0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert split_indices(["train", "val", "test"], "val") == [1]
    with pytest.raises(ValueError):
        split_indices(s, "validation")
