"""Chaque fonction publique de tp2_src face à une entrée invalide : une erreur claire.

Une ligne du tableau par cas ; le nom de chaque test porte son numéro (« cas 07/70 »),
la fonction et le problème. L'erreur doit être levée par tp2_src lui-même (pas un
message venu du fond d'une bibliothèque) et nommer le problème.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import pytest
import torch
from helpers import autoencoder
from torch import nn

from tp2_src import (
    data,
    device,
    display,
    finite_diff,
    french,
    functions,
    glue,
    graph,
    graph_drawing,
    linreg,
    logs,
    plots,
    style,
    training,
)
from tp2_src.checks.grading import RecordingWriter

NAN = float("nan")
X, Y = torch.randn(20, 3), torch.randn(20)


def with_value(t: torch.Tensor, value: float) -> torch.Tensor:
    t = t.clone()
    t.view(-1)[0] = value
    return t


def fit_model(model: nn.Module | None = None, lr: float = 0.1, **kw) -> dict[str, list[float]]:
    model = model or nn.Linear(3, 1)
    args = {"X_train": X, "y_train": Y, "evals": {"test": (X, Y)}, "num_epochs": 1, "batch_size": 4} | kw
    optimizer = torch.optim.SGD(model.parameters(), lr=lr) if lr > 0 else _zero_lr(model)
    return training.fit(model, optimizer, args.pop("X_train"), args.pop("y_train"), **args)


def _zero_lr(model: nn.Module) -> torch.optim.Optimizer:
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    optimizer.param_groups[0]["lr"] = 0.0
    return optimizer


def _labelled():
    """Une figure dont l'axe a une courbe étiquetée."""
    fig, ax = plt.subplots()
    ax.plot([0, 1], label="courbe")
    return fig, ax


def corrupted_csv(tmp: Path, how: str) -> Path:
    content = data.BOSTON_CSV.read_bytes()
    path = tmp / f"boston-{how}.csv"
    if how == "tronqué":
        path.write_bytes(content[: len(content) // 2])
    elif how == "modifié":
        path.write_bytes(content.replace(b"24\n", b"25\n", 1))
    elif how == "vide":
        path.write_bytes(b"")
    return path


def autoencoder_graph() -> nx.MultiDiGraph:
    """Le graphe d'autograd de l'auto-encodeur du chapitre 1."""
    loss, leaves, values = autoencoder()
    return graph.autograd_graph(loss, leaves=leaves, intermediates=values)


def small_dag(**node_attrs: str) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_node("a", kind="leaf")
    g.add_node("b", kind=node_attrs.get("kind", "op"))
    g.add_edge("a", "b")
    return g


def traced_sum() -> torch.Tensor:
    return (torch.ones(2, requires_grad=True) * 2).sum()


def fake_step(node: str) -> graph.BackwardStep:
    return graph.BackwardStep(node, "AddBackward0", (torch.ones(1),), ())


def wide_dag() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_nodes_from("abcd", kind="leaf")
    g.add_node("z", kind="output")
    g.add_edges_from((n, "z") for n in "abcd")
    return g


def tiny_text_figure():
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.set_title("minuscule", fontsize=5)
    return fig


def cyclic() -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(["a", "b"], kind="op")
    g.add_edges_from([("a", "b"), ("b", "a")])
    return g


# (fonction, problème, appel, exception attendue, motif du message)
# fmt: off
CASES: list[tuple[str, str, Callable[[Path], object], type[Exception], str]] = [
    ("data.load_boston", "fichier absent", lambda t: data.load_boston(t / "absent.csv"), ValueError, "introuvable.*absent.csv"),
    ("data.load_boston", "fichier vide", lambda t: data.load_boston(corrupted_csv(t, "vide")), ValueError, "vide.*boston-vide.csv"),
    ("data.load_boston", "fichier tronqué", lambda t: data.load_boston(corrupted_csv(t, "tronqué")), ValueError, r"tronqué \(\d+ octets au lieu de \d+\).*boston-tronqué.csv"),
    ("data.load_boston", "fichier modifié", lambda t: data.load_boston(corrupted_csv(t, "modifié")), ValueError, "modifié.*boston-modifié.csv.*sha256"),
    ("data.validate_regression_data", "NaN dans X", lambda t: data.validate_regression_data(with_value(X, NAN), Y), ValueError, "X contient 1 valeur"),
    ("data.validate_regression_data", "y de forme (n, 1)", lambda t: data.validate_regression_data(X, Y[:, None]), ValueError, r"y de forme \(n,\)"),
    ("data.boston_split", "val_size = 1", lambda t: data.boston_split(val_size=1.0), ValueError, r"val_size hors de \[0, 1\[ : 1.0"),
    ("data.boston_split", "val_size négatif", lambda t: data.boston_split(val_size=-0.1), ValueError, "val_size hors de"),
    ("graph.autograd_graph", "pas un tenseur", lambda t: graph.autograd_graph([1.0]), ValueError, "attend un tenseur"),
    ("graph.autograd_graph", "sans graphe", lambda t: graph.autograd_graph(torch.ones(2).sum()), ValueError, "pas de grad_fn"),
    ("graph.autograd_graph", "intermédiaire sans graphe", lambda t: graph.autograd_graph(traced_sum(), intermediates={"c": torch.ones(2)}), ValueError, r"intermédiaires n'ont pas de grad_fn : \['c'\]"),
    ("graph.shape_text", "pas un tenseur", lambda t: graph.shape_text([1, 2]), ValueError, "attend un tenseur"),
    ("graph.format_tensor", "pas un tenseur", lambda t: graph.format_tensor(3.0), ValueError, "attend un tenseur"),
    ("graph.format_tensor", "tenseur vide", lambda t: graph.format_tensor(torch.zeros(0)), ValueError, "vide"),
    ("graph.format_tensor", "aucune coordonnée", lambda t: graph.format_tensor(torch.ones(3), max_items=0), ValueError, "max_items"),
    ("graph.record_backward", "pas un graphe d'autograd", lambda t: graph.record_backward(small_dag()).__enter__(), ValueError, "autograd_graph"),
    ("graph.reference_gradients", "rien à dériver", lambda t: graph.reference_gradients(traced_sum(), {}), ValueError, "aucun tenseur"),
    ("graph.reference_gradients", "sortie sans graphe", lambda t: graph.reference_gradients(torch.ones(()), {"a": torch.ones(2)}), ValueError, "pas de grad_fn"),
    ("graph.messages_until", "étape inconnue", lambda t: graph.messages_until(small_dag(), [fake_step("zzz")]), ValueError, "absents du graphe.*zzz"),
    ("graph.assert_backward_matches", "étapes manquantes", lambda t: graph.assert_backward_matches(small_dag(), [fake_step("a")], {}), AssertionError, "Nœuds exécutés"),
    ("graph_drawing.layered_layout", "graphe cyclique", lambda t: graph_drawing.layered_layout(cyclic()), ValueError, "acyclique"),
    ("graph_drawing.layered_layout", "graphe vide", lambda t: graph_drawing.layered_layout(nx.MultiDiGraph()), ValueError, "vide"),
    ("graph_drawing.layered_layout", "couche trop large", lambda t: graph_drawing.layered_layout(wide_dag()), ValueError, "trop large.*4 nœuds"),
    ("graph_drawing.graph_figure", "graphe cyclique", lambda t: graph_drawing.graph_figure(cyclic()), ValueError, "acyclique"),
    ("graph_drawing.graph_figure", "sorte de nœud inconnue", lambda t: graph_drawing.graph_figure(small_dag(kind="étrange")), ValueError, "Sorte de nœud inconnue"),
    ("graph_drawing.graph_figure", "nœud à surligner absent", lambda t: graph_drawing.graph_figure(small_dag(), highlight=["zzz"]), ValueError, "absents du graphe.*zzz"),
    ("graph_drawing.graph_figure", "étape sur un nœud absent", lambda t: graph_drawing.graph_figure(small_dag(), steps=[fake_step("zzz")]), ValueError, "absents du graphe.*zzz"),
    ("graph_drawing.graph_figure", "plus large que la colonne", lambda t: graph_drawing.graph_figure(small_dag(), width=9), ValueError, "Largeur 9 pouces"),
    ("graph_drawing.statement_figure", "graphe sans les nœuds de l'auto-encodeur", lambda t: graph_drawing.statement_figure(small_dag()), ValueError, "Nœuds absents du graphe"),
    ("graph_drawing.statement_figure", "trop étroite", lambda t: graph_drawing.statement_figure(autoencoder_graph(), width=5), ValueError, "Largeur 5 pouces"),
    ("graph_drawing.function_split_figure", "trop étroite", lambda t: graph_drawing.function_split_figure(width=4), ValueError, "Largeur 4 pouces"),
    ("style.french_log_axis", "axe inconnu", lambda t: style.french_log_axis(plt.gca(), which="z"), ValueError, "which doit valoir"),
    ("style.figure_bytes", "pas une figure", lambda t: style.figure_bytes("figure", "svg"), ValueError, "attend une figure"),
    ("style.figure_bytes", "format inconnu", lambda t: style.figure_bytes(plt.figure(), "png"), ValueError, "format de figure 'png'"),
    ("style.text_sizes", "pas une figure", lambda t: style.text_sizes("figure"), ValueError, "attend une figure"),
    ("style.assert_legible", "texte trop petit", lambda t: style.assert_legible(tiny_text_figure()), ValueError, "plus petits que 8.5 pt"),
    ("functions.linear", "formes incompatibles", lambda t: functions.linear(X, torch.zeros(4, 2), torch.zeros(2)), ValueError, "Formes incompatibles"),
    ("functions.linear", "biais de mauvaise taille", lambda t: functions.linear(X, torch.zeros(3, 2), torch.zeros(3)), ValueError, "Formes incompatibles"),
    ("functions.linear", "X à une dimension", lambda t: functions.linear(Y, torch.zeros(3, 2), torch.zeros(2)), ValueError, r"linear attend X \(n, d\)"),
    ("functions.linear", "types différents", lambda t: functions.linear(X, torch.zeros(3, 2, dtype=torch.float64), torch.zeros(2)), ValueError, "même type"),
    ("functions.linear", "entiers", lambda t: functions.linear(X.long(), torch.zeros(3, 2).long(), torch.zeros(2).long()), ValueError, "flottants"),
    ("functions.mse", "formes qui se diffuseraient", lambda t: functions.mse(torch.zeros(5, 1), torch.zeros(5)), ValueError, r"même forme.*\(5, 1\).*\(5,\)"),
    ("functions.mse", "tenseurs vides", lambda t: functions.mse(torch.zeros(0), torch.zeros(0)), ValueError, "vides"),
    ("functions.mse", "types différents", lambda t: functions.mse(torch.zeros(3), torch.zeros(3, dtype=torch.float64)), ValueError, "même type"),
    ("finite_diff.finite_difference_grad", "eps nul", lambda t: finite_diff.finite_difference_grad(lambda: X.sum(), X, eps=0.0), ValueError, "eps"),
    ("finite_diff.finite_difference_grad", "paramètre vide", lambda t: finite_diff.finite_difference_grad(lambda: X.sum(), X[:0]), ValueError, "vide"),
    ("finite_diff.finite_difference_grad", "fonction non scalaire", lambda t: finite_diff.finite_difference_grad(lambda: X * 2, X.clone()), ValueError, "scalaire"),
    ("finite_diff.finite_difference_grad", "fonction non finie", lambda t: finite_diff.finite_difference_grad(lambda: torch.tensor(NAN), X.clone()), ValueError, "pas finie"),
    ("linreg.linear_mse", "w de mauvaise forme", lambda t: linreg.linear_mse(X, Y, torch.zeros(4), torch.zeros(())), ValueError, r"w doit être de forme \(3,\)"),
    ("linreg.linear_mse", "y de forme (n, 1)", lambda t: linreg.linear_mse(X, Y[:, None], torch.zeros(3), torch.zeros(())), ValueError, r"y de forme \(n,\)"),
    ("linreg.mse_hessian", "X à une dimension", lambda t: linreg.mse_hessian(Y), ValueError, r"X \(n, d\) flottant attendu ; reçu \(20,\)"),
    ("linreg.mse_hessian", "entiers", lambda t: linreg.mse_hessian(X.long()), ValueError, "flottant"),
    ("linreg.least_squares", "longueurs différentes", lambda t: linreg.least_squares(X, Y[:-1]), ValueError, "20 contre 19"),
    ("logs.fresh_run_dir", "nom vide", lambda t: logs.fresh_run_dir("", t), ValueError, "Nom d'expérience invalide"),
    ("logs.fresh_run_dir", "nom avec chemin", lambda t: logs.fresh_run_dir("../x", t), ValueError, "Nom d'expérience invalide"),
    ("logs.read_scalars", "dossier absent", lambda t: logs.read_scalars(t / "absent"), FileNotFoundError, "introuvable.*absent"),
    ("logs.read_scalars", "dossier sans journal", lambda t: logs.read_scalars(t), ValueError, "Aucun fichier d'événements"),
    ("logs.read_scalars", "le SummaryWriter lui-même", lambda t: logs.read_scalars(RecordingWriter(str(t))), TypeError, "passez writer.log_dir"),
    ("logs.work_logdir", "dossier absent", lambda t: logs.work_logdir(t / "absent"), NotADirectoryError, "introuvable.*absent"),
    ("plots.legend_below", "aucune courbe", lambda t: plots.legend_below(*plt.subplots()), ValueError, "aucune courbe étiquetée"),
    ("plots.legend_below", "ncol nul", lambda t: plots.legend_below(*_labelled(), ncol=0), ValueError, "ncol doit valoir au moins 1, reçu 0"),
    ("plots.plot_losses", "série absente", lambda t: plots.plot_losses(plt.gca(), {"a": {}}), ValueError, "'a'.*séries absentes"),
    ("french.french_number", "format impossible", lambda t: french.french_number("abc", ".2f"), ValueError, "Impossible de formater 'abc'"),
    ("glue.glue", "format impossible", lambda t: glue.glue("x", 1.5, "d"), ValueError, "Impossible de formater 1.5 avec 'd'"),
    ("glue.glue_text", "texte vide", lambda t: glue.glue_text("x", ""), ValueError, "texte non vide"),
    ("glue.glue_figure", "pas une figure", lambda t: glue.glue_figure("f", [1, 2]), ValueError, "attend une figure"),
    ("display.error_summary", "pas une exception", lambda t: display.error_summary("erreur"), ValueError, "attend une exception"),
    ("display.warning_summary", "pas un avertissement", lambda t: display.warning_summary("attention"), ValueError, "avertissement relevé"),
    ("display.format_table", "ligne incomplète", lambda t: display.format_table(["a", "b"], [[1]]), ValueError, "2 cellules"),
    ("training.predict", "sortie de mauvaise forme", lambda t: training.predict(nn.Linear(3, 2), X), ValueError, r"sortie \(20, 2\) : il faut \(20,\) ou \(20, 1\)"),
    ("training.evaluate", "y de forme (n, 1)", lambda t: training.evaluate(nn.Linear(3, 1), X, Y[:, None]), ValueError, r"y de forme \(n,\)"),
    ("training.fit", "longueurs différentes", lambda t: fit_model(y_train=Y[:-1]), ValueError, "20 contre 19"),
    ("training.fit", "NaN dans X", lambda t: fit_model(X_train=with_value(X, NAN)), ValueError, r"X \(apprentissage\) contient"),
    ("training.fit", "mini-batch de taille 0", lambda t: fit_model(batch_size=0), ValueError, "batch_size doit être un entier entre 1 et n = 20 ; reçu 0"),
    ("training.fit", "mini-batch plus grand que le jeu", lambda t: fit_model(batch_size=21), ValueError, r"n = 20 ; reçu 21"),
    ("training.fit", "mini-batch en flottant", lambda t: fit_model(batch_size=4.0), ValueError, r"entier entre 1 et n = 20 ; reçu 4\.0"),
    ("training.fit", "zéro époque", lambda t: fit_model(num_epochs=0), ValueError, "num_epochs doit être un entier > 0 ; reçu 0"),
    ("training.fit", "lr nul", lambda t: fit_model(lr=0.0), ValueError, r"taux d'apprentissage doit être > 0 : \[0\.0\]"),
    ("training.fit", "evals qui nomme « train »", lambda t: fit_model(evals={"train": (X, Y)}), ValueError, "evals ne doit pas nommer « train »"),
    ("training.fit", "évaluation d'une autre largeur", lambda t: fit_model(evals={"val": (torch.zeros(5, 4), torch.zeros(5))}), ValueError, r"X \(val\) a 4 variables, X_train en a 3"),
    ("training.fit", "y d'évaluation de forme (n, 1)", lambda t: fit_model(evals={"test": (X, Y[:, None])}), ValueError, r"y de forme \(n,\) \(test\)"),
    ("training.fit", "paramètres oubliés", lambda t: training.fit(nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 1)), torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1), X, Y, evals={}, num_epochs=1, batch_size=4), ValueError, r"ne reçoit pas ces paramètres du modèle : \['0\.weight'"),
    ("training.fit", "divergence", lambda t: fit_model(lr=1e4, batch_size=20, num_epochs=200), FloatingPointError, r"MSE non finie à l'époque \d+ : la descente diverge ; réduisez le taux lr"),
    ("training.check_fit", "optimiseur d'un autre modèle", lambda t: training.check_fit(nn.Linear(3, 1), torch.optim.SGD(nn.Linear(3, 1).parameters(), lr=0.1), X, Y, {}), ValueError, r"\['weight', 'bias'\]"),
    ("training.check_fit", "données d'apprentissage vides", lambda t: training.check_fit(nn.Linear(3, 1), torch.optim.SGD(nn.Linear(3, 1).parameters(), lr=0.1), X[:0], Y[:0], {}), ValueError, r"vide \(apprentissage\)"),
    ("training.check_sizes", "époques en texte", lambda t: training.check_sizes("3", 4, 20), ValueError, "num_epochs doit être un entier > 0 ; reçu '3'"),
    ("training.check_sizes", "mini-batch négatif", lambda t: training.check_sizes(3, -1, 20), ValueError, "entre 1 et n = 20 ; reçu -1"),
    ("device.get_device", "matériel inconnu", lambda t: device.get_device("tpu9"), ValueError, "Matériel inconnu 'tpu9'"),
    ("device.make_deterministic", "graine négative", lambda t: device.make_deterministic(-1), ValueError, "graine"),
]
if not torch.cuda.is_available():
    CASES.append(("device.get_device", "CUDA absent", lambda t: device.get_device("cuda"), ValueError, "aucune carte graphique"))
# fmt: on

IDS = [f"cas {i:02d}/{len(CASES)} — {name} — {problem}" for i, (name, problem, *_) in enumerate(CASES, 1)]


@pytest.mark.parametrize(("name", "problem", "call", "error", "pattern"), CASES, ids=IDS)
def test_bad_input_gets_a_clear_error(
    name: str,
    problem: str,
    call: Callable[[Path], object],
    error: type[Exception],
    pattern: str,
    tmp_path: Path,
) -> None:
    with pytest.raises(error, match=pattern) as caught:
        call(tmp_path)
    # L'erreur vient de tp2_src, pas du fond d'une bibliothèque.
    origin = caught.traceback[-1].path
    assert "tp2_src" in str(origin), f"erreur levée dans {origin}"
    plt.close("all")


def test_every_public_function_is_in_the_table() -> None:
    """Toute fonction publique qui prend une entrée a au moins un cas dans le tableau.

    Les modules sont ceux du paquet (les vérifications, sous-paquet, ont leurs propres tests) :
    un module ajouté à tp2_src est compté sans qu'on l'écrive ici."""
    import importlib
    import inspect
    import pkgutil

    import tp2_src

    covered = {name for name, *_ in CASES}
    modules = [
        importlib.import_module(f"tp2_src.{info.name}")
        for info in pkgutil.iter_modules(tp2_src.__path__)
        if not info.ispkg
    ]
    assert {m.__name__.split(".")[-1] for m in modules} >= {"data", "linreg", "training"}
    missing = []
    for module in modules:
        for fname, obj in vars(module).items():
            if fname.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != module.__name__:
                continue
            if not inspect.signature(obj).parameters:
                continue  # sans argument : rien d'invalide à lui donner
            if f"{module.__name__.split('.')[-1]}.{fname}" not in covered:
                missing.append(f"{module.__name__}.{fname}")
    # show_table accepte toute valeur affichable et délègue la vérification à format_table.
    assert sorted(missing) == ["tp2_src.display.show_table"], missing
