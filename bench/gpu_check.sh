#!/usr/bin/env bash
# GPU check for the transcription stage: on a machine with an NVIDIA GPU, install the carried
# wheels (.whl/, see the README's "GPU check"), transcribe the LibriVox sample and the rendered
# sample meeting on CUDA float16 and on CPU int8, and print RTF and WER side by side.
#   bash bench/gpu_check.sh            # from the repo root
set -euo pipefail
cd "$(dirname "$0")/.."
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl
  export PYTHONPATH="/tmp/site:$PWD${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" HF_HUB_OFFLINE=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || echo "no nvidia-smi: CPU figures only"
python3 bench/gpu_check.py "$@"
