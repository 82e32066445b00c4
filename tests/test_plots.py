"""Tests de tp2_src.plots : les courbes tracées sont celles des journaux."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from tp2_src.plots import legend_below, plot_losses

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


@pytest.mark.parametrize("curves", [2, 8])
def test_legend_below_sits_just_under_the_axes(curves: int) -> None:
    """La légende commune ne chevauche pas les graduations ni le titre d'axe, sans grand vide."""
    fig, axes = plt.subplots(1, 2, figsize=(7, 4.2))
    for i in range(curves):
        for ax in axes:
            ax.plot([1, 2, 3], [i, i + 1, i + 3], label=f"courbe {i} — apprentissage")
            ax.set_xlabel("époque")
    legend_below(fig, axes[0])
    assert all(ax.get_legend() is None for ax in axes) and len(fig.legends) == 1
    renderer = fig.canvas.get_renderer()
    legend_top = fig.legends[0].get_window_extent(renderer).y1
    gap = min(ax.get_tightbbox(renderer).y0 for ax in axes) - legend_top
    assert 0 <= gap <= 0.2 * fig.dpi, f"{gap:.1f} px entre les axes et la légende"
    plt.close(fig)
