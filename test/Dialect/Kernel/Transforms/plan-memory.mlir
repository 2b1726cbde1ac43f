// RUN: clip-opt --convert-clip-to-kernel --kernel-plan-memory=alignment=64 %s | FileCheck %s
// RUN: clip-opt --convert-clip-to-kernel --kernel-reuse-in-place --kernel-plan-memory=alignment=64 %s | FileCheck %s --check-prefix=INPLACE

// Lifetimes (launch order): a = exp x [1, 2], b = concat a, a [2, 3],
// c = exp b [3, 4] (read through the view d), e = exp d [4, end] (output).
// Largest first: b at 0; c overlaps b, goes above it (512); a overlaps b
// only, the lowest free place is above b (512, c is dead by then); e overlaps
// c only and fits the gap below it (0). Arena 1024 = the peak (b and c).
// CHECK-LABEL: func.func @plan()
// CHECK-SAME:    kernel.arena_bytes = 1024 : i64, kernel.buffer_bytes = 1536 : i64, kernel.peak_live_bytes = 1024 : i64
// CHECK:         %[[A:.*]] = kernel.alloc offset 512 : memref<64xf32>
// CHECK:         kernel.launch @exp_0 {{.*}} outs(%[[A]]
// CHECK:         %[[B:.*]] = kernel.alloc offset 0 : memref<128xf32>
// CHECK:         kernel.launch @concat_1 {{.*}} outs(%[[B]]
// CHECK:         %[[C:.*]] = kernel.alloc offset 512 : memref<128xf32>
// CHECK:         kernel.launch @exp_2 {{.*}} outs(%[[C]]
// CHECK:         %[[E:.*]] = kernel.alloc offset 0 : memref<64xf32>
// CHECK:         kernel.launch @exp_3 {{.*}} outs(%[[E]]

// In place, c is written over b, which then lives to c's last reader; a
// (256 bytes) still overlaps b, and e overlaps the merged b/c.
// INPLACE-LABEL: func.func @plan()
// INPLACE-SAME:    kernel.arena_bytes = 768 : i64, kernel.buffer_bytes = 1024 : i64, kernel.peak_live_bytes = 768 : i64
// INPLACE:         %[[A:.*]] = kernel.alloc offset 512 : memref<64xf32>
// INPLACE:         %[[B:.*]] = kernel.alloc offset 0 : memref<128xf32>
// INPLACE:         kernel.launch @concat_1 {{.*}} outs(%[[B]]
// INPLACE:         kernel.launch @exp_2 ins(%[[B]] : memref<128xf32>) outs(%[[B]] : memref<128xf32>)
// INPLACE:         %[[E:.*]] = kernel.alloc offset 512 : memref<64xf32>
func.func @plan() -> tensor<64xf32> {
  %x = clip.input "x" : tensor<64xf32>
  %a = clip.exp %x : tensor<64xf32>
  %b = clip.concat %a, %a axis 0 : (tensor<64xf32>, tensor<64xf32>) -> tensor<128xf32>
  %c = clip.exp %b : tensor<128xf32>
  %d = clip.slice %c axis 0 from 0 to 64 : tensor<128xf32> -> tensor<64xf32>
  %e = clip.exp %d : tensor<64xf32>
  return %e : tensor<64xf32>
}
