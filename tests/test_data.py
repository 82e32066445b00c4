"""Tests de tp2_src.data : empreinte du fichier, erreurs nommées, découpage standardisé."""

from __future__ import annotations

import pytest
import torch

from tp2_src.data import (
    BOSTON_CSV,
    BOSTON_SHA256,
    DataFileError,
    boston_split,
    load_boston,
)


def test_shipped_file_has_documented_checksum_and_provenance() -> None:
    import hashlib

    assert hashlib.sha256(BOSTON_CSV.read_bytes()).hexdigest() == BOSTON_SHA256
    provenance = (BOSTON_CSV.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    assert BOSTON_SHA256 in provenance


def test_load_boston_shapes_dtypes_and_values() -> None:
    data = load_boston()
    assert data.X.shape == (506, 13) and data.X.dtype == torch.float32
    assert data.y.shape == (506,) and data.y.dtype == torch.float32
    assert data.feature_names[0] == "CRIM" and data.feature_names[-1] == "LSTAT"
    assert len(data.feature_names) == 13
    # Première ligne du fichier : 0.00632,18,2.31,...,4.98,24
    assert data.X[0, 0].item() == pytest.approx(0.00632)
    assert data.X[0, 12].item() == pytest.approx(4.98)
    assert data.y[0].item() == pytest.approx(24.0)
    assert torch.isfinite(data.X).all() and torch.isfinite(data.y).all()


def test_data_file_error_is_a_value_error() -> None:
    assert issubclass(DataFileError, ValueError)


def test_split_is_seeded_and_standardized_on_train_only() -> None:
    data = load_boston()
    split = boston_split()
    assert split.X_train.shape == (404, 13) and split.X_test.shape == (102, 13)
    assert split.y_train.shape == (404,) and split.y_test.shape == (102,)
    assert split.X_train.dtype == torch.float32 and split.y_test.dtype == torch.float32
    # Standardisé sur l'apprentissage : moyenne 0 et écart-type 1 là, pas exactement sur le test.
    torch.testing.assert_close(split.X_train.mean(0), torch.zeros(13), atol=1e-5, rtol=0)
    torch.testing.assert_close(split.X_train.std(0, unbiased=False), torch.ones(13), atol=1e-4, rtol=0)
    assert split.X_test.mean(0).abs().max() > 1e-3
    # Graine fixe : le même découpage à chaque appel.
    again = boston_split()
    for a, b in zip(split.tensors(), again.tensors(), strict=True):
        assert torch.equal(a, b)
    # La cible n'est pas transformée : ses valeurs sont celles du fichier.
    assert set(split.y_test.tolist()) <= set(data.y.tolist())


def test_boston_split_is_scikit_learns_split_and_scaler() -> None:
    """Le code montré au chapitre 3 : train_test_split (graine 0), puis StandardScaler ajusté
    sur le seul jeu d'apprentissage, et rien d'autre."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    data = load_boston()
    X_tr, X_te, y_tr, y_te = train_test_split(data.X.numpy(), data.y.numpy(), test_size=0.2, random_state=0)
    scaler = StandardScaler().fit(X_tr)
    split = boston_split(device="cpu")
    expected = (scaler.transform(X_tr), y_tr, scaler.transform(X_te), y_te)
    for got, want in zip(split.tensors(), expected, strict=True):
        assert torch.equal(got, torch.from_numpy(want))


def test_validation_is_carved_from_training_and_test_stays_the_same() -> None:
    plain = boston_split()
    with_val = boston_split(val_size=0.2)
    assert torch.equal(plain.y_test, with_val.y_test)  # le même test, validation ou non
    assert len(with_val.X_train) + len(with_val.X_val) == len(plain.X_train) == 404
    assert len(with_val.X_val) == 81
    # Standardisé sur la partie apprentissage restante seulement.
    torch.testing.assert_close(with_val.X_train.mean(0), torch.zeros(13), atol=1e-5, rtol=0)
    assert with_val.X_val.mean(0).abs().max() > 1e-3
    assert plain.X_val is None and plain.y_val is None


def test_raw_split_keeps_the_variables_and_the_same_examples() -> None:
    data = load_boston()
    raw = boston_split(standardize=False)
    scaled = boston_split()
    assert torch.equal(raw.y_train, scaled.y_train)
    assert set(raw.X_train[:, 9].tolist()) <= set(data.X[:, 9].tolist())  # TAX brut
    assert raw.X_train.std(0).max() > 100
