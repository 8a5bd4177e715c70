#!/bin/sh
# Reproduces every weights file shipped in Samples/ (run from the repository root, after Samples/bundle.sh has
# stored the tokens). `sh Samples/train.sh NAME...` retrains only those samples.
# Photos, video and text: the label-free reconstruct objective on the sample's own stored tokens (DINOv2-S/14 or
# all-MiniLM-L6-v2, width 384). 300 Adam steps for a photo or passage (half a minute each on a loaded 2-core
# machine); 100 for the video, whose 4608 tokens make a step about 30 times as costly.
# Digits: the classify objective on the 4000 training digits (every fifth digit held out).
set -e
deft=${DEFT:-.build/release/deft}
all="astronaut cat coffee deep-field rocket big-buck-bunny gettysburg-address declaration-preamble tale-of-two-cities digits"
for s in ${*:-$all}; do
  case $s in
  digits)
    # Two stages, so the baselines and DeFT are judged on one frozen model (deft eval accuracy):
    # 1. the model — SAM and classifier head on every token (ratio 1: the soft mask keeps all);
    "$deft" train Samples/digits --objective classify --ratio 1 --semantic-dim 64 --steps 3000 --batch 32 --lr 3e-3 --seed 0 \
      --out Samples/digits/base.safetensors
    # 2. DeFT's scorer, mixture and reconstruction gate on top of it at 48.2 %, with the SAM and the head frozen.
    "$deft" train Samples/digits --objective classify --init Samples/digits/base.safetensors --freeze sam,classifier --gate-cost 1 \
      --ratio 0.482 --steps 1500 --batch 32 --lr 3e-3 --seed 0 --out Samples/digits/weights.safetensors
    ;;
  *)
    steps=300
    if [ "$s" = big-buck-bunny ]; then steps=100; fi
    "$deft" train "Samples/$s" --objective reconstruct --semantic-dim 64 --steps $steps --batch 1 --lr 3e-3 --seed 0 \
      --out "Samples/$s/weights.safetensors"
    ;;
  esac
done
# Optimiser state and per-step logs are for resuming a run, not for shipping.
rm -f Samples/*/weights.optimizer.safetensors Samples/*/weights.csv
