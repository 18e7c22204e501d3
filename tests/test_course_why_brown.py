import numpy as np


def test_l1_l2_toy_minimizers_are_the_mean_and_the_median():
    from colorkit.course.why_brown import l1_l2_toy

    toy = l1_l2_toy()
    step = toy["grid"][1] - toy["grid"][0]
    x = toy["samples"]
    # closed forms: argmin E(x-c)^2 = mean, argmin E|x-c| = median
    assert abs(toy["l2_best"] - np.mean(x)) <= step and abs(toy["l1_best"] - np.median(x)) <= step
    # the mixture's mean 0.4 * -40 + 0.6 * 50 = 14: between the modes, where almost no pixel is
    assert abs(toy["mean"] - 14) < 1.5 and (np.abs(x - toy["mean"]) < 10).mean() < 0.02
    assert toy["median"] > 40  # the majority colour


def test_plot_l1_l2_toy_marks_both_answers():
    import matplotlib

    matplotlib.use("Agg")
    from colorkit.course.why_brown import plot_l1_l2_toy

    import matplotlib.pyplot as plt

    _, axes = plt.subplots(1, 2)
    toy = plot_l1_l2_toy(axes=axes)
    xs = sorted(line.get_xdata()[0] for line in axes[0].get_lines())
    assert xs == sorted([toy["l2_best"], toy["l1_best"]])
