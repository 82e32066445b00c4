"""Tests de tp2_src.training : un module appris par un optimiseur (chapitres 4 et 5).

``fit`` doit faire exactement la boucle écrite en clair (mêmes mini-batchs, mêmes pas,
mêmes paramètres), mesurer chaque jeu à chaque époque (l'époque 0 est le modèle
initial) et le journaliser ; ``evaluate`` mesure sans graphe, en mode évaluation. Les
entrées invalides sont dans ``test_bad_input.py``.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from tp2_src.checks.grading import RecordingWriter
from tp2_src.training import check_fit, evaluate, fit, predict


def test_fit_recovers_a_linear_model(synthetic) -> None:
    X_tr, y_tr, X_te, y_te, w_true = synthetic
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    history = fit(
        model,
        torch.optim.SGD(model.parameters(), lr=0.1),
        X_tr,
        y_tr,
        evals={"test": (X_te, y_te)},
        num_epochs=30,
        batch_size=16,
    )
    torch.testing.assert_close(model.weight.detach()[0], w_true, atol=0.01, rtol=0)
    assert model.bias.item() == pytest.approx(1.5, abs=0.01)
    assert set(history) == {"train", "test"}
    assert all(len(values) == 31 for values in history.values())  # époques 0 à 30
    assert history["test"][-1] < 1e-3 < history["test"][0]


def test_fit_is_the_loop_written_out(synthetic) -> None:
    """Mêmes mini-batchs (DataLoader mélangé par la graine), un pas par mini-batch,
    gradients remis à zéro : les paramètres de la boucle en clair, au bit près."""
    X_tr, y_tr, *_ = synthetic
    models = []
    for _ in range(2):
        torch.manual_seed(0)
        models.append(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1)))
    ours, by_hand = models
    fit(
        ours,
        torch.optim.Adam(ours.parameters(), lr=0.01),
        X_tr,
        y_tr,
        evals={},
        num_epochs=3,
        batch_size=32,
        seed=7,
    )
    optimizer = torch.optim.Adam(by_hand.parameters(), lr=0.01)
    loader = DataLoader(
        TensorDataset(X_tr, y_tr), batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(7)
    )
    for _ in range(3):
        for X, y in loader:
            optimizer.zero_grad()
            nn.functional.mse_loss(by_hand(X).squeeze(1), y).backward()
            optimizer.step()
    for a, b in zip(ours.parameters(), by_hand.parameters(), strict=True):
        assert torch.equal(a, b)


def test_one_step_per_mini_batch_each_from_fresh_gradients(synthetic) -> None:
    X_tr, y_tr, *_ = synthetic  # 150 exemples : 4 mini-batchs de 40 (le dernier de 30)
    model = nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    seen = []

    def before_step(opt, args, kwargs) -> None:
        # Le gradient du pas est celui du mini-batch courant seul : pas d'accumulation.
        X, y = batches.pop(0)
        with torch.enable_grad():
            cost = nn.functional.mse_loss(model(X).squeeze(1), y)
            expected = torch.autograd.grad(cost, model.weight)[0]
        seen.append(torch.allclose(model.weight.grad, expected, rtol=1e-5, atol=1e-7))

    loader = DataLoader(
        TensorDataset(X_tr, y_tr), batch_size=40, shuffle=True, generator=torch.Generator().manual_seed(0)
    )
    batches = [batch for _ in range(2) for batch in loader]  # les mini-batchs de fit
    optimizer.register_step_pre_hook(before_step)
    fit(model, optimizer, X_tr, y_tr, evals={}, num_epochs=2, batch_size=40, seed=0)
    assert len(seen) == 2 * math.ceil(150 / 40) and all(seen)


def test_same_seed_same_costs_other_seed_other_batches(synthetic) -> None:
    X_tr, y_tr, X_te, y_te, _ = synthetic
    runs = []
    for seed in (5, 5, 6):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
        runs.append(
            fit(
                model,
                torch.optim.Adam(model.parameters(), lr=0.01),
                X_tr,
                y_tr,
                evals={"test": (X_te, y_te)},
                num_epochs=3,
                batch_size=8,
                seed=seed,
            )
        )
    assert runs[0] == runs[1]
    assert runs[0]["train"][0] == runs[2]["train"][0] and runs[0] != runs[2]


def test_every_set_is_measured_and_logged_at_every_epoch(synthetic) -> None:
    X_tr, y_tr, X_te, y_te, _ = synthetic
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    initial = evaluate(model, X_tr[100:], y_tr[100:])
    writer = RecordingWriter()
    history = fit(
        model,
        torch.optim.SGD(model.parameters(), lr=0.05),
        X_tr[:100],
        y_tr[:100],
        evals={"val": (X_tr[100:], y_tr[100:]), "test": (X_te, y_te)},
        num_epochs=4,
        batch_size=10,
        writer=writer,
    )
    assert list(history) == ["train", "val", "test"]
    assert history["val"][0] == initial  # l'époque 0 : le modèle initial
    assert history["val"][-1] == evaluate(model, X_tr[100:], y_tr[100:])
    for name, values in history.items():
        assert writer.scalars[f"loss/{name}"] == list(enumerate(values))


def test_a_diverging_descent_stops_with_a_clear_message(synthetic) -> None:
    X_tr, y_tr, *_ = synthetic
    model = nn.Linear(3, 1)
    with pytest.raises(FloatingPointError, match=r"non finie à l'époque \d+ .*réduisez le taux lr"):
        fit(
            model,
            torch.optim.SGD(model.parameters(), lr=50.0),
            X_tr,
            1e3 * y_tr,
            evals={},
            num_epochs=100,
            batch_size=150,
        )


def test_evaluate_measures_in_eval_mode_without_a_graph_and_restores_the_mode() -> None:
    torch.manual_seed(0)
    X, y = torch.randn(5, 3), torch.randn(5)
    model = nn.Sequential(nn.Linear(3, 1), nn.Dropout(0.5))
    grad_enabled = []
    model.register_forward_hook(lambda *_: grad_enabled.append(torch.is_grad_enabled()))
    with torch.no_grad():  # Dropout inactif en évaluation : la couche linéaire seule
        expected = ((model[0](X).squeeze(1) - y) ** 2).mean().item()
    for mode in (True, False):
        model.train(mode)
        assert evaluate(model, X, y) == pytest.approx(expected)
        assert model.training is mode and model[1].training is mode
    assert grad_enabled == [False, False]
    assert model[0].weight.grad is None


def test_predict_flattens_a_column_and_keeps_a_vector() -> None:
    X = torch.randn(5, 3)
    column = nn.Linear(3, 1)
    assert predict(column, X).shape == (5,)
    assert torch.equal(predict(column, X), column(X)[:, 0])
    vector = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0))  # rend déjà (n,)
    assert predict(vector, X).shape == (5,)
    assert torch.equal(predict(vector, X), vector(X))


def test_a_frozen_parameter_may_stay_out_of_the_optimizer(synthetic) -> None:
    X_tr, y_tr, *_ = synthetic
    model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 1))
    model[0].requires_grad_(False)
    frozen = model[0].weight.detach().clone()
    check_fit(model, torch.optim.SGD(model[1].parameters(), lr=0.1), X_tr, y_tr, {})
    fit(
        model,
        torch.optim.SGD(model[1].parameters(), lr=0.1),
        X_tr,
        y_tr,
        evals={},
        num_epochs=1,
        batch_size=50,
    )
    assert torch.equal(model[0].weight, frozen)
