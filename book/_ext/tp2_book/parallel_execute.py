"""Extension Sphinx locale : les chapitres exécutés en parallèle, sur tous les cœurs.

MyST-NB exécute les chapitres un par un, au moment où Sphinx les lit. Juste avant la
lecture (``env-before-read-docs``), on exécute donc en parallèle, un processus par cœur,
les chapitres que Sphinx va lire et que le cache d'exécution ne contient pas encore, et
on range leurs sorties dans ce cache ; MyST-NB les y trouve ensuite, exactement comme s'il
les avait exécutés lui-même (même lecture du ``.py``, même dossier courant, même délai
maximal, même empreinte dans le cache).

Un chapitre qui échoue ici n'est pas mis en cache : MyST-NB l'exécute alors à nouveau et
fait échouer la construction avec son message habituel. Chaque noyau reçoit sa part des
cœurs (``OMP_NUM_THREADS``, que ``settings.BUILD_ENV`` fixe à 1), pour que deux
chapitres ne se disputent pas les mêmes.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from tp2_book.settings import JOBS_ENV

logger = logging.getLogger(__name__)


def _read(app: Sphinx, env: BuildEnvironment, path: Path) -> Any:
    """Le notebook tel que MyST-NB le lit (même lecteur Jupytext, même configuration)."""
    from myst_nb.core.read import create_nb_reader

    text = path.read_text(encoding="utf-8")
    reader = create_nb_reader(
        str(path), env.myst_config, env.mystnb_config, text
    )
    return None if reader is None else reader.read(text)


def _execute(
    notebook: Any, cwd: str, timeout: int | None, threads: int
) -> tuple[Any, float, str | None]:
    """Exécute ``notebook`` dans un noyau (processus de travail) ; rend (notebook, durée, erreur)."""
    from jupyter_cache.executors.utils import single_nb_execution

    os.environ["OMP_NUM_THREADS"] = str(
        threads
    )  # hérité par le noyau
    result = single_nb_execution(
        notebook,
        cwd=cwd,
        timeout=timeout,
        allow_errors=False,
        meta_override=True,
    )
    error = (
        None
        if result.err is None
        else f"{type(result.err).__name__} : {result.err}"
    )
    return notebook, result.time, error


def execute_in_parallel(
    app: Sphinx, env: BuildEnvironment, docnames: list[str]
) -> None:
    config = app.config
    if config.nb_execution_mode != "cache":
        return
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(
        config.nb_execution_cache_path
        or str(Path(app.outdir).parent / ".jupyter_cache")
    )
    todo = []
    for docname in docnames:
        path = Path(env.doc2path(docname))
        if path.suffix not in config.nb_custom_formats:
            continue
        notebook = _read(app, env, path)
        if notebook is None:
            continue
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            todo.append((path, notebook))
    if len(todo) < 2:
        return  # un seul chapitre à exécuter : MyST-NB le fait aussi bien
    cores = os.cpu_count() or 1
    jobs = max(
        1, min(int(os.environ.get(JOBS_ENV, cores)), len(todo))
    )
    # Le nombre de fils imposé par la construction (settings.BUILD_ENV), sinon une part des cœurs.
    threads = int(
        os.environ.get("OMP_NUM_THREADS") or max(1, cores // jobs)
    )
    # Les plus longs d'abord (la taille de la source en donne une idée) : moins d'attente à la fin.
    todo.sort(key=lambda item: item[0].stat().st_size, reverse=True)
    logger.info(
        f"[parallel_execute] {len(todo)} chapitres, {jobs} à la fois, {threads} fil(s) chacun"
    )
    start = time.perf_counter()
    # « spawn » : des processus neufs, qui n'héritent pas de l'état de Sphinx.
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
    ) as pool:
        futures = {
            path: pool.submit(
                _execute,
                nb,
                str(path.parent),
                config.nb_execution_timeout,
                threads,
            )
            for path, nb in todo
        }
        for path, future in futures.items():
            notebook, seconds, error = future.result()
            if error is not None:
                # MyST-NB le ré-exécutera et fera échouer la construction avec le détail.
                logger.info(
                    f"[parallel_execute] {path.name} a échoué ({error})"
                )
                continue
            cache.cache_notebook_bundle(
                CacheBundleIn(
                    notebook,
                    str(path),
                    data={"execution_seconds": seconds},
                ),
                check_validity=False,
                overwrite=True,
            )
            logger.info(
                f"[parallel_execute] {path.name} exécuté en {seconds:.1f} s"
            )
    logger.info(
        f"[parallel_execute] chapitres exécutés en {time.perf_counter() - start:.1f} s"
    )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("env-before-read-docs", execute_in_parallel)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
