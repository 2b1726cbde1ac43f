// RUN: clip-opt --split-input-file --clip-fuse-attention %s | FileCheck %s

// The model files' form: q scaled by 1/sqrt(d), k^T by transpose_rhs,
// softmax over keys, probabilities times v.
// CHECK-LABEL: func.func @model_form
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x8x16xf32>, %[[K:.*]]: tensor<2x4x8x16xf32>, %[[V:.*]]: tensor<2x4x8x16xf32>)
// CHECK-NEXT: %[[O:.*]], %{{.*}} = clip.attention %[[Q]], %[[K]], %[[V]] scale 2.500000e-01 : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8xf32>)
// CHECK-NEXT: return %[[O]]
func.func @model_form(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %scale = clip.constant dense<2.5e-01> : tensor<f32>
  %qs = clip.mul %q, %scale : (tensor<2x4x8x16xf32>, tensor<f32>) -> tensor<2x4x8x16xf32>
  %s = clip.matmul %qs, %k transpose_rhs : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %p = clip.softmax %s axis 3 : tensor<2x4x8x8xf32>
  %o = clip.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// The text tower's causal form: clip.causal_mask added to the scores.
// CHECK-LABEL: func.func @causal_additive
// CHECK-NEXT: clip.attention %arg0, %arg1, %arg2 scale 2.500000e-01 causal
// CHECK-NEXT: return
func.func @causal_additive(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %scale = clip.constant dense<2.5e-01> : tensor<f32>
  %qs = clip.mul %scale, %q : (tensor<f32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  %s = clip.matmul %qs, %k transpose_rhs : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %mask = clip.causal_mask : tensor<8x8xf32>
  %m = clip.add %mask, %s : (tensor<8x8xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %p = clip.softmax %m axis 3 : tensor<2x4x8x8xf32>
  %o = clip.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Scale after the product, as a division by sqrt(d); the key transposed
// explicitly; a boolean causal mask applied by select.
// CHECK-LABEL: func.func @select_mask_divided_scores
// CHECK-NEXT: clip.attention %arg0, %arg1, %arg2 scale 2.500000e-01 causal : (tensor<3x4x16xf32>, tensor<3x4x16xf32>, tensor<3x4x8xf32>) -> (tensor<3x4x8xf32>, tensor<3x4xf32>)
// CHECK-NEXT: return
func.func @select_mask_divided_scores(%q: tensor<3x4x16xf32>, %k: tensor<3x4x16xf32>, %v: tensor<3x4x8xf32>) -> tensor<3x4x8xf32> {
  %kt = clip.transpose %k [0, 2, 1] : tensor<3x4x16xf32> -> tensor<3x16x4xf32>
  %s = clip.matmul %q, %kt : (tensor<3x4x16xf32>, tensor<3x16x4xf32>) -> tensor<3x4x4xf32>
  %d = clip.constant dense<4.0> : tensor<1xf32>
  %sd = clip.div %s, %d : (tensor<3x4x4xf32>, tensor<1xf32>) -> tensor<3x4x4xf32>
  %visible = clip.causal_mask : tensor<4x4xi1>
  %ninf = clip.constant dense<0xFF800000> : tensor<f32>
  %m = clip.select %visible, %sd, %ninf : (tensor<4x4xi1>, tensor<3x4x4xf32>, tensor<f32>) -> tensor<3x4x4xf32>
  %p = clip.softmax %m axis 2 : tensor<3x4x4xf32>
  %o = clip.matmul %p, %v : (tensor<3x4x4xf32>, tensor<3x4x8xf32>) -> tensor<3x4x8xf32>
  return %o : tensor<3x4x8xf32>
}

// -----

// Factors on q and k both count (0.5 * 0.5), and a constant written-out
// mask (true above the diagonal) selects -inf.
// CHECK-LABEL: func.func @constant_hidden_mask
// CHECK-NEXT: clip.attention %arg0, %arg1, %arg1 scale 2.500000e-01 causal
// CHECK-NEXT: return
func.func @constant_hidden_mask(%q: tensor<2x3x4xf64>, %k: tensor<2x3x4xf64>) -> tensor<2x3x4xf64> {
  %half = clip.constant dense<5.0e-01> : tensor<f64>
  %qs = clip.mul %q, %half : (tensor<2x3x4xf64>, tensor<f64>) -> tensor<2x3x4xf64>
  %ks = clip.mul %k, %half : (tensor<2x3x4xf64>, tensor<f64>) -> tensor<2x3x4xf64>
  %s = clip.matmul %qs, %ks transpose_rhs : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x3xf64>
  %hidden = clip.constant dense<[[false, true, true], [false, false, true], [false, false, false]]> : tensor<3x3xi1>
  %ninf = clip.constant dense<0xFFF0000000000000> : tensor<f64>
  %m = clip.select %hidden, %ninf, %s : (tensor<3x3xi1>, tensor<f64>, tensor<2x3x3xf64>) -> tensor<2x3x3xf64>
  %p = clip.softmax %m axis 2 : tensor<2x3x3xf64>
  %o = clip.matmul %p, %k : (tensor<2x3x3xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  return %o : tensor<2x3x4xf64>
}

// -----

// RN50's attention pooling: one query over 5 tokens.
// CHECK-LABEL: func.func @one_query
// CHECK-NEXT: clip.attention %arg0, %arg1, %arg2 scale 1.250000e-01 : (tensor<2x32x1x64xf32>, tensor<2x32x5x64xf32>, tensor<2x32x5x64xf32>) -> (tensor<2x32x1x64xf32>, tensor<2x32x1xf32>)
func.func @one_query(%q: tensor<2x32x1x64xf32>, %k: tensor<2x32x5x64xf32>, %v: tensor<2x32x5x64xf32>) -> tensor<2x32x1x64xf32> {
  %scale = clip.constant dense<1.25e-01> : tensor<f32>
  %qs = clip.mul %q, %scale : (tensor<2x32x1x64xf32>, tensor<f32>) -> tensor<2x32x1x64xf32>
  %s = clip.matmul %qs, %k transpose_rhs : (tensor<2x32x1x64xf32>, tensor<2x32x5x64xf32>) -> tensor<2x32x1x5xf32>
  %p = clip.softmax %s axis 3 : tensor<2x32x1x5xf32>
  %o = clip.matmul %p, %v : (tensor<2x32x1x5xf32>, tensor<2x32x5x64xf32>) -> tensor<2x32x1x64xf32>
  return %o : tensor<2x32x1x64xf32>
}

// -----

// Near misses: each keeps its ops.
// CHECK-LABEL: func.func @probs_returned
// CHECK-NOT: clip.attention
// CHECK: clip.softmax
func.func @probs_returned(%q: tensor<2x8x16xf32>, %k: tensor<2x8x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x8xf32>) {
  %s = clip.matmul %q, %k transpose_rhs : (tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x8xf32>
  %p = clip.softmax %s axis 2 : tensor<2x8x8xf32>
  %o = clip.matmul %p, %k : (tensor<2x8x8xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %o, %p : tensor<2x8x16xf32>, tensor<2x8x8xf32>
}

// -----

// CHECK-LABEL: func.func @scores_used_twice
// CHECK-NOT: clip.attention
func.func @scores_used_twice(%q: tensor<2x8x16xf32>, %k: tensor<2x8x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x8xf32>) {
  %s = clip.matmul %q, %k transpose_rhs : (tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x8xf32>
  %p = clip.softmax %s axis 2 : tensor<2x8x8xf32>
  %o = clip.matmul %p, %k : (tensor<2x8x8xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %o, %s : tensor<2x8x16xf32>, tensor<2x8x8xf32>
}

// -----

// Softmax over queries, not keys.
// CHECK-LABEL: func.func @softmax_over_queries
// CHECK-NOT: clip.attention
func.func @softmax_over_queries(%q: tensor<2x8x16xf32>, %k: tensor<2x8x16xf32>) -> tensor<2x8x16xf32> {
  %s = clip.matmul %q, %k transpose_rhs : (tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x8xf32>
  %p = clip.softmax %s axis 1 : tensor<2x8x8xf32>
  %o = clip.matmul %p, %k : (tensor<2x8x8xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %o : tensor<2x8x16xf32>
}

// -----

// A mask that is not causal (a padding mask) is not dropped.
// CHECK-LABEL: func.func @padding_mask
// CHECK-NOT: clip.attention
func.func @padding_mask(%q: tensor<2x3x4xf32>, %k: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %s = clip.matmul %q, %k transpose_rhs : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x3xf32>
  %mask = clip.constant dense<[[0.0, 0.0, 0xFF800000], [0.0, 0.0, 0xFF800000], [0.0, 0.0, 0xFF800000]]> : tensor<3x3xf32>
  %m = clip.add %s, %mask : (tensor<2x3x3xf32>, tensor<3x3xf32>) -> tensor<2x3x3xf32>
  %p = clip.softmax %m axis 2 : tensor<2x3x3xf32>
  %o = clip.matmul %p, %k : (tensor<2x3x3xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %o : tensor<2x3x4xf32>
}

// -----

// A factor that is not a constant stays part of the query (scale 1).
// CHECK-LABEL: func.func @scale_not_constant
// CHECK-NEXT: %[[QS:.*]] = clip.mul %arg0, %arg2
// CHECK-NEXT: clip.attention %[[QS]], %arg1, %arg1 scale 1.000000e+00
func.func @scale_not_constant(%q: tensor<2x8x16xf32>, %k: tensor<2x8x16xf32>, %t: tensor<f32>) -> tensor<2x8x16xf32> {
  %qs = clip.mul %q, %t : (tensor<2x8x16xf32>, tensor<f32>) -> tensor<2x8x16xf32>
  %s = clip.matmul %qs, %k transpose_rhs : (tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x8xf32>
  %p = clip.softmax %s axis 2 : tensor<2x8x8xf32>
  %o = clip.matmul %p, %k : (tensor<2x8x8xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %o : tensor<2x8x16xf32>
}

// -----

// A negative scale is no attention this op can express.
// CHECK-LABEL: func.func @negative_scale
// CHECK-NOT: clip.attention
func.func @negative_scale(%q: tensor<2x8x16xf32>, %k: tensor<2x8x16xf32>) -> tensor<2x8x16xf32> {
  %c = clip.constant dense<-2.5e-01> : tensor<f32>
  %qs = clip.mul %q, %c : (tensor<2x8x16xf32>, tensor<f32>) -> tensor<2x8x16xf32>
  %s = clip.matmul %qs, %k transpose_rhs : (tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x8xf32>
  %p = clip.softmax %s axis 2 : tensor<2x8x8xf32>
  %o = clip.matmul %p, %k : (tensor<2x8x8xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %o : tensor<2x8x16xf32>
}

// -----

// The key is transposed in some other way than its last two dims.
// CHECK-LABEL: func.func @key_wrongly_transposed
// CHECK-NOT: clip.attention
func.func @key_wrongly_transposed(%q: tensor<4x4x4xf32>, %k: tensor<4x4x4xf32>) -> tensor<4x4x4xf32> {
  %kt = clip.transpose %k [1, 2, 0] : tensor<4x4x4xf32> -> tensor<4x4x4xf32>
  %s = clip.matmul %q, %kt : (tensor<4x4x4xf32>, tensor<4x4x4xf32>) -> tensor<4x4x4xf32>
  %p = clip.softmax %s axis 2 : tensor<4x4x4xf32>
  %o = clip.matmul %p, %k : (tensor<4x4x4xf32>, tensor<4x4x4xf32>) -> tensor<4x4x4xf32>
  return %o : tensor<4x4x4xf32>
}

// -----

// One key for every head (broadcast batch dims): not the fused op's layout.
// CHECK-LABEL: func.func @broadcast_heads
// CHECK-NOT: clip.attention
func.func @broadcast_heads(%q: tensor<2x4x8x16xf32>, %k: tensor<2x1x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %s = clip.matmul %q, %k transpose_rhs : (tensor<2x4x8x16xf32>, tensor<2x1x8x16xf32>) -> tensor<2x4x8x8xf32>
  %p = clip.softmax %s axis 3 : tensor<2x4x8x8xf32>
  %o = clip.matmul %p, %k : (tensor<2x4x8x8xf32>, tensor<2x1x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// A causal-looking mask of one row broadcast over all queries is not causal.
// CHECK-LABEL: func.func @one_row_mask
// CHECK-NOT: clip.attention
func.func @one_row_mask(%q: tensor<2x3x4xf32>, %k: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %s = clip.matmul %q, %k transpose_rhs : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x3xf32>
  %mask = clip.constant dense<[[0.0, 0xFF800000, 0xFF800000]]> : tensor<1x3xf32>
  %m = clip.add %s, %mask : (tensor<2x3x3xf32>, tensor<1x3xf32>) -> tensor<2x3x3xf32>
  %p = clip.softmax %m axis 2 : tensor<2x3x3xf32>
  %o = clip.matmul %p, %k : (tensor<2x3x3xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %o : tensor<2x3x4xf32>
}
