// The checked-in model files are exactly what clip-modelgen writes from their
// configs (regenerate with scripts/generate-models.sh).
// RUN: clip-modelgen %models/clip/configs/ViT-B-32.json | diff -u %models/clip/vitb32.mlir -
// RUN: clip-modelgen %models/clip/configs/ViT-B-16.json | diff -u %models/clip/vitb16.mlir -
// RUN: clip-modelgen %models/clip/configs/ViT-L-14.json | diff -u %models/clip/vitl14.mlir -
// RUN: clip-modelgen %models/clip/configs/RN50.json | diff -u %models/clip/rn50.mlir -
// RUN: clip-modelgen %models/clip/configs/ViT-Tiny-32.json | diff -u %models/clip/vit_tiny.mlir -
// RUN: clip-modelgen %models/clip/configs/ViT-Tiny-28.json | diff -u %models/clip/vit_tiny28.mlir -
