"""Online speaker clustering: stable S1, S2, ... labels from turn embeddings (pure, synthetic vectors)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.speakers import DEFAULT_THRESHOLD, SpeakerState, assign, label_turns

DIM = 16


def axis(i: int, dim: int = DIM) -> np.ndarray:
    v = np.zeros(dim)
    v[i] = 1.0
    return v


def noisy(center: np.ndarray, rng: np.random.Generator, scale: float = 0.08) -> np.ndarray:
    return center + rng.normal(0, scale, center.shape)


def test_first_turn_opens_s1_and_the_same_voice_stays_s1():
    a, state = assign(SpeakerState(), axis(0))
    assert (a.label, a.new_speaker) == ("S1", True)
    b, state = assign(state, axis(0) * 3.0)  # the scale of an embedding does not matter
    assert (b.label, b.new_speaker) == ("S1", False)
    assert b.similarity == pytest.approx(1.0)
    assert state.labels == ("S1",)


def test_a_distant_voice_opens_the_next_label_in_order_of_first_appearance():
    labels = label_turns([axis(2), axis(5), axis(2), axis(9), axis(5), axis(9), axis(2)])
    assert labels == ["S1", "S2", "S1", "S3", "S2", "S3", "S1"]


def test_threshold_decides_join_or_open():
    near = axis(0) + 0.3 * axis(1)  # cosine 0.958 with axis 0
    assert label_turns([axis(0), near], threshold=0.95) == ["S1", "S1"]
    assert label_turns([axis(0), near], threshold=0.96) == ["S1", "S2"]


def test_the_centroid_follows_the_speaker():
    rng = np.random.default_rng(0)
    center = rng.normal(size=DIM)
    _, state = assign(SpeakerState(), center + 0.5 * axis(3))
    for _ in range(20):
        _, state = assign(state, noisy(center, rng), threshold=0.5)
    c = state.speakers[0].centroid()
    assert float(c @ (center / np.linalg.norm(center))) > 0.97
    assert state.speakers[0].weight == pytest.approx(21.0)


def test_weights_pull_the_centroid_in_proportion():
    _, state = assign(SpeakerState(), axis(0), weight=3.0)
    _, state = assign(state, axis(1), weight=1.0, threshold=0.0)
    c = state.speakers[0].centroid()
    assert c[0] == pytest.approx(3 / np.sqrt(10))
    assert c[1] == pytest.approx(1 / np.sqrt(10))


def test_max_speakers_sends_later_turns_to_the_closest():
    labels = label_turns([axis(0), axis(1), axis(2) + 0.1 * axis(1), axis(3) + 0.2 * axis(0)], max_speakers=2)
    assert labels == ["S1", "S2", "S2", "S1"]


def test_a_turn_that_may_not_open_joins_the_closest_unless_none_exists():
    a, state = assign(SpeakerState(), axis(0), may_open=False)
    assert a.label == "S1"
    b, state = assign(state, axis(1) + 0.2 * axis(0), may_open=False)
    assert (b.label, b.new_speaker) == ("S1", False)
    short = label_turns([axis(0), axis(1), axis(2)], seconds=[2.0, 0.5, 2.0], min_open_seconds=1.0)
    assert short == ["S1", "S1", "S2"]


def test_ties_go_to_the_earlier_speaker():
    _, state = assign(SpeakerState(), axis(0))
    _, state = assign(state, axis(1))
    a, _ = assign(state, axis(0) + axis(1), threshold=0.5)
    assert a.label == "S1"


def test_the_state_is_an_immutable_value():
    _, s1 = assign(SpeakerState(), axis(0))
    _, s2 = assign(s1, axis(4))
    assert s1.labels == ("S1",)
    assert s2.labels == ("S1", "S2")
    with pytest.raises(AttributeError):
        s2.speakers = ()  # type: ignore[misc]


@pytest.mark.parametrize(
    "bad", [np.zeros(DIM), np.array([]), np.full(DIM, np.nan), np.array([1.0, np.inf] + [0.0] * (DIM - 2))]
)
def test_degenerate_embeddings_are_refused(bad):
    with pytest.raises(ValueError):
        assign(SpeakerState(), bad)


def test_dimension_mismatch_and_bad_weight_are_refused():
    _, state = assign(SpeakerState(), axis(0))
    with pytest.raises(ValueError, match="dimensions"):
        assign(state, np.ones(DIM + 1))
    with pytest.raises(ValueError, match="weight"):
        assign(state, axis(0), weight=0.0)


def test_noisy_clusters_are_recovered_deterministically():
    rng = np.random.default_rng(7)
    centers = [rng.normal(size=64) for _ in range(4)]
    truth = [int(x) for x in rng.integers(0, 4, 60)]
    embs = [noisy(centers[t] / np.linalg.norm(centers[t]), rng, 0.03) for t in truth]
    labels = label_turns(embs, threshold=DEFAULT_THRESHOLD)
    assert label_turns(embs, threshold=DEFAULT_THRESHOLD) == labels  # same input, same labels
    mapping = {}
    for t, lab in zip(truth, labels, strict=True):
        assert mapping.setdefault(t, lab) == lab
    assert len(set(labels)) == 4


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(0, DIM - 1), min_size=1, max_size=30),
    st.floats(0.0, 0.99),
)
def test_labels_are_numbered_by_first_appearance(turn_axes, threshold):
    labels = label_turns([axis(i) for i in turn_axes], threshold=threshold)
    seen: list[str] = []
    for lab in labels:
        if lab not in seen:
            seen.append(lab)
    assert seen == [f"S{i + 1}" for i in range(len(seen))]
    # unit axes are orthogonal: above a zero threshold each distinct axis is its own speaker
    if threshold > 0:
        assert len(seen) == len(set(turn_axes))


def _turns(vectors, labels, seconds=None):
    from domain.speakers import Turn, quantised

    seconds = seconds or [3.0] * len(vectors)
    return [Turn("main", i * 1000, i * 1000, i * 1000 + 900, lab, sec, quantised(v), lab)
            for i, (v, lab, sec) in enumerate(zip(vectors, labels, seconds, strict=True))]


def test_clustering_all_turns_at_close_fixes_an_early_turn_the_online_rule_got_wrong():
    from domain.speakers import recluster_turns

    rng = np.random.default_rng(3)
    a, b = axis(0), axis(1)
    # Online, B's first turn was put with A (before B had a centroid of its own).
    vectors = [noisy(a, rng), noisy(b, rng), noisy(a, rng), noisy(b, rng), noisy(b, rng), noisy(a, rng)]
    online = ["S1", "S1", "S1", "S2", "S2", "S1"]
    assert recluster_turns(_turns(vectors, online)) == ["S1", "S2", "S1", "S2", "S2", "S1"]


def test_labels_keep_their_names_where_the_close_agrees_and_a_new_voice_gets_the_next_number():
    from domain.speakers import recluster_turns

    rng = np.random.default_rng(4)
    a, b, c = axis(0), axis(1), axis(2)
    vectors = [noisy(b, rng), noisy(a, rng), noisy(b, rng), noisy(c, rng), noisy(c, rng), noisy(a, rng)]
    # Online, C was taken for A (a max_speakers cap, say): the close finds it and names it S3.
    online = ["S1", "S2", "S1", "S2", "S2", "S2"]
    assert recluster_turns(_turns(vectors, online)) == ["S1", "S2", "S1", "S3", "S3", "S2"]
    # S3 is still the meeting's (its turns fell out of the kept ones): the new voice is S4.
    assert recluster_turns(_turns(vectors, online), taken=["S1", "S2", "S3"])[3] == "S4"
    # A voice heard for less than min_seconds in all never becomes a speaker of its own.
    short = _turns(vectors, online, seconds=[3.0, 3.0, 3.0, 0.6, 0.6, 3.0])
    assert len(set(recluster_turns(short, min_seconds=2.0))) == 2


def test_clustering_at_close_is_deterministic_and_respects_max_speakers():
    from domain.speakers import cluster_offline

    rng = np.random.default_rng(5)
    vectors = np.stack([noisy(axis(i % 3), rng) for i in range(12)])
    weights = np.full(12, 2.5)
    ids = cluster_offline(vectors, weights)
    assert ids == [0, 1, 2] * 4 and cluster_offline(vectors, weights) == ids
    assert len(set(cluster_offline(vectors, weights, max_speakers=2))) == 2
    with pytest.raises(ValueError):
        cluster_offline(vectors, np.zeros(12))


def test_short_turns_of_two_voices_that_look_alike_make_no_third_speaker_at_close():
    from domain.speakers import recluster_turns

    rng = np.random.default_rng(6)
    a, b, x = axis(0), axis(1), axis(2)
    # Two 1 s turns, one of A and one of B, that resemble each other (cosine 0.86) more than
    # either resembles its own voice: together they have 2 s of speech, but neither is a turn
    # that could have opened a speaker.
    like_a, like_b = 0.4 * a + x, 0.4 * b + x
    vectors = [noisy(a, rng), noisy(b, rng), like_a, noisy(a, rng), like_b, noisy(b, rng)]
    online = ["S1", "S2", "S1", "S1", "S2", "S2"]
    seconds = [3.0, 3.0, 1.0, 3.0, 1.0, 3.0]
    assert recluster_turns(_turns(vectors, online, seconds), min_seconds=2.0) == online


def test_a_turn_too_short_to_embed_goes_with_the_speech_nearest_to_it_at_close():
    from domain.speakers import Turn, quantised, recluster_turns

    rng = np.random.default_rng(7)
    a, b = axis(0), axis(1)

    def turn(start: float, end: float, label: str, v: np.ndarray | None) -> Turn:
        ms = int(start * 1000)
        return Turn("main", ms, ms, int(end * 1000), label, end - start,
                    None if v is None else quantised(v), label)

    # B's "Sure," (too short to embed) came 0.2 s before the rest of B's reply and 1.5 s after
    # A stopped: live it was given A's label, the one heard last.
    turns = [turn(0, 3, "S1", noisy(a, rng)), turn(3.7, 6.5, "S2", noisy(b, rng)),
             turn(7.0, 10.0, "S1", noisy(a, rng)), turn(11.5, 11.8, "S1", None),
             turn(12.0, 15.0, "S2", noisy(b, rng))]
    assert recluster_turns(turns) == ["S1", "S2", "S1", "S2", "S2"]
