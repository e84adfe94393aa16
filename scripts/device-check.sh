#!/bin/sh
# GPU agent device check, for a machine with an NVIDIA GPU (under a minute).
# Prints the raw nvidia-smi output the agent reads, then the agent's parse of it (JSON lines).
# Exits non-zero when nvidia-smi fails or a parser throws.
set -u
SMI="${NVIDIA_SMI:-nvidia-smi}"
cd "$(dirname "$0")/.." || exit 1
echo "== $SMI --query-gpu=index,uuid,name,utilization.gpu,memory.used,memory.total,power.draw,temperature.gpu,mig.mode.current --format=csv,nounits"
timeout 20 "$SMI" --query-gpu=index,uuid,name,utilization.gpu,memory.used,memory.total,power.draw,temperature.gpu,mig.mode.current --format=csv,nounits || exit 1
echo "== $SMI --query-compute-apps=pid,gpu_uuid,used_memory,process_name --format=csv,nounits"
timeout 20 "$SMI" --query-compute-apps=pid,gpu_uuid,used_memory,process_name --format=csv,nounits || exit 1
echo "== $SMI -q -x (first 40 lines)"
timeout 20 "$SMI" -q -x | head -40
echo "== parsed by src/agent"
timeout 40 node --import tsx src/agent/check.ts "$SMI"
