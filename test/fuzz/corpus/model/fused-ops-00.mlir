func.func @attention(%q: tensor<2x8x77x64xf32>, %k: tensor<2x8x77x64xf32>, %v: tensor<2x8x77x32xf32>,
                     %q1: tensor<?x4x1x16xbf16>, %kv: tensor<?x4x5x16xbf16>) -> (tensor<2x8x77x32xf32>, tensor<2x8x77xf32>, tensor<?x4x1xf32>) {
  %o, %lse = clip.attention %q, %k, %v scale 0.125 causal : (tensor<2x8x77x64xf32>, tensor<2x8x77x64xf32>, tensor<2x8x77x32xf32>) -> (tensor<2x8x77x32xf32>, tensor<2x8x77xf32>)
  %o1, %lse1 = clip.attention %q1, %kv, %kv scale 0.5 : (tensor<?x4x1x16xbf16>, tensor<?x4x5x16xbf16>, tensor<?x4x5x16xbf16>) -> (tensor<?x4x1x16xbf16>, tensor<?x4x1xf32>)
  return %o, %lse, %lse1 : tensor<2x8x77x32xf32>, tensor<2x8x77xf32>, tensor<?x4x1xf32>
}

func.func @contrastive_loss(%i: tensor<?x512xf32>, %t: tensor<?x512xf32>, %s: tensor<f32>) -> tensor<f32> {
  %loss, %in, %tn, %il, %tl = clip.contrastive_loss %i, %t, %s epsilon 1.0e-12 : (tensor<?x512xf32>, tensor<?x512xf32>, tensor<f32>) -> (tensor<f32>, tensor<?x1xf32>, tensor<?x1xf32>, tensor<?xf32>, tensor<?xf32>)
  return %loss : tensor<f32>
}

func.func @gemm(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %bt: tensor<16x8xf32>, %bias: tensor<16xf32>,
                %at: tensor<8x4xf32>, %r: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) {
  %0 = clip.gemm %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = clip.gemm %a, %bt transpose_rhs bias %bias activation quick_gelu : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %2 = clip.gemm %at, %b transpose_lhs activation gelu_tanh residual %r : (tensor<8x4xf32>, tensor<8x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %3 = clip.gemm %a, %bt transpose_rhs bias %bias activation gelu residual %r : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0, %1, %2, %3 : tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>
}

func.func @elementwise(%x: tensor<4x8xf32>, %s: tensor<f32>) -> (tensor<4x8xf32>, tensor<4x8xi1>) {
  %r:2 = clip.elementwise (%x, %s) : (tensor<4x8xf32>, tensor<f32>) -> (tensor<4x8xf32>, tensor<4x8xi1>) {
  ^bb0(%a: tensor<4x8xf32>, %b: tensor<f32>):
    %zero = clip.constant dense<0.0> : tensor<f32>
    %e = clip.exp %b : tensor<f32>
    %m = clip.mul %a, %e : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
    %c = clip.cmp gt, %m, %zero : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xi1>
    clip.yield %m, %c : tensor<4x8xf32>, tensor<4x8xi1>
  }
  return %r#0, %r#1 : tensor<4x8xf32>, tensor<4x8xi1>
}
