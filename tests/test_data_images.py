"""colorkit.data.images: robust reading, checked against Pillow/scikit-image references."""
import io

import numpy as np
import pytest
from PIL import Image

from colorkit.data.images import ImageReadError, image_size, load_l, load_rgb, load_rgb_with_size
from colorkit.data.problem_photos import write_problem_photos
from colorkit.data.samples import load_sample, sample_path


def test_plain_png_matches_pillow():
    ref = np.asarray(Image.open(sample_path("astronaut")).convert("RGB"))
    got = load_rgb(sample_path("astronaut"))
    assert got.dtype == np.uint8 and got.shape == ref.shape
    assert np.array_equal(got, ref)


def test_bytes_and_file_objects():
    data = sample_path("coffee").read_bytes()
    assert np.array_equal(load_rgb(data), load_rgb(io.BytesIO(data)))


def test_problem_files(tmp_path):
    expected = write_problem_photos(tmp_path)
    for name, outcome in expected.items():
        if outcome in ("ok", "grayscale", "too_small", "duplicate"):
            a = load_rgb(tmp_path / name)
            assert a.dtype == np.uint8 and a.ndim == 3 and a.shape[2] == 3, name
        elif outcome == "unreadable":
            with pytest.raises(ImageReadError) as e:
                load_rgb(tmp_path / name)
            assert e.value.reason and str(tmp_path / name) in str(e.value)


def test_reasons_are_specific(tmp_path):
    write_problem_photos(tmp_path)
    reasons = {}
    for name in ("truncated.jpg", "empty.jpg", "text_named.jpg", "bomb.png", "bomb_81mp.png"):
        with pytest.raises(ImageReadError) as e:
            load_rgb(tmp_path / name)
        reasons[name] = e.value.reason
    assert "truncated" in reasons["truncated.jpg"]
    assert "empty" in reasons["empty.jpg"]
    assert "not an image" in reasons["text_named.jpg"]
    assert "bomb" in reasons["bomb.png"] and "bomb" in reasons["bomb_81mp.png"]
    assert "60 MP" in reasons["bomb_81mp.png"]  # our limit, checked before decoding


def test_exif_rotation(tmp_path):
    write_problem_photos(tmp_path)
    plain = np.asarray(Image.open(tmp_path / "exif_rotated.jpg").convert("RGB"))
    got, size = load_rgb_with_size(tmp_path / "exif_rotated.jpg")
    # orientation 6 = rotate 90 degrees clockwise for display (PIL's transpose ROTATE_270)
    assert got.shape == (plain.shape[1], plain.shape[0], 3)
    assert np.array_equal(got, np.rot90(plain, k=-1))
    assert size == (got.shape[1], got.shape[0])


def test_alpha_composited_on_white(tmp_path):
    write_problem_photos(tmp_path)
    a = load_rgb(tmp_path / "rgba.png")
    assert (a[:10] == 255).all()  # the transparent band
    p = load_rgb(tmp_path / "palette_transparent.png")
    assert (p[:10] == 255).all()


def test_cmyk_and_16bit_close_to_rgb(tmp_path):
    write_problem_photos(tmp_path)
    cmyk = load_rgb(tmp_path / "cmyk.jpg").astype(float)
    ref = np.asarray(Image.fromarray(load_sample("chelsea")).resize((144, 96))).astype(float)
    assert np.abs(cmyk - ref).mean() < 8  # JPEG loss only
    g16 = load_rgb(tmp_path / "sixteen_bit_gray.png")
    assert np.abs(g16[..., 0].astype(float) - ref[..., 1]).max() <= 1  # 16-bit scaled, not clipped
    c16 = load_rgb(tmp_path / "sixteen_bit_color.png").astype(float)
    assert np.abs(c16 - ref).max() <= 1


def test_draft_decodes_smaller_but_not_below_request():
    big = Image.fromarray(load_sample("astronaut")).resize((2048, 1536))
    buf = io.BytesIO()
    big.save(buf, "JPEG", quality=90)
    a, size = load_rgb_with_size(buf.getvalue(), draft=(256, 256))
    assert size == (2048, 1536)
    assert min(a.shape[:2]) >= 256 and a.shape[:2] == (384, 512)  # 1/4 scale


def test_load_l_matches_skimage():
    from skimage.color import rgb2lab

    rgb = load_sample("coffee")
    assert np.abs(load_l(sample_path("coffee")) - rgb2lab(rgb)[..., 0]).max() < 1e-3


def test_image_size_header_only(tmp_path):
    write_problem_photos(tmp_path)
    assert image_size(tmp_path / "good.jpg") == (96, 96)
    with pytest.raises(ImageReadError):
        image_size(tmp_path / "text_named.jpg")


@pytest.mark.parametrize("orientation", range(1, 9))
def test_all_exif_orientations_match_pillow(tmp_path, orientation):
    from PIL import ImageOps

    exif = Image.Exif()
    exif[0x0112] = orientation
    im = Image.fromarray(load_sample("chelsea")[:60, :90])
    im.save(tmp_path / "o.jpg", quality=95, exif=exif.tobytes())
    ref = np.asarray(ImageOps.exif_transpose(Image.open(tmp_path / "o.jpg")).convert("RGB")).astype(int)
    got = load_rgb(tmp_path / "o.jpg").astype(int)
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() <= 2  # OpenCV and Pillow builds of libjpeg may round differently


def test_pixel_limit_is_ours_below_pillows_hard_limit(tmp_path):
    from colorkit.data.problem_photos import bomb_png_header

    (tmp_path / "b.png").write_bytes(bomb_png_header(10_000, 10_000))  # 100 MP: above Pillow's warning level
    with pytest.raises(ImageReadError, match="60 MP"):
        load_rgb(tmp_path / "b.png")
    with pytest.raises(ImageReadError, match="bomb"):  # no limit of ours: Pillow's warning is an error
        load_rgb(tmp_path / "b.png", max_pixels=None)
