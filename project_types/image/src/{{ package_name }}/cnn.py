"""A small convolutional network in PyTorch, the optional extra: ``pip install -e ".[torch]"``.

Two convolution blocks (3x3 convolutions, batch norm, ReLU, max pooling) and a small dense head.
Training is seeded, holds out a stratified ``cnn.val_size`` of the training split for early
stopping, keeps the weights of the best validation epoch, augments training batches with random
shifts, rotations and (optionally) flips, and shows a progress bar per epoch on a terminal.
PyTorch is imported only here, and only when the CNN is used.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split
from tqdm import tqdm

from .config import CnnSettings
from .errors import NotTrainedError, ProjectError
from .paths import shown

INSTALL_HINT = (
    'the CNN needs PyTorch, an optional extra: pip install -e ".[torch]" (CPU only: add '
    "--extra-index-url https://download.pytorch.org/whl/cpu), or set model.kind: svc"
)


def require_torch() -> Any:
    """The ``torch`` module, or a one-line error saying how to install it."""
    try:
        import torch
    except ImportError:
        raise ProjectError(INSTALL_HINT) from None
    return torch


def pick_device(torch: Any, wanted: str) -> Any:
    """``auto``: CUDA, then Apple MPS, then the CPU; else the device asked for, if present."""
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if wanted == "auto":
        wanted = "cuda" if cuda else "mps" if mps else "cpu"
    if (wanted == "cuda" and not cuda) or (wanted == "mps" and not mps):
        raise ProjectError(f"cnn.device: {wanted} is not available here (use auto or cpu)")
    return torch.device(wanted)


def build_net(torch: Any, channels: int, width: int, dropout: float, n_classes: int) -> Any:
    """conv-conv-pool twice, then a dense head; any image size (adaptive pooling to 4x4)."""
    nn = torch.nn

    def block(c_in: int, c_out: int) -> list[Any]:
        return [
            nn.Conv2d(c_in, c_out, 3, padding=1),
            nn.BatchNorm2d(c_out),
            nn.ReLU(),
            nn.Conv2d(c_out, c_out, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2, ceil_mode=True),
        ]

    return nn.Sequential(
        *block(channels, width),
        *block(width, 2 * width),
        nn.AdaptiveAvgPool2d(4),
        nn.Flatten(),
        nn.Dropout(dropout),
        nn.Linear(2 * width * 16, 128),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(128, n_classes),
    )


def augment(torch: Any, batch: Any, cfg: CnnSettings, generator: Any) -> Any:
    """Random flips, shifts and rotations of a batch ``(n, c, h, w)``."""
    aug = cfg.augment
    n = batch.shape[0]
    if aug.hflip:
        flip = (torch.rand(n, generator=generator) < 0.5).to(batch.device)
        batch = torch.where(flip[:, None, None, None], batch.flip(-1), batch)
    if aug.shift == 0 and aug.rotate == 0:
        return batch
    angle = (torch.rand(n, generator=generator) * 2 - 1) * math.radians(aug.rotate)
    shift = (torch.rand(n, 2, generator=generator) * 2 - 1) * 2 * aug.shift  # grid spans [-1, 1]
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack(
        [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1
    ).to(batch.device, batch.dtype)
    grid = torch.nn.functional.affine_grid(theta, list(batch.shape), align_corners=False)
    return torch.nn.functional.grid_sample(batch, grid, padding_mode="border", align_corners=False)


class CnnModel:
    """A trained network with ``predict_proba`` over images ``(n, height, width, channels)``."""

    def __init__(self, net: Any, arch: dict[str, Any], device: Any = None) -> None:
        self.torch = require_torch()
        self.net, self.arch = net, arch
        self.device = device or self.torch.device("cpu")

    def predict_proba(self, x: np.ndarray, batch_size: int = 512) -> np.ndarray:
        """Softmax probabilities, in batches, without gradients."""
        torch = self.torch
        self.net.eval()
        parts = []
        with torch.no_grad():
            for start in range(0, len(x), batch_size):
                batch = to_tensor(torch, x[start : start + batch_size]).to(self.device)
                parts.append(torch.softmax(self.net(batch), dim=1).cpu().numpy())
        return np.concatenate(parts).astype(np.float64)

    def save(self, path: Path) -> Path:
        """Weights and architecture in one file (``torch.load(..., weights_only=True)`` reads it)."""
        state = {k: v.cpu() for k, v in self.net.state_dict().items()}
        self.torch.save({"arch": self.arch, "state_dict": state}, path)
        return path


def to_tensor(torch: Any, x: np.ndarray) -> Any:
    """Images ``(n, h, w, c)`` as a float tensor ``(n, c, h, w)``."""
    return torch.from_numpy(np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2)), np.float32))


def load_cnn(path: Path) -> CnnModel:
    """A CNN saved by :meth:`CnnModel.save`."""
    torch = require_torch()
    if not path.is_file():
        raise NotTrainedError(f"{shown(path)} not found: run `make train` first")
    saved = torch.load(path, map_location="cpu", weights_only=True)
    arch = saved["arch"]
    net = build_net(torch, arch["channels"], arch["width"], arch["dropout"], arch["n_classes"])
    net.load_state_dict(saved["state_dict"])
    return CnnModel(net, arch)


def accuracy(model: CnnModel, x: np.ndarray, y: np.ndarray) -> float:
    """Share of ``x`` classified as ``y``."""
    return float((model.predict_proba(x).argmax(axis=1) == y).mean())


def train_cnn(
    cfg: CnnSettings, x: np.ndarray, y: np.ndarray, n_classes: int, seed: int
) -> tuple[CnnModel, list[dict[str, float]]]:
    """Train on ``x``, early-stopped on a stratified validation share; the best epoch's weights.

    Returns the model and the history: per epoch, training loss, training and validation accuracy.
    """
    torch = require_torch()
    torch.manual_seed(seed)
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    generator = torch.Generator().manual_seed(seed)
    device = pick_device(torch, cfg.device)
    fit_idx, val_idx = train_test_split(
        np.arange(len(y)), test_size=cfg.val_size, stratify=y, random_state=seed
    )
    x_fit, y_fit = to_tensor(torch, x[fit_idx]), torch.from_numpy(y[fit_idx])
    arch: dict[str, Any] = {
        "channels": int(x.shape[-1]),
        "width": cfg.width,
        "dropout": cfg.dropout,
        "n_classes": n_classes,
        "shape": [int(s) for s in x.shape[1:]],
    }
    net = build_net(torch, arch["channels"], cfg.width, cfg.dropout, n_classes).to(device)
    model = CnnModel(net, arch, device)
    optimiser = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    best, best_state, waited, history = -1.0, copy.deepcopy(net.state_dict()), 0, []
    for epoch in range(1, cfg.max_epochs + 1):
        net.train()
        order = torch.randperm(len(y_fit), generator=generator)
        batches = [order[i : i + cfg.batch_size] for i in range(0, len(order), cfg.batch_size)]
        total, correct, loss_sum = 0, 0, 0.0
        bar = tqdm(batches, desc=f"epoch {epoch}/{cfg.max_epochs}", leave=False, disable=None)
        for index in bar:
            xb = augment(torch, x_fit[index], cfg, generator).to(device)
            yb = y_fit[index].to(device)
            optimiser.zero_grad()
            logits = net(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            optimiser.step()
            total += len(index)
            correct += int((logits.argmax(1) == yb).sum())
            loss_sum += loss.item() * len(index)
        val_acc = accuracy(model, x[val_idx], y[val_idx])
        history.append(
            {
                "epoch": epoch,
                "train_loss": loss_sum / total,
                "train_accuracy": correct / total,
                "val_accuracy": val_acc,
            }
        )
        if val_acc > best:
            best, best_state, waited = val_acc, copy.deepcopy(net.state_dict()), 0
        else:
            waited += 1
            if waited >= cfg.patience:
                break
    net.load_state_dict(best_state)
    net.to("cpu")
    return CnnModel(net, arch), history
