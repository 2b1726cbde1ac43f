// clip-modelgen rejects bad configs with the file and field named.
// RUN: rm -rf %t && mkdir -p %t
// RUN: echo '{"vision_cfg": {}, "text_cfg": {}}' > %t/no-embed.json
// RUN: not clip-modelgen %t/no-embed.json 2>&1 | FileCheck %s --check-prefix=EMBED
// EMBED: clip-modelgen: no-embed: missing "embed_dim"
// RUN: echo '{"embed_dim": 64, "vision_cfg": {"image_size": 30, "patch_size": 4, "width": 64, "layers": 1}, "text_cfg": {}}' > %t/patch.json
// RUN: not clip-modelgen %t/patch.json 2>&1 | FileCheck %s --check-prefix=PATCH
// PATCH: clip-modelgen: patch: vision_cfg: image_size must be a multiple of patch_size
// RUN: echo '{"embed_dim": 64,' > %t/broken.json
// RUN: not clip-modelgen %t/broken.json 2>&1 | FileCheck %s --check-prefix=JSON
// JSON: clip-modelgen: broken: invalid JSON
// RUN: not clip-modelgen %t/missing.json 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: clip-modelgen: cannot read {{.*}}missing.json
