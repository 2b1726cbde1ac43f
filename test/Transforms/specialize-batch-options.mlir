// RUN: not clip-opt %s --clip-specialize-batch 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not clip-opt %s --clip-specialize-batch=batch-size=0 2>&1 | FileCheck %s --check-prefix=MISSING

// MISSING: error: clip-specialize-batch needs batch-size >= 1, got 0
func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
