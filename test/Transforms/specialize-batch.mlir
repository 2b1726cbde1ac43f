// RUN: clip-opt %s -split-input-file --clip-specialize-batch=batch-size=4 -verify-diagnostics | FileCheck %s

// Declared types (inputs, iota, broadcast, cast) take the batch for `?`;
// everything else is re-inferred, so reshapes that fold the batch into
// another dim get the product.

// CHECK-LABEL: func.func @every_op
// CHECK-SAME: (%[[X:.*]]: tensor<4x3x8x8xf32>) -> (tensor<4x3xf32>, tensor<4xf32>, tensor<4x4xf32>)
func.func @every_op(%x: tensor<?x3x8x8xf32>) -> (tensor<?x3xf32>, tensor<?xf32>, tensor<?x?xf32>) {
  // CHECK: clip.input "text" : tensor<4x5xi64>
  %text = clip.input "text" : tensor<?x5xi64>
  // CHECK: clip.iota dim 0 : tensor<4xi64>
  %labels = clip.iota dim 0 : tensor<?xi64>
  %w = clip.param "conv.weight" : tensor<6x3x3x3xf32>
  %table = clip.param "token_embedding.weight" : tensor<10x3xf32>
  %g = clip.param "bn.weight" : tensor<6xf32>
  // CHECK: clip.conv2d {{.*}} -> tensor<4x6x4x4xf32>
  %conv = clip.conv2d %x, %w stride [2, 2] padding [1, 1] : (tensor<?x3x8x8xf32>, tensor<6x3x3x3xf32>) -> tensor<?x6x4x4xf32>
  // CHECK: clip.batch_norm {{.*}} -> tensor<4x6x4x4xf32>
  %bn = clip.batch_norm %conv, %g, %g, %g, %g epsilon 1.0e-05 : (tensor<?x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x6x4x4xf32>
  // CHECK: clip.avg_pool2d {{.*}} : tensor<4x6x4x4xf32> -> tensor<4x6x2x2xf32>
  %pool = clip.avg_pool2d %bn kernel [2, 2] stride [2, 2] padding [0, 0] : tensor<?x6x4x4xf32> -> tensor<?x6x2x2xf32>
  // CHECK: clip.reshape {{.*}} [-1, 3] : tensor<4x6x2x2xf32> -> tensor<32x3xf32>
  %flat = clip.reshape %pool [-1, 3] : tensor<?x6x2x2xf32> -> tensor<?x3xf32>
  // CHECK: clip.reshape {{.*}} [-1, 8, 3] : tensor<32x3xf32> -> tensor<4x8x3xf32>
  %tokens = clip.reshape %flat [-1, 8, 3] : tensor<?x3xf32> -> tensor<?x8x3xf32>
  // CHECK: clip.transpose {{.*}} : tensor<4x8x3xf32> -> tensor<8x4x3xf32>
  %t = clip.transpose %tokens [1, 0, 2] : tensor<?x8x3xf32> -> tensor<8x?x3xf32>
  // CHECK: clip.slice {{.*}} : tensor<8x4x3xf32> -> tensor<1x4x3xf32>
  %first = clip.slice %t axis 0 from 0 to 1 : tensor<8x?x3xf32> -> tensor<1x?x3xf32>
  // CHECK: clip.reshape {{.*}} : tensor<1x4x3xf32> -> tensor<4x3xf32>
  %cls = clip.reshape %first [-1, 3] : tensor<1x?x3xf32> -> tensor<?x3xf32>
  // CHECK: clip.gather {{.*}} -> tensor<4x5x3xf32>
  %emb = clip.gather %table[%text] axis 0 : (tensor<10x3xf32>, tensor<?x5xi64>) -> tensor<?x5x3xf32>
  // CHECK: clip.argmax {{.*}} : tensor<4x5xi64> -> tensor<4xi64>
  %eos = clip.argmax %text axis 1 : tensor<?x5xi64> -> tensor<?xi64>
  // CHECK: clip.gather {{.*}} batch_dims 1 : (tensor<4x5x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
  %pooled = clip.gather %emb[%eos] axis 1 batch_dims 1 : (tensor<?x5x3xf32>, tensor<?xi64>) -> tensor<?x3xf32>
  // CHECK: clip.concat {{.*}} -> tensor<4x6xf32>
  %both = clip.concat %cls, %pooled axis 1 : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x6xf32>
  // CHECK: clip.reduce_sum {{.*}} : tensor<4x6xf32> -> tensor<4xf32>
  %sum = clip.reduce_sum %both axes [1] : tensor<?x6xf32> -> tensor<?xf32>
  // CHECK: clip.matmul {{.*}} transpose_rhs : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x4xf32>
  %logits = clip.matmul %cls, %pooled transpose_rhs : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x?xf32>
  // CHECK: clip.log_softmax {{.*}} : tensor<4x4xf32>
  %logp = clip.log_softmax %logits axis 1 : tensor<?x?xf32>
  // CHECK: clip.broadcast {{.*}} : tensor<3xf32> -> tensor<4x3xf32>
  %bias = clip.param "bias" : tensor<3xf32>
  %bias_b = clip.broadcast %bias : tensor<3xf32> -> tensor<?x3xf32>
  // CHECK: clip.add {{.*}} : tensor<4x3xf32>
  %out = clip.add %cls, %bias_b : tensor<?x3xf32>
  // CHECK: clip.cast {{.*}} : tensor<4xi64> to tensor<4xf32>
  %labels_f = clip.cast %labels : tensor<?xi64> to tensor<?xf32>
  // CHECK: clip.cmp eq, {{.*}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %is = clip.cmp eq, %labels_f, %sum : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xi1>
  // CHECK: clip.select {{.*}} -> tensor<4xf32>
  %sel = clip.select %is, %labels_f, %sum : (tensor<?xi1>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  // CHECK: return {{.*}} : tensor<4x3xf32>, tensor<4xf32>, tensor<4x4xf32>
  return %out, %sel, %logp : tensor<?x3xf32>, tensor<?xf32>, tensor<?x?xf32>
}

// -----

// Callees are specialized first; calls take their new signatures.

// CHECK-LABEL: func.func private @double
// CHECK-SAME: (%{{.*}}: tensor<4x2xf32>) -> tensor<4x2xf32>
func.func private @double(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %y = clip.add %x, %x : tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
// CHECK-LABEL: func.func private @external
// CHECK-SAME: (tensor<4x2xf32>) -> tensor<4xf32>
func.func private @external(tensor<?x2xf32>) -> tensor<?xf32>
// CHECK-LABEL: func.func @caller
// CHECK: call @double(%{{.*}}) : (tensor<4x2xf32>) -> tensor<4x2xf32>
// CHECK: call @external(%{{.*}}) : (tensor<4x2xf32>) -> tensor<4xf32>
func.func @caller() -> tensor<?xf32> {
  %x = clip.input "x" : tensor<?x2xf32>
  %y = func.call @double(%x) : (tensor<?x2xf32>) -> tensor<?x2xf32>
  %z = func.call @external(%y) : (tensor<?x2xf32>) -> tensor<?xf32>
  return %z : tensor<?xf32>
}

// -----

// A shape that only held for some batches is reported where it breaks.
func.func @breaks(%x: tensor<?x3xf32>) {
  %w = clip.param "w" : tensor<5x3xf32>
  // expected-error @+1 {{'clip.add' op cannot broadcast lhs [4x3] with rhs [5x3]: dim 0 of lhs is 4 but dim 0 of rhs is 5}}
  %y = clip.add %x, %w : (tensor<?x3xf32>, tensor<5x3xf32>) -> tensor<5x3xf32>
  return
}

// -----

// expected-error @+1 {{recursive call to 'loop' cannot be specialized}}
func.func @loop(%x: tensor<?xf32>) -> tensor<?xf32> {
  %y = func.call @loop(%x) : (tensor<?xf32>) -> tensor<?xf32>
  return %y : tensor<?xf32>
}
