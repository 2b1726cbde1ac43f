// clip-run convert (and every --params) names what is wrong with a
// checkpoint: a folder without one, a sharded index whose shard is missing
// or holds other tensors than the index lists, a file that is neither.
// RUN: rm -rf %t && mkdir -p %t/empty %t/sharded
// RUN: not clip-run convert 2>&1 | FileCheck %s --check-prefix=USAGE
// USAGE: clip-run: convert needs one checkpoint and -o OUT.safetensors
// RUN: not clip-run convert %t/empty 2>&1 | FileCheck %s --check-prefix=USAGE-O
// USAGE-O: clip-run: convert needs one checkpoint and -o OUT.safetensors
// RUN: not clip-run convert %t/empty -o %t/out.safetensors 2>&1 | FileCheck %s --check-prefix=EMPTY
// EMPTY: clip-run: {{.*}}empty: a folder without open_clip_model.safetensors, model.safetensors(.index.json), open_clip_pytorch_model.bin or pytorch_model.bin
//
// RUN: echo '{"metadata": {}, "weight_map": {"logit_scale": "model-00001-of-00002.safetensors", "visual.proj": "model-00002-of-00002.safetensors"}}' > %t/sharded/model.safetensors.index.json
// RUN: not clip-run convert %t/sharded -o %t/out.safetensors 2>&1 | FileCheck %s --check-prefix=SHARD
// SHARD: clip-run: {{.*}}sharded/model-00001-of-00002.safetensors: cannot open: No such file or directory
// RUN: echo '{"weight_map": {"logit_scale": "model-00001-of-00002.safetensors"}}' > %t/sharded/model.safetensors.index.json
// RUN: printf '\x3e\x00\x00\x00\x00\x00\x00\x00{"other":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}    \x00\x00\x80\x3f' > %t/sharded/model-00001-of-00002.safetensors
// RUN: not clip-run convert %t/sharded -o %t/out.safetensors 2>&1 | FileCheck %s --check-prefix=MISMATCH
// MISMATCH: clip-run: {{.*}}model-00001-of-00002.safetensors: does not match {{.*}}model.safetensors.index.json: missing logit_scale not in the index other
//
// RUN: echo 'not a checkpoint' > %t/junk.bin
// RUN: not clip-run convert %t/junk.bin -o %t/out.safetensors 2>&1 | FileCheck %s --check-prefix=JUNK
// JUNK: clip-run: {{.*}}junk.bin: not a valid safetensors file
// RUN: not test -e %t/out.safetensors
