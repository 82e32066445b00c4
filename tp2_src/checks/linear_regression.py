"""Les vérifications du chapitre 3 : questions 1.1, 1.2, 1.3 et exercice 3.b."""

from __future__ import annotations

import math
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from tp2_src.checks.common import (
    MSE_TOLERANCE,
    as_pair,
    boston_data,
    floats,
    isolated,
    tiny_data,
)
from tp2_src.checks.descent import (
    Audit,
    audit_descent,
    check_logged,
    descent_curves,
    follows,
    optimum_gap,
    scalars,
)
from tp2_src.checks.grading import (
    RecordingWriter,
    call,
    fail,
    passed,
    percent,
    student_function,
)
from tp2_src.checks.registry import exercise
from tp2_src.french import french_number

DESCENT_PARAMETERS = (
    "X_train",
    "y_train",
    "X_test",
    "y_test",
    "lr",
    "num_epochs",
    "writer",
)

#: Les (taux, époques) des audits de la question 1.1 : des valeurs que le chapitre n'emploie pas.
BATCH_RUNS = ((0.07, 3), (0.03, 2))
#: Les (taille de mini-batch, taux, époques) des audits de la question 1.3 : 12 exemples en
#: mini-batchs de 5 laissent un dernier mini-batch de 2, qu'un drop_last=True oublierait.
MINIBATCH_RUNS = ((1, 0.02, 3), (5, 0.04, 2))
#: Les (taux, époques) de l'audit de l'exercice 3.b.
WITHOUT_RESET_RUN = (0.03, 4)


@exercise("q1-1", "Question 1.1", "descente batch avec autograd")
def check_batch_descent(question: str, namespace: Any) -> None:
    """Question 1.1 (chapitre 3) : ``batch_descent``, la descente batch écrite à la main.

    Sur un petit jeu (12 exemples), deux fois, à η = 0,07 sur 3 époques puis à η = 0,03 sur
    2 (des taux que le chapitre n'emploie pas) : un pas par époque sur toutes les données,
    le gradient par autograd (``backward()``, ``torch.autograd.grad`` ou ``torch.func.grad``),
    gradients remis à zéro, ``w ← w − η ∇ℓ``, et les MSE d'apprentissage et de test
    journalisées à chaque époque. Sur Boston Housing (η = 0,1, 100 époques) : jusqu'à 1 % de
    l'optimum.
    """
    descent = student_function(
        question, namespace, "batch_descent", DESCENT_PARAMETERS
    )
    for lr, epochs in BATCH_RUNS:
        writer = RecordingWriter()
        audit = audit_descent(
            question,
            "batch_descent",
            lambda data, lr=lr, epochs=epochs, writer=writer: descent(
                *data.tensors(), lr, epochs, writer
            ),
            batch_size=12,
            lr=lr,
            num_epochs=epochs,
            namespace=namespace,
        )
        scalars(question, writer, "batch_descent", epochs)
        check_logged(
            question, "batch_descent", writer, audit, tiny_data(), 1
        )
    data, writer = boston_data(), RecordingWriter()
    w, b = as_pair(
        question,
        call(
            question,
            "votre fonction batch_descent",
            isolated(descent),
            *data.tensors(),
            0.1,
            100,
            writer,
        ),
    )
    scalars(question, writer, "batch_descent", 100)
    mse, optimum, gap = optimum_gap(question, w, b, data)
    passed(
        question,
        f"un pas de gradient par époque, gradients remis à zéro (η = 0,07 et 0,03 "
        f"vérifiés) ; sur Boston Housing, MSE d'apprentissage {french_number(mse, '.3f')}, "
        f"à {percent(gap)} de l'optimum ({french_number(optimum, '.3f')} ; tolérance "
        f"{percent(MSE_TOLERANCE, '.0f')}).",
    )


@exercise("q1-2", "Question 1.2", "Boston Housing et TensorBoard")
def check_boston_log(question: str, namespace: Any) -> None:
    """Question 1.2 (chapitre 3) : ``boston_log(run_dir)`` journalise la descente de la
    question 1.1 sur Boston Housing dans ``run_dir``, avec un ``SummaryWriter`` fermé à la fin.

    Le journal est relu sur le disque par le lecteur de TensorBoard : ``loss/train`` et
    ``loss/test`` à chaque époque, comparés aux courbes d'une descente batch de référence à
    η = 0,1 sur 100 époques (le taux et la durée que l'énoncé fixe), apprise sur X_train.
    """
    from torch.utils.tensorboard import SummaryWriter

    from tp2_src.logs import read_scalars

    log = student_function(question, namespace, "boston_log", ("run_dir",))
    opened: list[SummaryWriter] = []
    original_init = SummaryWriter.__init__

    def init(self: SummaryWriter, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        opened.append(self)

    with TemporaryDirectory(prefix="tp2-verification-") as tmp:
        run_dir = Path(tmp) / "q1-batch"
        run_dir.mkdir()
        SummaryWriter.__init__ = init  # type: ignore[method-assign]
        try:
            try:
                result = call(
                    question,
                    "votre fonction boston_log",
                    isolated(log),
                    run_dir,
                )
            finally:
                SummaryWriter.__init__ = original_init  # type: ignore[method-assign]
            if not any(run_dir.glob("events.out.tfevents.*")):
                fail(
                    question,
                    "aucun journal dans le dossier run_dir reçu en paramètre : créez le "
                    "SummaryWriter avec ce dossier, SummaryWriter(run_dir).",
                )
            if any(
                w.all_writers is not None
                and Path(w.log_dir).resolve() == run_dir.resolve()
                for w in opened
            ):
                fail(
                    question,
                    "le SummaryWriter de run_dir est encore ouvert à la fin de boston_log : "
                    "une partie du journal peut rester en mémoire, hors du disque. Fermez-le "
                    "après la descente (writer.close()), ou faites la descente dans un bloc "
                    "with SummaryWriter(run_dir) as writer:.",
                )
            logged = read_scalars(run_dir)
        finally:
            for writer in opened:
                writer.close()
    if not logged:
        fail(
            question,
            "le journal de run_dir ne contient aucun coût : passez à batch_descent le "
            "SummaryWriter ouvert sur run_dir (c'est lui que TensorBoard lira).",
        )
    if result is None:
        fail(
            question,
            "boston_log ne rend rien : rendez le couple (w, b) que rend batch_descent "
            "(la cellule suivante l'emploie : w, b = boston_log(run_dir)).",
        )
    as_pair(question, result)
    writer = RecordingWriter()
    for tag, (steps, values) in logged.items():
        for step, value in zip(steps, values, strict=True):
            writer.add_scalar(tag, value, step)
    train = scalars(question, writer, "boston_log", 100)
    test = [v for _, v in writer.scalars["loss/test"]]
    data = boston_data()
    ref_train, ref_test = descent_curves(*data.tensors(), 0.1, 100)
    on_test = descent_curves(
        data.X_test, data.y_test, data.X_train, data.y_train, 0.1, 100
    )
    if follows(train, on_test[0]) and follows(test, on_test[1]):
        fail(
            question,
            "la descente journalisée apprend sur le jeu de test : train et test sont "
            "inversés. Appelez batch_descent(X_train, y_train, X_test, y_test, …), dans "
            "l'ordre de ses paramètres.",
        )
    if not (follows(train, ref_train) and follows(test, ref_test)):
        fail(
            question,
            f"les courbes relues ne sont pas celles de la descente batch à η = 0,1 sur 100 "
            f"époques (à la fin, « loss/train » vaut {french_number(train[-1], '.4g')} au lieu "
            f"de {french_number(ref_train[-1], '.4g')}) : la question fixe lr=0.1 et "
            "num_epochs=100.",
        )
    passed(
        question,
        f"'loss/train' et 'loss/test' relus sur le disque ({len(train)} points), ceux de "
        "la descente à η = 0,1 ; le coût d'apprentissage passe de "
        f"{french_number(train[0], '.1f')} à {french_number(train[-1], '.3f')}.",
    )


def check_shuffled(question: str, audit: Audit, n: int) -> None:
    """Les exemples d'une descente stochastique (un par pas) : mélangés à chaque époque,
    chaque époque dans un autre ordre, aucun dans l'ordre des données (même décalé ou renversé)."""
    orders = [
        [batch[0] for batch in audit.batches[e : e + n]]
        for e in range(0, len(audit.batches), n)
    ]
    for epoch, order in enumerate(orders, 1):
        if order == list(range(n)):
            fail(
                question,
                f"à l'époque {epoch}, les exemples viennent dans l'ordre des données, sans "
                "mélange : l'énoncé demande de les mélanger à chaque époque, "
                "DataLoader(…, shuffle=True).",
            )
        adjacent = sum(
            abs(a - b) in (1, n - 1)
            for a, b in zip(order, order[1:], strict=False)
        )
        if adjacent >= n - 2:
            fail(
                question,
                f"à l'époque {epoch}, les exemples suivent l'ordre des données, décalé ou "
                "renversé : ce n'est pas un mélange. Tirez un ordre au hasard à chaque "
                "époque (DataLoader(…, shuffle=True), ou torch.randperm).",
            )
    for epoch, order in enumerate(orders[1:], 2):
        if order in orders[: epoch - 1]:
            fail(
                question,
                f"l'époque {epoch} parcourt les exemples dans le même ordre qu'une époque "
                "précédente : le mélange doit changer à chaque époque. Créez le DataLoader "
                "(et son générateur) une seule fois, avant la boucle des époques.",
            )


@exercise("q1-3", "Question 1.3", "stochastique et mini-batch")
def check_minibatch_descent(question: str, namespace: Any) -> None:
    """Question 1.3 (chapitre 3) : ``descent``, la descente par mini-batchs de ``batch_size``.

    Sur un petit jeu (12 exemples) : stochastique (un exemple par pas, η = 0,02, 3 époques),
    puis mini-batchs de 5 (η = 0,04, 2 époques ; le dernier mini-batch a 2 exemples) : un
    pas par mini-batch, chaque exemple une fois par époque, mélangés à chaque époque et
    autrement d'une époque à l'autre, gradients remis à zéro, coûts journalisés à chaque
    époque. Un générateur (``generator=``) est bienvenu, pas exigé. Sur Boston Housing : le
    mini-batch (32 exemples, η = 0,01, 100 époques) arrive à 1 % de l'optimum.
    """
    descent = student_function(
        question,
        namespace,
        "descent",
        (
            "X_train",
            "y_train",
            "X_test",
            "y_test",
            "batch_size",
            "lr",
            "num_epochs",
            "writer",
        ),
    )
    small = tiny_data()
    n = len(small.X_train)
    for batch_size, lr, epochs in MINIBATCH_RUNS:
        name = f"descent (batch_size={batch_size})"
        writer = RecordingWriter()
        audit = audit_descent(
            question,
            name,
            lambda data, size=batch_size, lr=lr, epochs=epochs, writer=writer: (
                descent(*data.tensors(), size, lr, epochs, writer)
            ),
            batch_size=batch_size,
            lr=lr,
            num_epochs=epochs,
            namespace=namespace,
        )
        scalars(question, writer, name, epochs)
        check_logged(
            question, name, writer, audit, small, math.ceil(n / batch_size)
        )
        if batch_size == 1:
            check_shuffled(question, audit, n)
    data, writer = boston_data(), RecordingWriter()
    w, b = as_pair(
        question,
        call(
            question,
            "votre fonction descent",
            isolated(descent),
            *data.tensors(),
            32,
            0.01,
            100,
            writer,
        ),
    )
    scalars(question, writer, "descent", 100)
    mse, optimum, gap = optimum_gap(question, w, b, data)
    passed(
        question,
        f"un pas par mini-batch, chaque exemple une fois par époque, mélangés à chaque "
        f"époque (tailles 1 et 5 vérifiées) ; mini-batch sur Boston Housing à {percent(gap)} "
        f"de l'optimum (tolérance {percent(MSE_TOLERANCE, '.0f')}).",
    )


@exercise("ex-3b", "Exercice 3.b", "oublier la remise à zéro")
def check_without_reset(question: str, namespace: Any) -> None:
    """Exercice 3.b (chapitre 3) : ``descent_without_reset``, la descente batch sans remise
    à zéro des gradients ; elle rend le coût de chaque époque.

    Sur un petit jeu (η = 0,03, 4 époques) : des pas batch par ``backward()``, où chaque
    ``.grad`` garde la somme des gradients passés et la mise à jour la suit ; les coûts
    rendus sont des nombres, ceux des passes avant de chaque époque. Sur Boston Housing
    (η = 0,1, 30 époques) : combien de fois le coût remonte.
    """
    name = "descent_without_reset"
    descent = student_function(
        question,
        namespace,
        name,
        ("X_train", "y_train", "lr", "num_epochs"),
    )
    lr, epochs = WITHOUT_RESET_RUN
    audit = audit_descent(
        question,
        name,
        lambda data: descent(data.X_train, data.y_train, lr, epochs),
        batch_size=12,
        lr=lr,
        num_epochs=epochs,
        reset=False,
        namespace=namespace,
    )
    values = floats(
        question, name, audit.result, epochs, numbers_only=True
    )
    expected = audit.losses

    def close(a: list[float], b: list[float]) -> bool:
        return all(
            math.isclose(x, y, rel_tol=1e-4, abs_tol=1e-6)
            for x, y in zip(a, b, strict=True)
        )

    if not close(values, expected):
        if close(values[:-1], expected[1:]):
            fail(
                question,
                f"les coûts rendus sont décalés d'une époque : le coût de l'époque 1 doit être "
                f"{french_number(expected[0], '.4g')}, celui de la passe avant dont part le "
                "premier backward(), pas le coût calculé après la mise à jour.",
            )
        k = next(
            i
            for i, (x, y) in enumerate(zip(values, expected, strict=True))
            if not close([x], [y])
        )
        fail(
            question,
            f"le coût rendu pour l'époque {k + 1} vaut {french_number(values[k], '.4g')} au lieu "
            f"de {french_number(expected[k], '.4g')} (la MSE de la passe avant de cette époque) : "
            "ajoutez loss.item() à losses.",
        )
    data = boston_data()
    losses = call(
        question,
        f"votre fonction {name}",
        isolated(descent),
        data.X_train,
        data.y_train,
        0.1,
        30,
    )
    values = floats(question, name, losses, 30, numbers_only=True)
    rises = sum(
        after > before
        for before, after in zip(values, values[1:], strict=False)
    )
    low = min(range(len(values)), key=values.__getitem__)
    passed(
        question,
        f"les gradients s'accumulent (η = 0,03 vérifié pas à pas) ; sur Boston Housing, à "
        f"η = 0,1, le coût remonte {rises} fois en 30 époques (minimum "
        f"{french_number(values[low], '.4g')} à l'époque {low + 1}).",
    )
