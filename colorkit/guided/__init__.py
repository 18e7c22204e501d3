"""User-guided colorization: a few colour hints clicked on a photo, and the ways to spread them.

Introduced in notebook ``08_user_guided``. :mod:`.hints` holds the hint format (a position as fractions of
the photo's width and height, an sRGB colour whose a*b* is used, an optional patch radius) and its JSON file;
:mod:`.simulate` the one simulated user (after Zhang et al. 2017) shared by training, benchmarks, tests and the
lesson; :mod:`.levin` the optimisation of Levin, Lischinski & Weiss 2004; :mod:`.propagate` a cheap
differentiable spreading of the hints that the hint network (:mod:`colorkit.models.unet_hints`) starts from.
"""
