"""Choix du matériel de calcul, et ce qui exécute le code (chapitres 1 à 5).

Les chapitres et les tests appellent ``get_device()`` au lieu d'écrire ``"cuda"`` ou
``"cpu"`` : le même code tourne sur une carte graphique quand il y en a une, sur le
processeur sinon.
"""

from __future__ import annotations

import os

import torch

#: Variable d'environnement qui impose le matériel de calcul (``cpu`` ou ``cuda``).
DEVICE_ENV = "TP2_DEVICE"


def get_device(name: str | None = None) -> torch.device:
    """Le matériel à utiliser : ``name``, sinon ``$TP2_DEVICE``, sinon CUDA si disponible, sinon CPU.

    Lève ``ValueError`` pour un nom que PyTorch ne connaît pas, ou pour CUDA demandé sur
    une machine qui n'en a pas.
    """
    name = (
        name
        or os.environ.get(DEVICE_ENV)
        or ("cuda" if torch.cuda.is_available() else "cpu")
    )
    try:
        device = torch.device(name)
    except RuntimeError as err:
        raise ValueError(
            f"Matériel inconnu {name!r} : choisir 'cpu' ou 'cuda'"
        ) from err
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "CUDA est demandé mais aucune carte graphique n'est disponible ici"
        )
    return device


def make_deterministic(seed: int = 0) -> None:
    """Fixe la graine et impose des algorithmes déterministes : deux exécutions, mêmes nombres.

    Sur CUDA, certains noyaux ne sont déterministes qu'avec ``CUBLAS_WORKSPACE_CONFIG``.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(
            f"La graine doit être un entier positif ou nul ; reçu {seed!r}"
        )
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def execution_environment() -> str:
    """Ce qui exécute ce code, en une phrase : « Python 3.11.2 et PyTorch 2.13.0, sur un
    processeur x86_64 (2 fils de calcul) », ou le GPU que ``get_device()`` choisit."""
    import platform

    device = get_device()
    if device.type == "cuda":
        where = f"le GPU {torch.cuda.get_device_name(device)}"
    else:
        threads = torch.get_num_threads()
        plural = "s" if threads > 1 else ""
        where = f"un processeur {platform.machine()} ({threads} fil{plural} de calcul)"
    return f"Python {platform.python_version()} et PyTorch {torch.__version__}, sur {where}"
