"""Tests de tp2_src.training : la boucle commune, et l'apprentissage d'un module avec un optimiseur."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from tp2_src.training import TrainingDivergedError, evaluate, fit, predict, seeded_loader, train


def test_fit_recovers_a_linear_model(synthetic) -> None:
    X_tr, y_tr, X_te, y_te, w_true = synthetic
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), X_tr, y_tr,
            evals={"test": (X_te, y_te)}, num_epochs=30, batch_size=16)
    torch.testing.assert_close(model.weight.detach()[0], w_true, atol=0.01, rtol=0)
    assert model.bias.item() == pytest.approx(1.5, abs=0.01)
    assert h.test_mse[-1] < 1e-3 < h.test_mse[0]
    assert h.steps[-1] == 30 * 10 and h.epochs == list(range(31))


def test_same_seed_same_losses(synthetic) -> None:
    X_tr, y_tr, X_te, y_te, _ = synthetic
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
        runs.append(fit(model, torch.optim.Adam(model.parameters(), lr=0.01), X_tr, y_tr,
                        evals={"test": (X_te, y_te)}, num_epochs=3, batch_size=8, seed=5).train_mse)
    assert runs[0] == runs[1]


def test_seeded_loader_gives_the_batches_of_a_shuffled_dataloader(synthetic) -> None:
    X_tr, y_tr, *_ = synthetic
    reference = DataLoader(TensorDataset(X_tr, y_tr), batch_size=32, shuffle=True,
                           generator=torch.Generator().manual_seed(3))
    ours = seeded_loader(X_tr, y_tr, 32, seed=3)
    for _ in range(2):  # chaque générateur avance d'une époque à l'autre, au même rythme
        pairs = list(zip(reference, ours, strict=True))
        assert all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) for a, b in pairs)


def test_every_evaluated_set_is_recorded_and_validation_is_kept_apart(synthetic) -> None:
    X_tr, y_tr, X_te, y_te, _ = synthetic
    model = nn.Linear(3, 1)
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.05), X_tr[:100], y_tr[:100],
            evals={"val": (X_tr[100:], y_tr[100:]), "test": (X_te, y_te)}, num_epochs=4, batch_size=10)
    assert set(h.mse) == {"train", "val", "test"} and len(h.val_mse) == 5
    assert h.val_mse[-1] == pytest.approx(evaluate(model, X_tr[100:], y_tr[100:]))


def test_divergence_keeps_the_history_measured_so_far() -> None:
    X = torch.randn(20, 3, generator=torch.Generator().manual_seed(0))
    y = X.sum(1) * 100
    w = torch.zeros(3, requires_grad=True)

    def step(Xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        loss = ((Xb @ w - yb) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w.sub_(10.0 * w.grad)
        w.grad.zero_()
        return loss.detach()

    with pytest.raises(TrainingDivergedError, match="au pas") as caught:
        train(step, lambda Xe, ye: ((Xe @ w - ye) ** 2).mean().item(), X, y, evals={},
              num_epochs=1000, batch_size=20)
    assert caught.value.history.epochs[0] == 0 and len(caught.value.history.train_mse) >= 2


def test_evaluation_restores_training_mode_and_predict_reshapes() -> None:
    torch.manual_seed(0)
    X, y = torch.randn(5, 3), torch.randn(5)
    model = nn.Sequential(nn.Linear(3, 1), nn.Dropout(0.5))
    model.train()
    expected = ((model[0](X).squeeze(1) - y) ** 2).mean().item()  # Dropout inactif en évaluation
    assert evaluate(model, X, y) == pytest.approx(expected)
    assert model.training
    assert predict(model, X).shape == (5,)
