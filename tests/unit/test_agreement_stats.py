"""F1 counts, kappa and alpha: hand-worked examples and the established implementations."""

import math
import random
import warnings

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from annotator.agreement.stats import Counts, Ratio, cohen_kappa, krippendorff_alpha, mean


def test_counts_figures():
    # 3 matched, 1 extra, 2 missed: P = 3/4, R = 3/5, F1 = 2*3 / (2*3 + 1 + 2) = 6/9.
    counts = Counts.of(3, reference=5, other=4)
    assert (counts.tp, counts.fp, counts.fn) == (3, 1, 2)
    assert counts.precision == pytest.approx(3 / 4)
    assert counts.recall == pytest.approx(3 / 5)
    assert counts.f1 == pytest.approx(6 / 9)


@pytest.mark.parametrize(("counts", "precision", "recall", "f1"), [
    (Counts(), None, None, None),            # both empty: nothing to agree on
    (Counts(tp=4), 1.0, 1.0, 1.0),           # identical sets
    (Counts(fn=3), None, 0.0, 0.0),          # other set empty, reference full
    (Counts(fp=3), 0.0, None, 0.0),          # reference empty, other full
])
def test_counts_edge_cases(counts, precision, recall, f1):
    assert (counts.precision, counts.recall, counts.f1) == (precision, recall, f1)


def test_counts_and_ratios_add_up():
    assert Counts(1, 2, 3) + Counts(4, 5, 6) == Counts(5, 7, 9)
    assert Ratio(1, 2) + Ratio(2, 2) == Ratio(3, 4)
    assert Ratio(3, 4).value == 0.75
    assert Ratio().value is None
    assert Counts(1, 1, 0).to_dict() == {"tp": 1, "fp": 1, "fn": 0, "precision": 0.5, "recall": 1.0,
                                         "f1": pytest.approx(2 / 3)}


def test_mean_skips_undefined():
    assert mean([0.5, None, 1.0]) == 0.75
    assert mean([None]) is None


def test_kappa_hand_worked():
    first = ["favor", "favor", "against", "against", "neutral", "favor"]
    second = ["favor", "against", "against", "against", "neutral", "neutral"]
    # observed: 4 of 6 agree = 24/36; expected: (f 3*1 + a 2*3 + n 1*2) / 36 = 11/36;
    # kappa = (24/36 - 11/36) / (1 - 11/36) = 13/25.
    assert cohen_kappa(first, second) == pytest.approx(13 / 25)


@pytest.mark.parametrize(("first", "second", "expected"), [
    (["a", "b", "a"], ["a", "b", "a"], 1.0),      # perfect agreement
    (["a", "b"], ["b", "a"], -1.0),               # perfect disagreement
    (["a", "a", "a"], ["a", "a", "a"], None),     # no variation: sklearn gives nan
    ([], [], None),                               # nothing rated
])
def test_kappa_edge_cases(first, second, expected):
    assert cohen_kappa(first, second) == expected


def test_kappa_needs_equal_lengths():
    with pytest.raises(ValueError):
        cohen_kappa(["a"], ["a", "b"])


def test_kappa_matches_sklearn_on_random_data():
    rng = random.Random(6)
    for _ in range(200):
        n = rng.randint(1, 25)
        first = [rng.choice("fan") for _ in range(n)]
        second = [a if rng.random() < 0.5 else rng.choice("fan") for a in first]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sklearn warns when kappa is undefined
            expected = cohen_kappa_score(first, second)
        ours = cohen_kappa(first, second)
        if math.isnan(expected):
            assert ours is None
        else:
            assert ours == pytest.approx(expected)


def test_alpha_hand_worked():
    units = [{"A": "f", "B": "f", "C": "f"}, {"A": "f", "B": "a"}, {"A": "a", "B": "a", "C": "f"},
             {"C": "n"}]
    # Coincidences (each of a unit's m*(m-1) ordered pairs weighs 1/(m-1)), last unit unpairable:
    # u1: (f,f) x6 * 1/2 = 3; u2: (f,a) 1, (a,f) 1; u3: (a,a) x2, (a,f) x2, (f,a) x2, each * 1/2.
    # o_ff = 3, o_fa = o_af = 2, o_aa = 1; n_f = 5, n_a = 3, n = 8.
    # alpha = 1 - (n - 1) * (o_fa + o_af) / (n_f n_a + n_a n_f) = 1 - 7 * 4 / 30 = 1/15.
    assert krippendorff_alpha(units) == pytest.approx(1 / 15)
    matrix = [[1, 1, 2, np.nan], [1, 2, 2, np.nan], [1, np.nan, 1, 3]]
    assert krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal") == pytest.approx(1 / 15)


@pytest.mark.parametrize(("units", "expected"), [
    ([{"A": "f", "B": "f"}, {"A": "a", "B": "a"}], 1.0),   # perfect agreement
    ([{"A": "f", "B": "f"}, {"A": "f", "B": "f"}], None),  # one value only: no expected disagreement
    ([{"A": "f"}, {"B": "a"}], None),                      # nothing pairable
    ([], None),
])
def test_alpha_edge_cases(units, expected):
    assert krippendorff_alpha(units) == expected


def test_alpha_and_kappa_for_two_raters_without_gaps():
    first, second = ["f", "f", "a", "a"], ["f", "a", "a", "a"]
    # alpha: o_ff = 2, o_fa = o_af = 1, o_aa = 4; n_f = 3, n_a = 5, n = 8; 1 - 7 * 2 / (2 * 3 * 5) = 8/15.
    # kappa: observed 3/4, expected (2*1 + 2*3) / 16 = 1/2; (3/4 - 1/2) / (1/2) = 1/2.
    assert krippendorff_alpha([{"A": a, "B": b} for a, b in zip(first, second)]) == pytest.approx(8 / 15)
    assert cohen_kappa(first, second) == pytest.approx(1 / 2)


def test_alpha_matches_krippendorff_on_random_data():
    rng = random.Random(6)
    compared = 0
    for _ in range(200):
        raters, n_units = rng.randint(2, 5), rng.randint(1, 20)
        truth = [rng.randint(0, 2) for _ in range(n_units)]
        matrix = [[np.nan if rng.random() < 0.3 else (t if rng.random() < 0.6 else rng.randint(0, 2))
                   for t in truth] for _ in range(raters)]
        units = [{str(r): matrix[r][u] for r in range(raters) if not np.isnan(matrix[r][u])}
                 for u in range(n_units)]
        ours = krippendorff_alpha(units)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
        except ValueError:  # the library refuses data with fewer than two distinct values
            assert ours is None
            continue
        if math.isnan(expected):
            assert ours is None
        else:
            assert ours == pytest.approx(expected)
            compared += 1
    assert compared > 100
