"""Les vérifications du chapitre 3 : questions 1.1, 1.2, 1.3 et exercice 3.b."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from tp2_src.checks.common import MSE_TOLERANCE, as_pair, boston_data, floats, isolated
from tp2_src.checks.descent import audit_descent, optimum_gap, scalars
from tp2_src.checks.grading import RecordingWriter, call, fail, passed, percent, student_function
from tp2_src.checks.registry import exercise
from tp2_src.french import french_number

DESCENT_PARAMETERS = ("X_train", "y_train", "X_test", "y_test", "lr", "num_epochs", "writer")


@exercise("q1-1", "Question 1.1", "descente batch avec autograd")
def check_batch_descent(question: str, namespace: Any) -> None:
    """Question 1.1 (chapitre 3) : ``batch_descent``, la descente batch écrite à la main.

    Sur un petit jeu : un pas par époque sur toutes les données, gradients remis à zéro,
    ``w ← w − η ∇ℓ``, coûts journalisés à chaque époque. Sur Boston Housing (η = 0,1,
    100 époques) : un coût d'apprentissage qui baisse à chaque époque, jusqu'à 1 % de
    l'optimum.
    """
    descent = student_function(question, namespace, "batch_descent", DESCENT_PARAMETERS)
    audit_descent(question, "batch_descent",
                   lambda data: descent(*data.tensors(), 0.1, 3, RecordingWriter()),
                   batch_size=12, lr=0.1, num_epochs=3, namespace=namespace)
    data, writer = boston_data(), RecordingWriter()
    w, b = as_pair(question, call(question, "votre fonction batch_descent",
                                isolated(descent), *data.tensors(), 0.1, 100, writer))
    train = scalars(question, writer, "batch_descent", 100)
    rises = sum(after > before for before, after in zip(train, train[1:], strict=False))
    if rises:
        fail(question, f"le coût d'apprentissage journalisé remonte {rises} fois : une descente batch "
                       "à η = 0,1 doit le faire baisser à chaque époque.")
    mse, optimum, gap = optimum_gap(question, w, b, data)
    passed(question, f"un pas de gradient par époque, gradients remis à zéro ; sur Boston Housing, "
                     f"MSE d'apprentissage {french_number(mse, '.3f')}, à {percent(gap)} de l'optimum "
                     f"({french_number(optimum, '.3f')} ; tolérance {percent(MSE_TOLERANCE, '.0f')}).")


@exercise("q1-2", "Question 1.2", "Boston Housing et TensorBoard")
def check_boston_log(question: str, namespace: Any) -> None:
    """Question 1.2 (chapitre 3) : ``boston_log(run_dir)`` journalise la descente de la
    question 1.1 sur Boston Housing dans ``run_dir``, avec un ``SummaryWriter``.

    Le journal est relu sur le disque par le lecteur de TensorBoard : ``loss/train`` et
    ``loss/test`` à chaque époque, le coût d'apprentissage qui baisse.
    """
    from tp2_src.logs import read_scalars

    log = student_function(question, namespace, "boston_log", ("run_dir",))
    with TemporaryDirectory(prefix="tp2-verification-") as tmp:
        run_dir = Path(tmp) / "q1-batch"
        run_dir.mkdir()
        call(question, "votre fonction boston_log", isolated(log), run_dir)
        if not any(run_dir.glob("events.out.tfevents.*")):
            fail(question, "aucun journal dans le dossier run_dir reçu en paramètre : créez le "
                           "SummaryWriter avec ce dossier, SummaryWriter(run_dir).")
        logged = read_scalars(run_dir)
    if not logged:
        fail(question, "le journal est vide : fermez le SummaryWriter à la fin (writer.close(), ou un "
                       "bloc with SummaryWriter(run_dir) as writer:), pour qu'il écrive tout sur le disque.")
    writer = RecordingWriter()
    for tag, (steps, values) in logged.items():
        for step, value in zip(steps, values, strict=True):
            writer.add_scalar(tag, value, step)
    train = scalars(question, writer, "boston_log", 100)
    if not train[-1] < train[0]:
        fail(question, "le coût d'apprentissage journalisé ne baisse pas : la descente de la question "
                       "1.1 (η = 0,1, 100 époques) est-elle bien celle qui écrit dans ce journal ?")
    passed(question, f"'loss/train' et 'loss/test' relus sur le disque ({len(train)} points) ; le coût "
                     f"d'apprentissage passe de {french_number(train[0], '.1f')} à "
                     f"{french_number(train[-1], '.3f')}.")


@exercise("q1-3", "Question 1.3", "stochastique et mini-batch")
def check_minibatch_descent(question: str, namespace: Any) -> None:
    """Question 1.3 (chapitre 3) : ``descent``, la descente par mini-batchs de ``batch_size``.

    Sur un petit jeu : un pas par mini-batch (stochastique : un exemple ; mini-batch : 4), chaque
    exemple une fois par époque, gradients remis à zéro, coûts journalisés à chaque
    époque. Sur Boston Housing : le mini-batch (32 exemples, η = 0,01, 100 époques) arrive
    à 1 % de l'optimum.
    """
    descent = student_function(question, namespace, "descent", ("X_train", "y_train", "X_test", "y_test",
                                                                  "batch_size", "lr", "num_epochs", "writer"))
    for batch_size in (1, 4):
        writer = RecordingWriter()
        audit_descent(question, f"descent (batch_size={batch_size})",
                       lambda data, size=batch_size, writer=writer:
                       descent(*data.tensors(), size, 0.01, 2, writer),
                       batch_size=batch_size, lr=0.01, num_epochs=2, namespace=namespace)
        scalars(question, writer, f"descent (batch_size={batch_size})", 2)
    data, writer = boston_data(), RecordingWriter()
    w, b = as_pair(question, call(question, "votre fonction descent", isolated(descent),
                                *data.tensors(), 32, 0.01, 100, writer))
    scalars(question, writer, "descent", 100)
    mse, optimum, gap = optimum_gap(question, w, b, data)
    passed(question, f"un pas par mini-batch, chaque exemple une fois par époque (tailles 1 et 4 "
                     f"vérifiés) ; mini-batch sur Boston Housing à {percent(gap)} de l'optimum "
                     f"(tolérance {percent(MSE_TOLERANCE, '.0f')}).")


@exercise("ex-3b", "Exercice 3.b", "oublier la remise à zéro")
def check_without_reset(question: str, namespace: Any) -> None:
    """Exercice 3.b (chapitre 3) : ``descent_without_reset``, la descente batch sans remise
    à zéro des gradients ; elle rend le coût de chaque époque.

    Sur un petit jeu : des pas batch, où chaque ``.grad`` garde la somme des gradients
    passés et la mise à jour la suit. Sur Boston Housing (η = 0,1, 30 époques) : le coût
    finit par remonter.
    """
    descent = student_function(question, namespace, "descent_without_reset",
                               ("X_train", "y_train", "lr", "num_epochs"))
    audit_descent(question, "descent_without_reset",
                   lambda data: descent(data.X_train, data.y_train, 0.1, 3),
                   batch_size=12, lr=0.1, num_epochs=3, reset=False, namespace=namespace)
    data = boston_data()
    losses = call(question, "votre fonction descent_without_reset", isolated(descent),
                  data.X_train, data.y_train, 0.1, 30)
    values = floats(question, "descent_without_reset", losses, 30)
    rises = sum(after > before for before, after in zip(values, values[1:], strict=False))
    if rises == 0:
        fail(question, "sur Boston Housing, le coût baisse à chacune des 30 époques : sans remise à "
                       "zéro, il devrait finir par remonter. La fonction rend-elle le coût de chaque "
                       "époque ?")
    low = min(range(len(values)), key=values.__getitem__)
    passed(question, f"les gradients s'accumulent, et sur Boston Housing le coût remonte {rises} fois "
                     f"en 30 époques (minimum {french_number(values[low], '.4g')} à l'époque {low + 1}).")
