// clip-modelgen and clipc read a Hugging Face CLIPModel config.json: absent
// fields take transformers' CLIPConfig defaults, the model is named after
// the folder (the hub repository), intermediate_size is the MLP width as
// given (200 here: not a multiple of the width), and what the model files
// cannot express is refused by name.
// RUN: rm -rf %t && mkdir -p %t/clip-vit-test %t/defaults %t/bad
// RUN: echo '{"architectures": ["CLIPModel"], "projection_dim": 64, "text_config": {"hidden_size": 128, "intermediate_size": 320, "num_attention_heads": 2, "num_hidden_layers": 1, "max_position_embeddings": 32, "hidden_act": "gelu"}, "vision_config": {"hidden_size": 96, "intermediate_size": 200, "num_attention_heads": 3, "num_hidden_layers": 1, "image_size": 336, "patch_size": 14, "hidden_act": "gelu"}}' > %t/clip-vit-test/config.json
// RUN: clip-modelgen %t/clip-vit-test/config.json | FileCheck %s --check-prefix=SMALL
// SMALL: // CLIP clip-vit-test: ViT image 336, patch 14, width 96, 1 layers, 3 heads;
// SMALL-NEXT: // text context 32, vocab 49408, width 128, 1 layers, 2 heads; embed dim 64; GELU (erf).
// SMALL: clip.param "visual.transformer.resblocks.0.attn.in_proj_weight" : tensor<288x96xf32>
// SMALL: clip.param "visual.transformer.resblocks.0.mlp.c_fc.weight" : tensor<200x96xf32>
// SMALL: clip.param "visual.conv1.weight" : tensor<96x3x14x14xf32>
// SMALL: clip.param "visual.positional_embedding" : tensor<577x96xf32>
// SMALL: clip.param "visual.proj" : tensor<96x64xf32>
// SMALL: clip.param "transformer.resblocks.0.mlp.c_fc.weight" : tensor<320x128xf32>
// SMALL: clip.param "positional_embedding" : tensor<32x128xf32>
//
// save_pretrained may leave out what equals the defaults: ViT-B/32 with
// QuickGELU (openai/clip-vit-base-patch32).
// RUN: echo '{"text_config": {}, "vision_config": {}}' > %t/defaults/config.json
// RUN: clip-modelgen %t/defaults/config.json | FileCheck %s --check-prefix=DEFAULTS
// DEFAULTS: // CLIP defaults: ViT image 224, patch 32, width 768, 12 layers, 12 heads;
// DEFAULTS-NEXT: // text context 77, vocab 49408, width 512, 12 layers, 8 heads; embed dim 512; QuickGELU.
//
// OpenCLIP's hub repositories hold open_clip_config.json: the model config
// under "model_cfg".
// RUN: echo '{"model_cfg": {"embed_dim": 64, "quick_gelu": true, "vision_cfg": {"image_size": 32, "patch_size": 8, "width": 64, "layers": 1}, "text_cfg": {"context_length": 16, "width": 64, "heads": 2, "layers": 1}}, "preprocess_cfg": {"mean": [0.5, 0.5, 0.5]}}' > %t/open_clip_config.json
// RUN: clip-modelgen %t/open_clip_config.json | FileCheck %s --check-prefix=OPENCLIP
// OPENCLIP: // CLIP open_clip_config: ViT image 32, patch 8, width 64, 1 layers, 1 heads;
// OPENCLIP-NEXT: // text context 16, vocab 49408, width 64, 1 layers, 2 heads; embed dim 64; QuickGELU.
//
// clipc compiles the config directly.
// RUN: clipc %t/clip-vit-test/config.json --batch 2 --emit mlir | FileCheck %s --check-prefix=CLIPC
// CLIPC: func.func @train_step
// CLIPC: clip.input "image" : tensor<2x3x336x336xf32>
//
// RUN: echo '{"text_config": {"hidden_act": "relu"}, "vision_config": {"hidden_act": "relu"}}' > %t/bad/config.json
// RUN: not clip-modelgen %t/bad/config.json 2>&1 | FileCheck %s --check-prefix=ACT
// ACT: clip-modelgen: bad: vision_config: "hidden_act" must be "quick_gelu" or "gelu"
// RUN: echo '{"text_config": {"hidden_act": "gelu"}, "vision_config": {}}' > %t/bad/config.json
// RUN: not clip-modelgen %t/bad/config.json 2>&1 | FileCheck %s --check-prefix=MIXED
// MIXED: clip-modelgen: bad: the towers' "hidden_act" differ
// RUN: echo '{"text_config": {"layer_norm_eps": 1e-6}, "vision_config": {}}' > %t/bad/config.json
// RUN: not clip-modelgen %t/bad/config.json 2>&1 | FileCheck %s --check-prefix=EPS
// EPS: clip-modelgen: bad: text_config: "layer_norm_eps" is 1e-06; the generated models use 1e-5
// RUN: echo '{"text_config": {"eos_token_id": 7}, "vision_config": {}}' > %t/bad/config.json
// RUN: not clip-modelgen %t/bad/config.json 2>&1 | FileCheck %s --check-prefix=EOS
// EOS: clip-modelgen: bad: text_config: "eos_token_id" 7 is not the largest id (49407)
// RUN: echo '{"text_config": {}, "vision_config": {"image_size": 100, "patch_size": 16}}' > %t/bad/config.json
// RUN: not clip-modelgen %t/bad/config.json 2>&1 | FileCheck %s --check-prefix=PATCH
// PATCH: clip-modelgen: bad: vision_config: image_size must be a multiple of patch_size
// RUN: not clipc %t/bad/config.json 2>&1 | FileCheck %s --check-prefix=CLIPC-ERR
// CLIPC-ERR: clipc: bad: vision_config: image_size must be a multiple of patch_size
