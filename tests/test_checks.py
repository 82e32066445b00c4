"""Les vérifications de l'édition étudiant : elles passent sur les solutions du livre et
échouent, avec leur message en français, sur les erreurs typiques des étudiants.

Chaque « solution » ci-dessous reprend la boucle du chapitre ; chaque « erreur » est une
faute réellement commise : remise à zéro oubliée, mise à jour hors de ``no_grad``, forme
qui diffuse, couches rangées dans une liste Python, graine oubliée…
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from tp2_src import checks
from tp2_src.checks import CheckError
from tp2_src.data import boston_split
from tp2_src.linreg import fit_linear_regression
from tp2_src.logs import logged_run, read_scalars


@pytest.fixture(scope="module")
def boston() -> tuple[torch.Tensor, torch.Tensor]:
    split = boston_split()
    return split.X_train, split.y_train


def batch_descent(
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    reset: bool = True,
    shape: tuple[int, ...] | None = None,
    num_epochs: int = 100,
    losses: list[float] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """La boucle de la question 1.1 ; ``reset=False`` oublie la remise à zéro. Le coût de
    chaque époque est ajouté à ``losses`` si on la donne."""
    w = torch.zeros(shape or X.shape[1], requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(num_epochs):
        loss = ((X @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
            b -= 0.1 * b.grad
        if reset:
            w.grad.zero_()
            b.grad.zero_()
        if losses is not None:
            losses.append(loss.item())
    return w, b


def fails(check, *args, match: str) -> str:
    with pytest.raises(CheckError, match=match) as info:
        check(*args)
    return str(info.value)


# --- Question 1.1 ------------------------------------------------------------------------


def test_batch_descent_passes_on_the_solution(boston, capsys) -> None:
    checks.check_batch_descent(*batch_descent(*boston), *boston)
    out = capsys.readouterr().out
    assert out.startswith("✅ Question 1.1 : MSE d'apprentissage 19,3") and "tolérance 1 %" in out


def test_batch_descent_without_reset_points_at_the_gradients(boston) -> None:
    message = fails(
        checks.check_batch_descent,
        *batch_descent(*boston, reset=False),
        *boston,
        match="s'éloigne de la solution des moindres carrés",
    )
    assert "les gradients s'accumulent" in message and "tolérance 1 %" in message


def test_batch_descent_update_outside_no_grad(boston) -> None:
    X, y = boston
    w = torch.zeros(X.shape[1], requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    ((X @ w + b - y) ** 2).mean().backward()
    w = w - 0.1 * w.grad  # hors de no_grad : w devient le résultat d'une opération
    fails(checks.check_batch_descent, w, b, X, y, match="n'est plus une feuille du graphe.*torch.no_grad")


def test_batch_descent_column_vector_broadcasts(boston) -> None:
    w, b = batch_descent(*boston, shape=(boston[0].shape[1], 1), num_epochs=5)
    fails(
        checks.check_batch_descent,
        w,
        b,
        *boston,
        match=r"forme \(13, 1\).*diffusé en une matrice \(404, 404\)",
    )


def test_batch_descent_untouched_skeleton(boston) -> None:
    w = torch.zeros(13, requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    fails(checks.check_batch_descent, w, b, *boston, match="valent encore zéro")
    fails(checks.check_batch_descent, [0.0] * 13, b, *boston, match="devrait être un tenseur")


# --- Question 1.2 ------------------------------------------------------------------------


def logged(tmp_path: Path, *, test: bool = True, step: bool = True) -> dict:
    X, y = boston_split().tensors()[:2]
    w = torch.zeros(13, requires_grad=True)
    with logged_run("q", tmp_path) as writer:
        for epoch in range(5):
            loss = ((X @ w - y) ** 2).mean()
            writer.add_scalar("loss/train", loss.item(), epoch if step else None)
            if test:
                writer.add_scalar("loss/test", loss.item() + 1, epoch if step else None)
            loss.backward()
            with torch.no_grad():
                w -= 0.1 * w.grad
            w.grad.zero_()
    return read_scalars(writer.log_dir)


def test_logged_losses(tmp_path: Path, capsys) -> None:
    checks.check_logged_losses(logged(tmp_path))
    assert capsys.readouterr().out.startswith(
        "✅ Question 1.2 : 'loss/train' et 'loss/test' journalisés en 5 points"
    )
    fails(checks.check_logged_losses, logged(tmp_path, test=False), match="l'étiquette 'loss/test' manque")
    fails(
        checks.check_logged_losses,
        logged(tmp_path, step=False),
        match="les époques de 'loss/train' ne croissent pas",
    )
    fails(checks.check_logged_losses, {}, match="`logged` est vide")


def test_logged_losses_must_fall() -> None:
    flat = {"loss/train": ([0, 1, 2], [5.0, 6.0, 7.0]), "loss/test": ([0, 1, 2], [5.0, 6.0, 7.0])}
    fails(checks.check_logged_losses, flat, match="ne baisse pas")


# --- Question 1.3 ------------------------------------------------------------------------


def test_minibatch_descents(boston, capsys) -> None:
    X, y = boston
    dummy = (X[:2], y[:2])
    w_sto, b_sto, _ = fit_linear_regression(X, y, *dummy, method="stochastic", lr=0.001, num_epochs=20)
    w_mini, b_mini, _ = fit_linear_regression(X, y, *dummy, method="mini-batch", lr=0.01, num_epochs=60)
    checks.check_minibatch_descents(w_sto, b_sto, w_mini, b_mini, X, y)
    assert capsys.readouterr().out.startswith("✅ Question 1.3 : stochastique à 0,")
    zeros = (torch.zeros(13), torch.zeros(()))
    fails(
        checks.check_minibatch_descents,
        *zeros,
        w_mini,
        b_mini,
        X,
        y,
        match="`w_sto` et `b_sto` valent encore zéro",
    )
    far = w_mini + 1.0
    fails(
        checks.check_minibatch_descents,
        w_sto,
        b_sto,
        far,
        b_mini,
        X,
        y,
        match=r"\(w_mini, b_mini\) s'éloigne.*tolérance 1 %",
    )
    nan = torch.full((13,), float("nan"))
    fails(checks.check_minibatch_descents, nan, b_sto, w_mini, b_mini, X, y, match="non finies.*divergé")


# --- Question 3.b ------------------------------------------------------------------------


def epoch_losses(X: torch.Tensor, y: torch.Tensor, *, reset: bool) -> list[float]:
    """Les coûts des 30 époques de la question 3.b (boucle de la question 1.1)."""
    losses: list[float] = []
    batch_descent(X, y, reset=reset, num_epochs=30, losses=losses)
    return losses


def test_without_reset(boston, capsys) -> None:
    checks.check_without_reset(epoch_losses(*boston, reset=False))
    assert capsys.readouterr().out.startswith("✅ Question 3.b : sans remise à zéro, le coût remonte")
    fails(
        checks.check_without_reset,
        epoch_losses(*boston, reset=True),
        match="avez-vous bien retiré w.grad.zero_",
    )
    fails(checks.check_without_reset, [3.0] * 30, match="le coût ne change pas")
    fails(checks.check_without_reset, [], match="au moins 10")


# --- Question 4.1 ------------------------------------------------------------------------


def optimizer_loop(X: torch.Tensor, y: torch.Tensor, *, zero_grad: bool = True, give_b: bool = True):
    w = nn.Parameter(torch.zeros(X.shape[1]))
    b = nn.Parameter(torch.zeros(()))
    optimizer = torch.optim.SGD([w, b] if give_b else [w], lr=0.1)
    for _ in range(100):
        if zero_grad:
            optimizer.zero_grad()
        loss = ((X @ w + b - y) ** 2).mean()
        loss.backward()
        optimizer.step()
    return w, b, optimizer


def test_optimizer_loop(boston, capsys) -> None:
    checks.check_optimizer_loop(*optimizer_loop(*boston), *boston)
    assert capsys.readouterr().out.startswith("✅ Question 4.1 : MSE d'apprentissage 19,3")
    fails(
        checks.check_optimizer_loop,
        *optimizer_loop(*boston, zero_grad=False),
        *boston,
        match="les gradients s'accumulent d'un pas à l'autre. Appelez optimizer.zero_grad",
    )
    fails(
        checks.check_optimizer_loop,
        *optimizer_loop(*boston, give_b=False),
        *boston,
        match="l'optimiseur ne contient pas `b`",
    )


def test_optimizer_loop_accepts_zero_grad_after_step(boston, capsys) -> None:
    w, b, optimizer = optimizer_loop(*boston)
    optimizer.zero_grad(set_to_none=False)  # remise à zéro après le pas : .grad nul
    checks.check_optimizer_loop(w, b, optimizer, *boston)
    assert "✅" in capsys.readouterr().out


# --- Question 2 (chapitre 5) -----------------------------------------------------------


class TwoLayerNet(nn.Module):
    def __init__(self, hidden: int = 32) -> None:
        super().__init__()
        self.linear1 = nn.Linear(13, hidden)
        self.activation = nn.Tanh()
        self.linear2 = nn.Linear(hidden, 1)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.activation(self.linear1(X)))


class PlainList(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = [nn.Linear(13, 32), nn.Linear(32, 1)]

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.layers[1](torch.tanh(self.layers[0](X)))


def train(net: nn.Module, X: torch.Tensor, y: torch.Tensor, *, squeeze: bool = True, num_epochs: int = 30):
    g = torch.Generator().manual_seed(0)
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, generator=g)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    losses = []
    for _ in range(num_epochs):
        for X_batch, y_batch in loader:
            optimizer.zero_grad()
            out = net(X_batch)
            loss = nn.functional.mse_loss(out.squeeze(1) if squeeze else out, y_batch)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def test_two_layer_net(boston, capsys) -> None:
    torch.manual_seed(0)
    net = TwoLayerNet()
    checks.check_two_layer_net(net, train(net, *boston), *boston)
    assert capsys.readouterr().out.startswith("✅ Question 2 : 481 paramètres (13 → 32 → 1)")


def test_two_layer_net_broadcast_loss(boston) -> None:
    torch.manual_seed(0)
    net = TwoLayerNet()
    with pytest.warns(UserWarning, match="target size"):
        losses = train(net, *boston, squeeze=False)
    fails(
        checks.check_two_layer_net,
        net,
        losses,
        *boston,
        match=r"pas mieux que la régression linéaire.*squeeze\(1\)",
    )


def test_two_layer_net_structure_mistakes(boston) -> None:
    fails(
        checks.check_two_layer_net,
        PlainList(),
        [1.0, 0.5],
        *boston,
        match="l'attribut `layers` range des couches dans un list Python.*nn.ModuleList",
    )
    one_layer = nn.Sequential(nn.Linear(13, 1))
    fails(
        checks.check_two_layer_net,
        one_layer,
        [1.0, 0.5],
        *boston,
        match="1 couche\\(s\\) nn.Linear ; il en faut deux",
    )
    torch.manual_seed(0)
    net = TwoLayerNet()
    fails(checks.check_two_layer_net, net, [600.0] * 20, *boston, match="la perte baisse peu")


# --- Question 2 (suite) -----------------------------------------------------------------


def test_sequential(boston, capsys) -> None:
    X, y = boston[0][:64], boston[1][:64]
    torch.manual_seed(0)
    seq = nn.Sequential(nn.Linear(13, 32), nn.Tanh(), nn.Linear(32, 1))
    torch.manual_seed(0)
    net = TwoLayerNet()
    losses_seq, losses_net = train(seq, X, y, num_epochs=2), train(net, X, y, num_epochs=2)
    checks.check_sequential(seq, net, losses_seq, losses_net)
    assert capsys.readouterr().out.startswith(
        "✅ Question 2 (suite) : mêmes formes de paramètres, et mêmes pertes aux 4 pas"
    )
    other = nn.Sequential(nn.Linear(13, 32), nn.Tanh(), nn.Linear(32, 1))  # sans graine
    fails(
        checks.check_sequential,
        other,
        net,
        train(other, X, y, num_epochs=2),
        losses_net,
        match="les pertes diffèrent dès le pas 1.*torch.manual_seed",
    )
    fails(
        checks.check_sequential,
        nn.Sequential(nn.Linear(13, 1)),
        net,
        [1.0, 2.0],
        losses_net,
        match="formes des paramètres",
    )
    fails(checks.check_sequential, net, net, losses_net, losses_net, match="devrait être un nn.Sequential")


# --- Question 2.c (chapitre 2) ------------------------------------------------------------


def test_sin_backward(capsys) -> None:
    from torch.autograd.functional import jacobian

    x = torch.linspace(0, 3, 5, dtype=torch.float64, requires_grad=True)
    J = jacobian(torch.sin, x.detach())
    fails(checks.check_sin_backward, x, J, match="x.grad est None")
    y = torch.sin(x)
    y.backward(gradient=torch.ones_like(y))
    checks.check_sin_backward(x, J)
    assert capsys.readouterr().out.startswith("✅ Question 2.c")
    fails(checks.check_sin_backward, x, torch.ones(5, 5, dtype=torch.float64), match="J n'est pas diag")
    torch.sin(x).backward(gradient=torch.ones(5, dtype=torch.float64))  # une seconde fois
    fails(checks.check_sin_backward, x, J, match="deux fois cos")
    x.grad = None
    torch.sin(x).sum().mul(3).backward()
    fails(checks.check_sin_backward, x, J, match="1 pour chaque coordonnée")


# --- Ce que les vérifications ne font pas -------------------------------------------------


def test_checks_change_nothing(boston) -> None:
    """Ni les paramètres, ni leurs .grad, ni le générateur aléatoire : le livre continue pareil."""
    w, b, optimizer = optimizer_loop(*boston)
    before = (w.detach().clone(), w.grad.clone(), torch.random.get_rng_state())
    checks.check_optimizer_loop(w, b, optimizer, *boston)
    with pytest.raises(CheckError):
        checks.check_batch_descent(*batch_descent(*boston, reset=False), *boston)
    assert torch.equal(before[0], w) and torch.equal(before[1], w.grad)
    assert torch.equal(before[2], torch.random.get_rng_state())


def test_failure_is_shown_without_a_traceback() -> None:
    with pytest.raises(CheckError) as info:
        checks.check_without_reset([1.0])
    assert info.value._render_traceback_() == [f"❌ {info.value}"]
    assert str(info.value).startswith("Question 3.b : ")
