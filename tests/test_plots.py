"""Tests de tp2_src.plots : les courbes tracées sont celles des journaux."""

from __future__ import annotations

import matplotlib.pyplot as plt

from tp2_src.plots import plot_losses

RUN = {
    "loss/train": ([0, 1, 2], [3.0, 2.0, 1.0]),
    "loss/test": ([0, 1, 2], [4.0, 3.0, 2.5]),
    "progress/steps": ([0, 1, 2], [0.0, 10.0, 20.0]),
}


def test_plots_each_series_against_epochs_or_another_tag() -> None:
    fig, ax = plt.subplots()
    plot_losses(ax, {"a": RUN, "b": RUN})
    assert len(ax.lines) == 4
    assert list(ax.lines[0].get_xdata()) == [0, 1, 2]
    assert list(ax.lines[1].get_ydata()) == [4.0, 3.0, 2.5]
    plt.close(fig)
    fig, ax = plt.subplots()
    plot_losses(ax, {"a": RUN}, x_tag="progress/steps", logy=False)
    assert list(ax.lines[0].get_xdata()) == [0.0, 10.0, 20.0]
    assert ax.get_xlabel() == "pas de gradient"
    plt.close(fig)


def test_log_x_drops_the_zero_abscissa() -> None:
    fig, ax = plt.subplots()
    plot_losses(ax, {"a": RUN}, x_tag="progress/steps", logx=True)
    assert list(ax.lines[0].get_xdata()) == [10.0, 20.0]
    assert ax.get_xscale() == "log"
    plt.close(fig)
