"""What the machine's TensorFlow does where its kernels differ: whether it runs on oneDNN.

TensorFlow's x86 Linux builds use oneDNN's kernels by default on CPUs with neural-network
instructions (AVX512_VNNI, AVX512_BF16, AVX_VNNI or AMX; an ARM Neoverse V1), on Windows
always, and never elsewhere; ``TF_ENABLE_ONEDNN_OPTS`` set to 0/1 (false/true) decides
instead. Eager max pooling to an empty axis aborts on oneDNN and gives an empty tensor on
TensorFlow's own kernels. Read once, from the environment and ``/proc/cpuinfo``; TensorFlow
is never imported."""

from __future__ import annotations

import functools
import os
import platform

_NEURAL_FLAGS = {"avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16"}
_NEOVERSE_V1 = "0xd40"  # its "CPU part" in /proc/cpuinfo


@functools.cache
def uses_onednn() -> bool:
    """Whether TensorFlow on this machine runs its CPU kernels on oneDNN."""
    setting = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "").strip().lower()
    if setting in ("1", "true"):
        return True
    if setting in ("0", "false"):
        return False
    system, architecture = platform.system(), platform.machine().lower()
    if system == "Windows":
        return architecture in ("amd64", "x86_64")
    if system != "Linux":
        return False
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            info = handle.read()
    except OSError:
        return False
    return _neural_cpu(info)


def _neural_cpu(cpuinfo: str) -> bool:
    """Whether a ``/proc/cpuinfo`` text names a CPU TensorFlow turns oneDNN on for."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("flags", "features") and _NEURAL_FLAGS & set(value.split()):
            return True
        if key == "cpu part" and value.strip().lower() == _NEOVERSE_V1:
            return True
    return False
