"""Random-weight HuBERT models from torchaudio and every layer's output on a fixed random waveform, for the
HubertEncoder parity tests. Layer 0 is the Transformer input (HF hidden_states[0]); layer k the output of
block k (torchaudio's extract_features()[k - 1]).

usage: hubert_reference.py OUT_DIR
writes into OUT_DIR:
  base_torchaudio.pt   state dict of torchaudio.models.hubert_base() (seed 0), torchaudio names (torch.save)
  base_outputs.pt      {"waveform", "cnn", "layer.0" .. "layer.12"} for one second of audio
  small_hf.safetensors a small pre-LN, layer-norm-extractor (Large-style) model in Hugging Face names with the
                       "hubert." prefix and weight norm as parametrizations (written without the safetensors package)
  small_hf_legacy.pt   the same weights in older Hugging Face names (weight_g / weight_v), plus a CTC head
  small_outputs.pt     {"waveform", "cnn", "layer.0" .. "layer.3"} of the small model
"""
import json
import os
import struct
import sys

import torch
import torchaudio
from torchaudio.models import wav2vec2_model


def outputs(model, waveform):
    # contiguous: TorchSharp.PyBridge's unpickler reads only contiguous tensors (docs/torch.md)
    with torch.no_grad():
        cnn, _ = model.feature_extractor(waveform, None)
        x = model.encoder.feature_projection(cnn)
        result = {"waveform": waveform[0].contiguous().clone(), "cnn": cnn[0].contiguous().clone(),
                  "layer.0": model.encoder.transformer._preprocess(x)[0].contiguous().clone()}
        layers, _ = model.extract_features(waveform)
        for k, layer in enumerate(layers, start=1):
            result[f"layer.{k}"] = layer[0].contiguous().clone()
    return result


def hugging_face_names(state, parametrizations):
    renamed = {}
    for key, value in state.items():
        if key.startswith("encoder.feature_projection."):
            key = key[len("encoder."):]
        elif key.startswith("encoder.transformer."):
            key = "encoder." + key[len("encoder.transformer."):]
        if parametrizations:
            key = key.replace("pos_conv_embed.conv.weight_g", "pos_conv_embed.conv.parametrizations.weight.original0")
            key = key.replace("pos_conv_embed.conv.weight_v", "pos_conv_embed.conv.parametrizations.weight.original1")
        renamed["hubert." + key] = value.contiguous()
    renamed["hubert.masked_spec_embed"] = torch.zeros(state["encoder.feature_projection.projection.weight"].shape[0])
    return renamed


def save_safetensors(tensors, path):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)

    torch.manual_seed(0)
    base = torchaudio.models.hubert_base().eval()
    waveform = 0.1 * torch.randn(1, 16000, generator=torch.Generator().manual_seed(1))
    torch.save(base.state_dict(), os.path.join(out, "base_torchaudio.pt"))
    torch.save(outputs(base, waveform), os.path.join(out, "base_outputs.pt"))

    torch.manual_seed(2)
    small = wav2vec2_model(
        extractor_mode="layer_norm", extractor_conv_layer_config=[(32, 10, 5), (32, 3, 2), (32, 3, 2), (32, 2, 2)],
        extractor_conv_bias=True, encoder_embed_dim=48, encoder_projection_dropout=0.0, encoder_pos_conv_kernel=16,
        encoder_pos_conv_groups=4, encoder_num_layers=3, encoder_num_heads=4, encoder_attention_dropout=0.0,
        encoder_ff_interm_features=96, encoder_ff_interm_dropout=0.0, encoder_dropout=0.0,
        encoder_layer_norm_first=True, encoder_layer_drop=0.0, aux_num_out=None).eval()
    state = small.state_dict()
    save_safetensors(hugging_face_names(state, parametrizations=True), os.path.join(out, "small_hf.safetensors"))
    legacy = hugging_face_names(state, parametrizations=False)
    legacy["lm_head.weight"] = torch.randn(32, 48)
    torch.save(legacy, os.path.join(out, "small_hf_legacy.pt"))
    small_wave = 0.1 * torch.randn(1, 4000, generator=torch.Generator().manual_seed(3))
    torch.save(outputs(small, small_wave), os.path.join(out, "small_outputs.pt"))
    print(json.dumps({"torch": torch.__version__, "torchaudio": torchaudio.__version__}))


if __name__ == "__main__":
    main()
